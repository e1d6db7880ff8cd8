// Messages are sent and fetched one by one; the API has no message list.
use sentdm_client::Client;

async fn run(client: Client) {
    let _ = client.messages().list().await;
}

fn main() {}
