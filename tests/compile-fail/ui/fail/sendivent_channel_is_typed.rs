// The channel of a send is one of the documented channels, not any string.
use sendivent_client::Client;

async fn run(client: Client) {
    let channel: u8 = 2;
    let _ = client
        .notifications()
        .send_to_channel("order.confirmed", channel, "ada@example.com")
        .await;
}

fn main() {}
