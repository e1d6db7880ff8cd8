// Ids know what they identify: a template's id is not a contact's.
use sentdm_client::Client;
use sentdm_client::types::TemplateId;

async fn run(client: Client, template: TemplateId) {
    let _ = client.contacts().get(template).await;
}

fn main() {}
