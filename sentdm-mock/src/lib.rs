//! A mock of the Sent.dm API, driven by its OpenAPI description, for testing clients over real
//! HTTP: from Rust with [`MockServer`], from any language's test suite with the `sentdm-mock`
//! binary.
//!
//! [`MockServer::start`] listens on a free port of 127.0.0.1 and serves every operation of the
//! spec shipped with this crate (`openapi.json`):
//!
//! - **The docs' resources**: it starts with every resource of the spec's examples, with the
//!   same ids and contents and related resources linked (contact
//!   `6ba7b810-9dad-11d1-80b4-00c04fd430c8`, template `7ba7b820-…`, message `8ba7b830-…`,
//!   webhook `d4f5a6b7-…`, profiles, campaign `b2c3d4e5-…`, users), so a documented call works
//!   as it is ([`MockServerBuilder::seeded`] starts empty).
//!
//! - **Routing** from the spec's `paths` (literal segments win over parameters, so
//!   `/v3/webhooks/event-types` is not `/v3/webhooks/{id}`); other paths get a `404` envelope,
//!   other methods a `405`.
//! - **Authentication** with `x-api-key`: missing → `401 AUTH_001`, unknown → `401 AUTH_002`.
//! - **Profiles**: `x-profile-id` scopes a request to a profile of the calling organization,
//!   and what is created under a profile is visible only under it. A profile key using the
//!   header or another organization's profile → `403 AUTH_004`; an unknown profile →
//!   `404 RESOURCE_014` ([`MockServerBuilder::organization_api_key`],
//!   [`MockServerBuilder::profile_api_key`]).
//! - **Validation** of path, query, header and body against the schemas (types, required
//!   members, formats, patterns, lengths, ranges, item counts, enums); `null` for an optional
//!   member counts as absent. Failures answer `400` with `VALIDATION_004` (send message),
//!   `VALIDATION_007` (a bad `Idempotency-Key`) or `VALIDATION_001`, a message naming the
//!   failure (or `Request validation failed` for several) and `error.details` naming each field
//!   (`{"to": ["…"], "payment_details.expiry": ["…"]}`). Only statuses the operation documents
//!   are used: an operation without a documented `400` answers a malformed path id with its
//!   `404`.
//! - **State** in memory: contacts, templates, webhooks, users, profiles and their campaigns can
//!   be created, read, listed (paginated with `page`/`page_size`), updated and deleted; sent
//!   messages can be read back; every send is recorded ([`MockServer::sends`]).
//! - **Idempotency** (`Idempotency-Key`, per API key): a repeat replays the cached `2xx`
//!   response with `Idempotent-Replayed: true` and `X-Original-Request-Id`; a repeat while the
//!   first is in flight gets `409 CONFLICT_001`.
//! - **Rate limiting** as documented, per account and endpoint group (200 a minute, 10 for
//!   sensitive endpoints, 60 for webhook tests, message sends by [`AccountTier`]), with
//!   `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` on every response and
//!   `429 BUSINESS_002` with `Retry-After` past the limit.
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
//! The `sentdm-mock` binary serves the same mock from the command line, for test suites in any
//! language: `sentdm-mock --port 0` prints `sentdm-mock listening on http://127.0.0.1:PORT`
//! and the API key, then serves until interrupted (`--help` lists the options).

mod account;
mod behaviour;
mod envelope;
mod pipeline;
mod ratelimit;
mod schema;
mod seed;
mod server;
mod spec;
mod state;
mod webhook;

pub use ratelimit::AccountTier;
pub use sentdm_mock_engine::{Fault, FaultRule, RecordedRequest};
pub use server::{
    DEFAULT_API_KEY, DEFAULT_RATE_LIMIT, DEFAULT_WINDOW, MockServer, MockServerBuilder,
};
pub use state::RecordedSend;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
