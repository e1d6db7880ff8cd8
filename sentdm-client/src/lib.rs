//! Typed async client for the [Sent.dm](https://sent.dm) messaging API: SMS and WhatsApp
//! through one API.
//!
//! The client is generated at build time from `openapi.json`, the OpenAPI description this
//! project assembles from Sent.dm's documentation. Operations are grouped by resource —
//! `client.messages().send(..)`, `client.contacts().list()`,
//! `client.profiles().campaigns().create(..)` — take their required inputs as arguments, and
//! take everything optional through builder methods. Awaiting a call gives a
//! [`Response`], which dereferences to the decoded `data` of the response envelope and also
//! carries its `meta` (request id, timestamp), status, headers and rate-limit state.
//!
//! ```no_run
//! use sentdm_client::{Client, types::TemplateRef};
//!
//! # async fn run() -> Result<(), sentdm_client::Error> {
//! let client = Client::from_env()?; // SENT_DM_API_KEY
//! let sent = client
//!     .messages()
//!     .send(["+14155551234"], TemplateRef::by_name("welcome"))
//!     .await?;
//! for recipient in &sent.recipients {
//!     println!("{:?} → {:?}", recipient.to, recipient.message_id);
//! }
//! println!("request id: {:?}", sent.request_id());
//! # Ok(())
//! # }
//! ```
//!
//! # What the client does for you
//!
//! - **Validation before I/O**: documented constraints — E.164 recipients, the
//!   `Idempotency-Key` format, page sizes, value sets — are checked before anything is sent
//!   ([`Error::InvalidRequest`]).
//! - **Retries that never double-send**: connection errors, timeouts, `408`, `429`, `5xx` and
//!   `409 CONFLICT_001` are retried (2 retries by default, exponential backoff with jitter,
//!   `Retry-After` honoured); every attempt of a mutation carries the same `Idempotency-Key`,
//!   generated when you give none. See [`RetryPolicy`] and [`RequestOptions`].
//! - **Typed errors**: one [`Error`]; API errors keep the status, the catalog code
//!   ([`ErrorCode`], with `Unknown` for codes this version does not know), the message, field
//!   details, the doc URL and the request id. Every error after the request was built tells
//!   which `Idempotency-Key` it carried ([`Error::idempotency_key`]), so a manual retry cannot
//!   send twice.
//! - **Bounded calls**: a timeout per attempt ([`ClientBuilder::timeout`], 60 s), a deadline
//!   for the whole call with its retries and waits ([`ClientBuilder::deadline`], 120 s) and a
//!   response size limit read incrementally ([`ClientBuilder::max_response_bytes`], 16 MiB),
//!   each overridable per request ([`RequestOptions`]). Paged lists stop with
//!   [`Error::RepeatedPage`] rather than loop on a server that repeats itself.
//! - **The key stays with the API**: redirects are never followed, plain `http://` is refused
//!   except to loopback hosts (or after [`ClientBuilder::allow_insecure_http`]), and
//!   per-request headers cannot replace the credential or the message framing.
//! - **Pagination**: paginated lists offer `pages()` and `items()` streams that fetch the next
//!   page only when needed.
//! - **Profiles and sandbox**: `x-profile-id` client-wide ([`ClientBuilder::profile_id`]) or
//!   per request; a client-wide sandbox switch ([`ClientBuilder::sandbox`]) with per-request
//!   override.
//! - **Bulk sending** under the server's advertised rate limit: [`bulk`].
//! - **Webhooks**: signature verification, typed events and an axum extractor (feature
//!   `axum`): [`webhooks`].
//!
//! The API key never appears in `Debug` output, error messages or logs.

pub mod bulk;
pub mod webhooks;

/// The runtime the client is built on (the `sentdm-runtime` crate): transport, retries and
/// idempotency, errors, pagination, limits, validation.
pub use sentdm_runtime as runtime;

mod client;

pub use client::{API_KEY_ENV, BASE_URL_ENV};
pub use runtime::{
    ApiError, DecodeError, Error, Items, Meta, Page, Pages, RateLimit, RateLimiter, RequestOptions,
    Response, RetryPolicy,
};

/// The `time` crate, whose `OffsetDateTime` timestamps appear in responses.
pub use time;
/// The `uuid` crate, whose `Uuid` is behind every id.
pub use uuid;

/// The stream traits that page through lists: [`Pages`] and [`Items`] are streams, and these
/// traits give them `next`, `try_next`, `try_collect`, `take` and the rest, so paging needs no
/// other dependency.
pub mod stream {
    pub use futures_core::Stream;
    pub use futures_util::{StreamExt, TryStreamExt};
}

/// One import for most programs: `use sentdm_client::prelude::*;` brings the client, its
/// builder, errors and codes, per-request options, responses, every request and response type,
/// and the stream traits (unnamed, so their methods work without their names cluttering the
/// scope).
///
/// ```no_run
/// use sentdm_client::prelude::*;
///
/// # async fn run() -> Result<(), Error> {
/// let client = Client::from_env()?;
/// let contacts: Vec<Contact> = client.contacts().list().items().try_collect().await?;
/// println!("{} contacts", contacts.len());
/// # Ok(())
/// # }
/// ```
pub mod prelude {
    pub use crate::ErrorCodeExt as _;
    pub use crate::runtime::Page as _;
    pub use crate::types::*;
    pub use crate::{
        ApiError, Client, ClientBuilder, Error, ErrorCode, RequestOptions, Response, RetryPolicy,
    };
    pub use futures_util::{StreamExt as _, TryStreamExt as _};
}

include!(concat!(env!("OUT_DIR"), "/sentdm.rs"));

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
