//! A mock of the Sendivent notification API, driven by its OpenAPI description, for testing
//! clients over real HTTP: from Rust with [`MockServer`], from any language's test suite with the
//! `sendivent-mock` binary.
//!
//! [`MockServer::start`] listens on a free port of 127.0.0.1 and serves every operation of the
//! spec shipped with this crate (`openapi.json`, a copy of `spec/sendivent/openapi.json`):
//!
//! - **Keys per environment**: the mock plays production (`live_` keys) or the sandbox
//!   (`test_` keys, [`MockServerBuilder::environment`]); a key of the other environment, an
//!   unknown one or none → `401 UNAUTHORIZED`.
//! - **Sends**: `POST /v1/send/{event}` and `/v1/send/{event}/{channel}` with `to` as an
//!   identifier, a contact object or an array of them; recipients become contacts; one delivery
//!   per recipient and channel, or an entry in `errors` (`INTEGRATION_MISSING`,
//!   `MISSING_IDENTIFIER`, `ADDON_NOT_ENABLED`); `EVENT_NOT_FOUND`, `UNVERIFIED_SENDER`,
//!   `INVALID_EMAIL`, `INVALID_PHONE`. `X-Idempotency-Key` replays the first answer and sends
//!   nothing more.
//! - **Contacts**: upsert, read, update, delete by email, phone, UUID, external id or Slack id;
//!   unknown members kept in `meta` in camelCase; push tokens added and removed (a `DELETE` with
//!   a body); `limit`/`offset` pages and `search`.
//! - **Events, deliveries (filters, trace), integrations**, and the one **webhook endpoint**
//!   with its `whsec_` secret (`409 CONFLICT` for a second).
//! - **Errors** `{error, code}` with the documented codes; **rate limits** per environment
//!   (requests a second, sends a day) → `429 RATE_LIMITED`.
//! - **Faults** scripted per request ([`Fault`]).
//!
//! # Example
//!
//! ```
//! use sendivent_mock::MockServer;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = MockServer::start()?;
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let http = reqwest::Client::new();
//!     let sent = http
//!         .post(format!("{}/v1/send/user.welcome/email", server.url()))
//!         .bearer_auth(server.api_key())
//!         .header("X-Idempotency-Key", "welcome-1")
//!         .json(&serde_json::json!({"to": "user@example.com"}))
//!         .send()
//!         .await?;
//!     assert_eq!(sent.status(), 200);
//!     Ok::<_, reqwest::Error>(())
//! })?;
//! assert_eq!(server.sends()[0].deliveries[0].0, "email");
//! # Ok(())
//! # }
//! ```

mod api;
mod server;
mod state;

pub use sentdm_mock_engine::{Fault, FaultRule, RecordedRequest};
pub use server::{DEFAULT_LIVE_KEY, DEFAULT_TEST_KEY, MockServer, MockServerBuilder};
pub use state::{Environment, RecordedSend};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
