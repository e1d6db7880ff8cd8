// Documented value sets are enums: a role takes a `UserRole` (or a string, checked before
// sending), never another set's value.
use sentdm_client::Client;
use sentdm_client::types::Channel;

async fn run(client: Client) {
    let _ = client.users().invite("dev@example.com", Channel::Sms).await;
}

fn main() {}
