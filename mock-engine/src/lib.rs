//! The engine the workspace's API mocks share (`sentdm-mock`, `sendseven-mock`,
//! `sendivent-mock`): what serving any API from its OpenAPI description takes, so that each mock
//! holds only what its API does.
//!
//! - [`spec`]: an OpenAPI 3.0 document read into operations, parameters, request bodies
//!   (JSON and multipart) and documented responses (statuses, `2XX` and `default`, examples,
//!   `x-payload-key`, `x-pagination`, `x-error-codes`), and routing of a method and path to an
//!   operation (literal segments win over parameters).
//! - [`schema`]: validation of values against the spec's schemas (types, required members,
//!   formats, patterns, lengths, ranges, item and member counts, enums, `allOf`, `oneOf` with or
//!   without a discriminator), each failure naming its field and what is wrong.
//! - [`validate`]: a request's path, query, header parameters and JSON body checked at once.
//! - [`server`] and [`pipeline`]: a loopback HTTP/1.1 server on a thread and runtime of its own
//!   that reads each body (up to a limit, beyond which it drops the connection or drains the rest),
//!   applies scripted [`Fault`]s, hands the request to the API ([`Api`]) and logs it
//!   ([`RecordedRequest`]).
//! - [`idempotency`]: responses kept per idempotency key and replayed for repeats.
//! - [`reply`]: the response being built, and ids and timestamps.
//! - [`cli`]: what the mocks' binaries share (option values, serving until Ctrl-C).
//!
//! An API plugs in by implementing [`Api`]: its error body, how it handles a routed request, and
//! the headers every response carries.

pub mod cli;
pub mod fault;
pub mod idempotency;
pub mod pipeline;
pub mod record;
pub mod reply;
pub mod schema;
pub mod server;
pub mod spec;
pub mod validate;

use std::sync::{Mutex, MutexGuard, PoisonError};

pub use fault::{Fault, FaultRegistry, FaultRule};
pub use pipeline::{Aborted, Api, BodyLimit, MockBody, Request};
pub use record::{RecordedRequest, RequestLog};
pub use reply::Reply;
pub use server::Server;
pub use spec::Spec;

/// Locks a mutex, taking the data of a poisoned one as it is (a panicking test thread must not
/// take the mock down with it).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
