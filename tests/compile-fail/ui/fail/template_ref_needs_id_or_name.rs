// A template is sent by id or by name: there is no way to build a reference with neither.
use sentdm_client::Client;
use sentdm_client::types::TemplateRef;

async fn run(client: Client) {
    let template = TemplateRef::new().parameters([("order", "12345")]);
    let _ = client.messages().send(["+14155551234"], template).await;
}

fn main() {}
