//! Typed async client for the [Sendivent](https://sendivent.com) notification API: send a
//! named event to contacts over email, SMS, Slack, push, Telegram, WhatsApp or Discord;
//! manage the contacts; inspect events, deliveries and channel integrations; configure the
//! application's webhook endpoint.
//!
//! The client is generated at build time from `openapi.json`, the OpenAPI description this
//! project assembles from Sendivent's documentation (`spec/sendivent/`). The API key's prefix
//! picks the environment: `live_…` keys go to production, `test_…` keys to the sandbox.
//!
//! ```no_run
//! use sendivent_client::prelude::*;
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::new("test_your_key")?; // sandbox, from the key's prefix
//! let sent = client
//!     .notifications()
//!     .send("welcome", "user@example.com")
//!     .await?;
//! for delivery in &sent.deliveries {
//!     println!("{delivery:?}");
//! }
//! for error in &sent.errors {
//!     println!("not sent: {error:?}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! - **Idempotent sends**: every send carries an `X-Idempotency-Key` (generated when you give
//!   none), the same on every retry, so a retried send is never delivered twice. Other
//!   mutations are not retried once they may have reached the service.
//! - **Typed errors**: an API error keeps the status, the documented code ([`ErrorCode`], with
//!   `Unknown` for codes this version does not know; [`ErrorCodeExt`] reads it from an error)
//!   and the message.
//! - **Pagination**: contact and delivery lists offer `pages()` and `items()` streams over
//!   `offset`/`limit` pages.
//! - **Webhooks**: the event types and payloads are typed (`WebhookEvent`,
//!   `WebhookEventType`), but the docs do not say how deliveries are signed (which headers,
//!   what is signed, how it is encoded), so this client offers no signature verification.
//! - The API key never appears in `Debug` output, error messages or logs.

/// The runtime the client is built on (the `sentdm-runtime` crate): transport, retries and
/// idempotency, errors, pagination, limits, validation.
pub use sentdm_runtime as runtime;

pub use runtime::{
    ApiError, DecodeError, Error, Items, Meta, Page, Pages, RateLimit, RateLimiter, RequestOptions,
    Response, RetryPolicy,
};

/// The `time` crate, whose `OffsetDateTime` timestamps appear in responses.
pub use time;
/// The `uuid` crate, whose `Uuid` identifies contacts, deliveries and webhooks.
pub use uuid;

/// The stream traits that page through lists, so paging needs no other dependency.
pub mod stream {
    pub use futures_core::Stream;
    pub use futures_util::{StreamExt, TryStreamExt};
}

/// One import for most programs: the client, its builder, errors and codes, per-request
/// options, responses, every request and response type, and the stream traits (unnamed).
pub mod prelude {
    pub use crate::ErrorCodeExt as _;
    pub use crate::runtime::Page as _;
    pub use crate::types::*;
    pub use crate::{
        ApiError, Client, ClientBuilder, Error, ErrorCode, RequestOptions, Response, RetryPolicy,
    };
    pub use futures_util::{StreamExt as _, TryStreamExt as _};
}

include!(concat!(env!("OUT_DIR"), "/sendivent.rs"));

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
