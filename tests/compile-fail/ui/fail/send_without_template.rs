// A send must name its template.
use sentdm_client::Client;

async fn run(client: Client) {
    let _ = client.messages().send(["+14155551234"]).await;
}

fn main() {}
