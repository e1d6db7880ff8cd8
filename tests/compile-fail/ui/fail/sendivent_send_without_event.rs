// A Sendivent send names its event: recipients alone are not a send.
use sendivent_client::Client;

async fn run(client: Client) {
    let _ = client.notifications().send("ada@example.com").await;
}

fn main() {}
