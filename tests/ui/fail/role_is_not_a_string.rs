// Documented value sets are enums, not strings.
use sentdm_client::Client;

async fn run(client: Client) {
    let _ = client.users().invite("dev@example.com", "admin").await;
}

fn main() {}
