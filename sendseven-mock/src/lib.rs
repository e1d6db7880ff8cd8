//! A mock of the SendSeven messaging API, driven by its OpenAPI description, for testing
//! clients over real HTTP: from Rust with [`MockServer`], from any language's test suite with the
//! `sendseven-mock` binary.
//!
//! [`MockServer::start`] listens on a free port of 127.0.0.1 and serves the spec shipped with
//! this crate (`openapi.json`, a copy of `spec/sendseven/openapi.json`) under its server path,
//! [`MockServer::url`] = `http://127.0.0.1:PORT/api/v1`:
//!
//! - **Authentication**: `Authorization: Bearer msgapi_…` and `X-Tenant-ID` on every request.
//!   No token, a malformed one or an unknown one → `401`; a missing tenant → `401`; a tenant the
//!   token does not belong to, or a token without the operation's scope
//!   (`messages:create`, `attachments:create`) → `403`. Errors are `{detail, status_code}`.
//! - **`POST /messages`**: the body is validated against the `oneOf` of text and media messages
//!   (discriminated by `message_type`); the conversation must exist (else `404`), a media
//!   message's attachments must have been uploaded to the tenant and be of its kind (else
//!   `400`). The answer is the message, `201`, `status: pending`. The docs' two request examples
//!   are answered with the docs' two responses, verbatim.
//! - **`POST /attachments`**: a `multipart/form-data` body with a `file` part. Its type is the
//!   part's `Content-Type` (or, without one, its file name's extension); a type the docs do not
//!   accept, or an extension that is not the type's → `415`; a file over its type's limit (16 MB
//!   for images, video and audio, 100 MB for documents) → `413`; no `file` part → `400`. The
//!   attachment is kept (its bytes too, [`MockServer::attachments`]) for media messages, and its
//!   signed `url` serves the file.
//! - **State** per server: conversations, attachments, messages ([`MockServer::messages`]),
//!   the request log ([`MockServer::requests`]); the docs' examples at the start.
//! - **Faults** scripted per request ([`Fault`]): any status with `{detail, status_code}`,
//!   delays, resets, truncated bodies.
//!
//! # Example
//!
//! ```
//! use sendseven_mock::MockServer;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start()?;
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let http = reqwest::Client::new();
//!     let sent = http
//!         .post(format!("{}/messages", server.url()))
//!         .bearer_auth(server.api_token())
//!         .header("X-Tenant-ID", server.tenant_id())
//!         .json(&serde_json::json!({
//!             "conversation_id": "conv_xyz789",
//!             "message_type": "text",
//!             "text": "Hello",
//!         }))
//!         .send()
//!         .await?;
//!     assert_eq!(sent.status(), 201);
//!     Ok::<_, reqwest::Error>(())
//! })?;
//! assert_eq!(server.messages().len(), 1);
//! # Ok(())
//! # }
//! ```

mod api;
mod server;
mod state;

pub use sentdm_mock_engine::{Fault, FaultRule, RecordedRequest};
pub use server::{DEFAULT_API_TOKEN, DEFAULT_TENANT_ID, MockServer, MockServerBuilder, SCOPES};
pub use state::{ApiToken, RecordedMessage, StoredAttachment};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
