//! Typed async client for the [Sent.dm](https://sent.dm) messaging API: SMS and WhatsApp
//! through one API.
//!
//! The client is generated at build time from `openapi.json`, the OpenAPI description this
//! project assembles from Sent.dm's documentation. Operations are grouped by resource —
//! `client.messages().send(..)`, `client.contacts().list()`,
//! `client.profiles().campaigns().create(..)` — take their required inputs as arguments, and
//! take everything optional through builder methods. Awaiting a call gives a
//! [`Response`], which dereferences to the decoded `data` of the response envelope and also
//! carries its `meta` (request id, timestamp), status and headers.
//!
//! ```no_run
//! use sentdm_client::{Client, types::TemplateRef};
//!
//! # async fn run() -> Result<(), sentdm_client::Error> {
//! let client = Client::from_env()?; // SENT_DM_API_KEY
//! let sent = client
//!     .messages()
//!     .send(["+14155551234"], TemplateRef::new().name("welcome"))
//!     .await?;
//! for recipient in sent.recipients.iter().flatten() {
//!     println!("{:?} → {:?}", recipient.to, recipient.message_id);
//! }
//! println!("request id: {:?}", sent.request_id());
//! # Ok(())
//! # }
//! ```
//!
//! Errors are one [`Error`] type: API errors keep the status, the catalog code
//! (`VALIDATION_004`, `RESOURCE_002`, …), the message, field details and the request id;
//! invalid input is rejected before any network I/O.

pub mod bulk;
pub mod runtime;
pub mod webhooks;

mod client;
mod error_code;

pub use client::{API_KEY_ENV, BASE_URL_ENV, ClientBuilder};
pub use runtime::{
    ApiError, DecodeError, Error, Items, Meta, Pages, RateLimit, RateLimiter, RequestOptions,
    Response, RetryPolicy,
};

include!(concat!(env!("OUT_DIR"), "/sentdm.rs"));
