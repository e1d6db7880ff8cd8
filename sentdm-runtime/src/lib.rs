//! HTTP runtime used by the generated client.
//!
//! The generated code describes each API operation as a static [`Operation`] and turns a
//! builder into an [`OperationRequest`]; everything that touches the network lives here:
//!
//! * [`Runtime`] holds the transport (a [`reqwest::Client`]), the base URL, the credentials and
//!   client-wide headers, and sends requests with [`Runtime::execute`].
//! * [`decode`] turns a status, headers and body into a typed [`Response`] or an [`Error`],
//!   unwrapping the API's response [`Envelope`] when it has one.
//! * [`validate`] holds the checks generated code runs before any network I/O.
//! * [`RetryPolicy`] says which failures are retried and how long to wait in between;
//!   [`RateLimit`] reads the rate-limit headers of a response or error, and a
//!   [`RateLimiter`] paces requests by them.
//! * [`Pages`] and [`Items`] stream page-numbered and offset lists lazily.
//! * With the `multipart` feature, [`Multipart`] forms upload files ([`Upload`]) after
//!   checking them against the documented [`FileRules`].
//!
//! The runtime is independent of any particular API: an [`ApiDescription`] tells it the
//! servers, the credentials requests carry, the envelope (if any), where error bodies keep
//! their code and message, and the idempotency header:
//!
//! ```no_run
//! use sentdm_runtime::{ApiDescription, Auth, Envelope, ErrorBody, Runtime, Server};
//!
//! static API: ApiDescription = ApiDescription {
//!     title: "Example",
//!     version: "1",
//!     servers: &[Server {
//!         url: "https://api.example.com",
//!         description: "production",
//!         key_prefix: None,
//!     }],
//!     auth: &[Auth::ApiKeyHeader { name: "x-api-key" }],
//!     envelope: Some(Envelope {
//!         data: "data",
//!         error: Some("error"),
//!         meta: Some("meta"),
//!         success: Some("success"),
//!     }),
//!     error_body: ErrorBody { code: Some("code"), message: Some("message") },
//!     transient_error_codes: &[],
//!     idempotency_header: Some("Idempotency-Key"),
//!     idempotency_key_prefix: "example-",
//! };
//!
//! # fn main() -> Result<(), sentdm_runtime::Error> {
//! let runtime = Runtime::builder(&API)
//!     .credential("my-api-key")
//!     .timeout(std::time::Duration::from_secs(30))
//!     .build()?;
//! # let _ = runtime;
//! # Ok(())
//! # }
//! ```

mod body;
mod builder;
mod client;
#[doc(hidden)]
pub mod comma_separated;
mod decode;
mod describe;
mod encode;
mod error;
mod exchange;
mod headers;
mod id;
mod limiter;
mod options;
mod paginate;
mod prepare;
mod rate_limit;
mod raw;
mod response;
mod retry;
mod secret;
mod state;
#[doc(hidden)]
pub mod union;
#[cfg(feature = "multipart")]
mod upload;
#[doc(hidden)]
pub mod validate;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use self::builder::{DEFAULT_MAX_RESPONSE_BYTES, RuntimeBuilder, read_env};
pub use self::client::Runtime;
pub use self::decode::{decode, deserialize_string_enum, null_as_default};
pub use self::describe::{
    ApiDescription, Auth, Envelope, ErrorBody, HeaderParam, Idempotency, JsonBody, Operation,
    OperationRequest, RequestBody, ResponseKind, Server,
};
pub use self::encode::encode_path_segment;
pub use self::error::{ApiError, BoxError, DecodeError, Error};
pub use self::id::Id;
pub use self::limiter::{RateLimiter, RateLimiterStats};
pub use self::options::RequestOptions;
pub use self::paginate::{BoxFuture, Items, Page, Pages};
pub use self::rate_limit::RateLimit;
pub use self::raw::RawRequest;
pub use self::response::{Meta, Response};
pub use self::retry::RetryPolicy;
pub use self::secret::Secret;
#[cfg(feature = "multipart")]
pub use self::upload::{FileRules, FileType, Multipart, Upload};

/// The HTTP client the runtime sends requests with, for configuring it through
/// [`RuntimeBuilder::http_client_builder`] (proxies, TLS roots, pools).
pub use reqwest;

/// HTTP method of an operation (re-export of [`http::Method`]).
pub type Method = http::Method;

/// HTTP header map (re-export of [`http::HeaderMap`]).
pub type HeaderMap = http::HeaderMap;

/// HTTP status code (re-export of [`http::StatusCode`]).
pub type StatusCode = http::StatusCode;
