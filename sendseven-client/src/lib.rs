//! Typed async client for the [SendSeven](https://sendseven.com) messaging API: send text and
//! media messages to a conversation on WhatsApp, Telegram, SMS, email, Messenger or Instagram,
//! and upload the files media messages carry.
//!
//! The client is generated at build time from `openapi.json`, the OpenAPI description this
//! project assembles from SendSeven's documentation (`spec/sendseven/`). Every request carries
//! the bearer API token and the tenant's `X-Tenant-ID`:
//!
//! ```no_run
//! use sendseven_client::prelude::*;
//!
//! # async fn run() -> Result<(), Error> {
//! // SENDSEVEN_API_TOKEN, SENDSEVEN_TENANT_ID and optionally SENDSEVEN_API_URL
//! let client = Client::from_env()?;
//! let photo = client
//!     .attachments()
//!     .upload(Upload::path("photo.jpg"))
//!     .await?;
//! let message = MediaMessageRequest::new("conv_xyz789", MediaMessageType::Image, [photo.id.clone()])
//!     .text("Check out this image!");
//! let sent = client.messages().send(message).await?;
//! println!("{} is {}", sent.id, sent.status);
//! # Ok(())
//! # }
//! ```
//!
//! - **Uploads** are checked before anything is sent: the file's type (given, or known from
//!   its extension) must be one the docs accept, its name must carry that type's extension, and
//!   its size must be within the type's limit (16 MiB for images, video and audio, 100 MiB for
//!   documents). Files come from memory, disk or a stream ([`Upload`]).
//! - **Retries never double-send**: the API documents no idempotency key, so a send or an
//!   upload is retried only when it cannot have reached the service (connection refused, `408`,
//!   `429`); see [`RetryPolicy`].
//! - **Errors** are the runtime's [`Error`]; an API error keeps the status and the body's
//!   `detail` as its message.
//! - **Webhooks**: deliveries signed with `X-Sendseven-Signature: sha256=<hex>` over
//!   `{timestamp}.{body}` are verified by [`webhooks::Verifier`]; the documentation does not
//!   describe the events, so their bodies are JSON for you to decode.
//! - The token, tenant id and webhook secrets never appear in `Debug` output, error messages or
//!   logs.

pub mod webhooks;

/// The runtime the client is built on (the `sentdm-runtime` crate): transport, retries,
/// errors, uploads, limits, validation.
pub use sentdm_runtime as runtime;

pub use runtime::{
    ApiError, DecodeError, Error, Meta, RateLimit, RateLimiter, RequestOptions, Response,
    RetryPolicy, Upload,
};

/// The `time` crate, whose `OffsetDateTime` timestamps appear in responses.
pub use time;

/// One import for most programs: the client, its builder, errors, per-request options,
/// responses, uploads and every request and response type.
pub mod prelude {
    pub use crate::types::*;
    pub use crate::{
        ApiError, Client, ClientBuilder, Error, RequestOptions, Response, RetryPolicy, Upload,
    };
}

include!(concat!(env!("OUT_DIR"), "/sendseven.rs"));

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
