// An attachment is an `Upload` (bytes, a file or a stream), whose type and size are checked;
// a bare file name is not one.
use sendseven_client::Client;

async fn run(client: Client) {
    let _ = client.attachments().upload("photo.jpg").await;
}

fn main() {}
