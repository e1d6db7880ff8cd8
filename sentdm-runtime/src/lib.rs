//! HTTP runtime used by the generated client.
//!
//! The generated code describes each API operation as a static [`Operation`] and turns a
//! builder into an [`OperationRequest`]; everything that touches the network lives here:
//!
//! * [`Runtime`] holds the transport (a [`reqwest::Client`]), the base URL, the credential and
//!   client-wide headers, and sends requests with [`Runtime::execute`].
//! * [`decode`] turns a status, headers and body into a typed [`Response`] or an [`Error`],
//!   unwrapping the API's response [`Envelope`] when it has one.
//! * [`validate`] holds the checks generated code runs before any network I/O.
//! * [`RetryPolicy`] says which failures are retried and how long to wait in between;
//!   [`RateLimit`] reads the rate-limit headers of a response or error, and a
//!   [`RateLimiter`] paces requests by them.
//! * [`Pages`] and [`Items`] stream page-numbered lists lazily.
//!
//! The runtime is independent of any particular API: an [`ApiDescription`] tells it the base
//! URL, the authentication scheme and the envelope field names.
//!
//! ```no_run
//! use sentdm_runtime::{ApiDescription, Auth, Envelope, Runtime};
//!
//! static API: ApiDescription = ApiDescription {
//!     title: "Example",
//!     version: "1",
//!     default_base_url: "https://api.example.com",
//!     auth: Auth::ApiKeyHeader { name: "x-api-key" },
//!     envelope: Some(Envelope { data: "data", error: "error", meta: "meta", success: "success" }),
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
mod headers;
mod id;
mod limiter;
mod options;
mod paginate;
mod rate_limit;
mod raw;
mod response;
mod retry;
mod secret;
#[doc(hidden)]
pub mod union;
#[doc(hidden)]
pub mod validate;
#[cfg(feature = "webhooks")]
pub mod webhook;

pub use self::builder::{DEFAULT_MAX_RESPONSE_BYTES, RuntimeBuilder};
pub use self::client::Runtime;
pub use self::decode::{decode, deserialize_string_enum, null_as_default};
pub use self::describe::{
    ApiDescription, Auth, Envelope, HeaderParam, JsonBody, Operation, OperationRequest,
    ResponseKind,
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

/// HTTP method of an operation (re-export of [`http::Method`]).
pub type Method = http::Method;

/// HTTP header map (re-export of [`http::HeaderMap`]).
pub type HeaderMap = http::HeaderMap;

/// HTTP status code (re-export of [`http::StatusCode`]).
pub type StatusCode = http::StatusCode;
