//! Uploads an image and sends it to a conversation as a media message, then sends a text reply,
//! against the embedded mock of the SendSeven API (no account, no network):
//!
//! ```sh
//! cargo run -p sendseven-client --example send_message
//! ```
//!
//! Against the real API, build the client with `Client::from_env()` (`SENDSEVEN_API_TOKEN`,
//! `SENDSEVEN_TENANT_ID`, optionally `SENDSEVEN_API_URL`) instead.

use sendseven_client::prelude::*;
use sendseven_mock::MockServer;

/// The first bytes of a JPEG file: enough for the mock, which checks type, name and size.
const PHOTO: &[u8] = &[
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder().conversation("conv_example").start()?;
    let client = Client::builder()
        .base_url(server.url())
        .api_token(server.api_token())
        .tenant_id(server.tenant_id())
        .build()?;

    // The file is checked against the documented formats and limits before it is sent.
    let photo = client
        .attachments()
        .upload(Upload::bytes("photo.jpg", PHOTO))
        .await?;
    println!(
        "uploaded {} ({}, {} bytes) as {}",
        photo.filename, photo.content_type, photo.file_size, photo.id
    );

    let media =
        MediaMessageRequest::new("conv_example", MediaMessageType::Image, [photo.id.clone()])
            .text("Check out this image!");
    let sent = client.messages().send(media).await?;
    println!(
        "sent {} ({:?}) with {} attachment(s): {}",
        sent.id,
        sent.message_type,
        sent.attachments.len(),
        sent.status
    );

    let reply = client
        .messages()
        .send(TextMessageRequest::new("conv_example", "Hello from Rust!"))
        .await?;
    println!("sent {}: {:?}", reply.id, reply.text);
    Ok(())
}
