// Path ids are UUIDs: a number or an unparsed string does not fit.
use sentdm_client::Client;

async fn run(client: Client) {
    let _ = client.contacts().get(42).await;
    let _ = client.templates().get("7ba7b820-9dad-11d1-80b4-00c04fd430c8").await;
}

fn main() {}
