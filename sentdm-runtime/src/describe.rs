//! Static descriptions of an API and its operations, and the request generated code builds.

use std::fmt;

use bytes::Bytes;
use serde::Serialize;

use super::{Error, Method, RequestOptions};

/// What the runtime needs to know about an API as a whole.
///
/// Generated code emits one of these as a `const`/`static`; it is a plain struct so it can be
/// built by struct literal in constant context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDescription {
    /// Title of the API (`info.title`).
    pub title: &'static str,
    /// Version of the API document (`info.version`).
    pub version: &'static str,
    /// Base URL used when the caller does not set one (`servers[0].url`).
    pub default_base_url: &'static str,
    /// How requests are authenticated.
    pub auth: Auth,
    /// Field names of the response envelope, when responses are wrapped in one.
    pub envelope: Option<Envelope>,
}

/// How the credential given to [`RuntimeBuilder::credential`](super::RuntimeBuilder::credential)
/// is attached to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Requests are not authenticated; any credential is ignored.
    None,
    /// The credential is sent as the value of the named header (for example `x-api-key`).
    ApiKeyHeader {
        /// Header name.
        name: &'static str,
    },
    /// The credential is sent as the named query parameter.
    ApiKeyQuery {
        /// Query parameter name.
        name: &'static str,
    },
    /// The credential is sent as `Authorization: Bearer <credential>`.
    Bearer,
    /// HTTP basic authentication; the credential is `username:password`
    /// (see also [`RuntimeBuilder::basic_auth`](super::RuntimeBuilder::basic_auth)).
    Basic,
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("no authentication"),
            Auth::ApiKeyHeader { name } => write!(f, "API key in the `{name}` header"),
            Auth::ApiKeyQuery { name } => write!(f, "API key in the `{name}` query parameter"),
            Auth::Bearer => f.write_str("bearer token"),
            Auth::Basic => f.write_str("HTTP basic authentication"),
        }
    }
}

/// Field names of a response envelope such as
/// `{"success": true, "data": {..}, "error": null, "meta": {..}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// Field holding the payload.
    pub data: &'static str,
    /// Field holding the error object (`code`, `message`, `details`, `doc_url`).
    pub error: &'static str,
    /// Field holding response metadata (see [`Meta`](super::Meta)).
    pub meta: &'static str,
    /// Boolean field telling whether the call succeeded.
    pub success: &'static str,
}

/// Shape of a successful response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// A JSON body (wrapped in the envelope when the API has one).
    Json,
    /// No body; the payload type is `()`.
    Empty,
}

/// Static description of one API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` from the API document.
    pub id: &'static str,
    /// Short dotted name, such as `contacts.list`.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template, such as `/v3/contacts/{id}`.
    pub path: &'static str,
    /// Documented success statuses.
    pub success: &'static [u16],
    /// Shape of the success body.
    pub response: ResponseKind,
    /// Top-level properties of the request body.
    pub body_fields: &'static [&'static str],
    /// Documented header parameters.
    pub header_params: &'static [HeaderParam],
}

impl Operation {
    /// The documented header parameter called `name` (ignoring ASCII case), if any.
    pub fn header_param(&self, name: &str) -> Option<&'static HeaderParam> {
        self.header_params
            .iter()
            .find(|param| param.name.eq_ignore_ascii_case(name))
    }
}

/// A documented header parameter of an operation and the check its value must pass.
///
/// The runtime applies the check to a value given through
/// [`RequestOptions::header`](super::RequestOptions::header), so that a parameter set that
/// way is held to the same rules as through its builder method.
#[derive(Clone, Copy)]
pub struct HeaderParam {
    /// Name as documented, such as `Idempotency-Key`.
    pub name: &'static str,
    /// Checks a value, failing with [`Error::InvalidRequest`].
    pub check: fn(&str) -> Result<(), Error>,
}

impl HeaderParam {
    /// A parameter whose values are not checked beyond being valid HTTP.
    pub const fn new(name: &'static str) -> HeaderParam {
        HeaderParam {
            name,
            check: |_| Ok(()),
        }
    }

    /// A parameter whose values must pass `check`.
    pub const fn checked(name: &'static str, check: fn(&str) -> Result<(), Error>) -> HeaderParam {
        HeaderParam { name, check }
    }
}

impl fmt::Debug for HeaderParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderParam")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A JSON request body, serialized once when the request is built.
#[derive(Clone, PartialEq, Eq)]
pub struct JsonBody(Bytes);

impl JsonBody {
    /// Serializes `value` as JSON; a value that cannot be serialized (a map with non-string
    /// keys, a failing `Serialize` impl) is an [`Error::InvalidRequest`] for `body`.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<JsonBody, Error> {
        serde_json::to_vec(value)
            .map(|bytes| JsonBody(Bytes::from(bytes)))
            .map_err(|e| {
                Error::invalid_request("body", format!("cannot be serialized as JSON: {e}"))
            })
    }

    /// The serialized JSON.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl fmt::Debug for JsonBody {
    /// The length only: bodies hold personal data such as phone numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsonBody({} bytes)", self.0.len())
    }
}

/// One call of an operation, ready to be sent by [`Runtime::execute`](super::Runtime::execute).
#[derive(Debug, Clone)]
pub struct OperationRequest {
    /// The operation being called.
    pub operation: &'static Operation,
    /// Path with parameters substituted; each substituted segment already encoded with
    /// [`encode_path_segment`](super::encode_path_segment).
    pub path: String,
    /// Query parameters, unencoded; the runtime encodes them.
    pub query: Vec<(&'static str, String)>,
    /// Header parameters the caller set.
    pub headers: Vec<(&'static str, String)>,
    /// JSON request body.
    pub body: Option<JsonBody>,
    /// Per-request overrides.
    pub options: RequestOptions,
}

impl OperationRequest {
    /// A request for `operation` at `path` with no query, headers, body or options.
    pub fn new(operation: &'static Operation, path: impl Into<String>) -> Self {
        OperationRequest {
            operation,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            options: RequestOptions::default(),
        }
    }
}
