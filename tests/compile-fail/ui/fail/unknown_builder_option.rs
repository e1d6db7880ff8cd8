// Only documented parameters have builder methods.
use sentdm_client::Client;

async fn run(client: Client) {
    let _ = client.contacts().list().sort("created_at").await;
}

fn main() {}
