// A SendSeven message goes to an existing conversation: there is no message without one.
use sendseven_client::types::{MediaMessageRequest, MediaMessageType, TextMessageRequest};

fn main() {
    let _ = TextMessageRequest::new("Hello!");
    let _ = MediaMessageRequest::new(MediaMessageType::Image, ["attachment-id"]);
}
