//! A mock of the Sent.dm API, driven by its OpenAPI description, for testing clients over real
//! HTTP.
//!
//! [`MockServer::start`] listens on a free port of 127.0.0.1 and serves every operation of the
//! spec shipped with this crate (`openapi.json`):
//!
//! - **Routing** from the spec's `paths` (literal segments win over parameters, so
//!   `/v3/webhooks/event-types` is not `/v3/webhooks/{id}`); other paths get a `404` envelope,
//!   other methods a `405`.
//! - **Authentication** with `x-api-key`: missing → `401 AUTH_001`, unknown → `401 AUTH_002`.
//! - **Validation** of path, query, header and body against the schemas (types, required
//!   members, formats, patterns, lengths, ranges, item counts, enums). Failures answer `400`
//!   with `VALIDATION_004` (send message), `VALIDATION_007` (a bad `Idempotency-Key`) or
//!   `VALIDATION_001`, and `error.details` naming each field
//!   (`{"to": ["…"], "payment_details.expiry": ["…"]}`). Only statuses the operation documents
//!   are used: an operation without a documented `400` answers a malformed path id with its
//!   `404`.
//! - **State** in memory: contacts, templates, webhooks, users, profiles and their campaigns can
//!   be created, read, listed (paginated with `page`/`page_size`), updated and deleted; sent
//!   messages can be read back; every send is recorded ([`MockServer::sends`]).
//! - **Idempotency** (`Idempotency-Key`, per API key): a repeat replays the cached `2xx`
//!   response with `Idempotent-Replayed: true` and `X-Original-Request-Id`; a repeat while the
//!   first is in flight gets `409 CONFLICT_001`.
//! - **Rate limiting** per API key with `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
//!   `X-RateLimit-Reset` on every response and `429 BUSINESS_002` with `Retry-After` past the
//!   limit.
//! - **Sandbox**: a body with `"sandbox": true` changes nothing and the response carries
//!   `X-Sandbox: true`.
//! - **Request ids**: `X-Request-Id` on every response, equal to `meta.request_id`.
//! - **Faults** scripted per request: any status and body, delays, connection resets before or
//!   after processing, truncated bodies, invalid JSON ([`Fault`]).
//! - **Webhook test deliveries**: `POST /v3/webhooks/{id}/test` POSTs a signed event to the
//!   webhook's `endpoint_url` (loopback hosts only, unless
//!   [`MockServerBuilder::allow_external_webhooks`]).
//!
//! # Example
//!
//! ```
//! use sentdm_mock::{Fault, MockServer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start()?;
//! // The next two sends fail with an HTML 503 page.
//! server
//!     .fault(Fault::status(503).html("<h1>down</h1>"))
//!     .times(2)
//!     .on("POST", "/v3/messages");
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let http = reqwest::Client::new();
//!     let send = http
//!         .post(format!("{}/v3/messages", server.url()))
//!         .header("x-api-key", server.api_key())
//!         .body(r#"{"to": ["+14155551234"], "template": {"name": "welcome"}}"#)
//!         .send()
//!         .await?;
//!     assert_eq!(send.status(), 503);
//!     assert_eq!(send.text().await?, "<h1>down</h1>");
//!
//!     let contacts = http
//!         .get(format!("{}/v3/contacts?page=1&page_size=20", server.url()))
//!         .header("x-api-key", server.api_key())
//!         .send()
//!         .await?;
//!     assert_eq!(contacts.status(), 200);
//!     assert!(contacts.headers().contains_key("x-request-id"));
//!     Ok::<_, reqwest::Error>(())
//! })?;
//! assert_eq!(server.send_count(), 0);
//! # Ok(())
//! # }
//! ```
//!
//! The `sentdm-mock` binary serves the same mock from the command line:
//! `sentdm-mock --port 8080 --api-key KEY --rate-limit 200 --window-secs 60`.

mod account;
mod behaviour;
mod envelope;
mod fault;
mod pipeline;
mod ratelimit;
mod schema;
mod seed;
mod server;
mod spec;
mod state;
mod webhook;

pub use fault::{Fault, FaultRule};
pub use ratelimit::AccountTier;
pub use server::{
    DEFAULT_API_KEY, DEFAULT_RATE_LIMIT, DEFAULT_WINDOW, MockServer, MockServerBuilder,
};
pub use state::{RecordedRequest, RecordedSend};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
