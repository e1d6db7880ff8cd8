//! Static descriptions of an API and its operations, and the request generated code builds.

use std::fmt;

use bytes::Bytes;
use serde::Serialize;

use super::{Error, Method, RequestOptions};

/// What the runtime needs to know about an API as a whole.
///
/// Generated code emits one of these as a `static`; it is a plain struct so it can be built
/// by struct literal in constant context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDescription {
    /// Title of the API (`info.title`).
    pub title: &'static str,
    /// Version of the API document (`info.version`).
    pub version: &'static str,
    /// The API's servers (`servers`); the first is the default.
    pub servers: &'static [Server],
    /// The credentials every request carries, all of them together (one OpenAPI security
    /// requirement). The first is set with
    /// [`RuntimeBuilder::credential`](super::RuntimeBuilder::credential), any others with
    /// [`RuntimeBuilder::credential_for`](super::RuntimeBuilder::credential_for). Empty when
    /// requests are not authenticated.
    pub auth: &'static [Auth],
    /// Field names of the response envelope, when responses are wrapped in one.
    pub envelope: Option<Envelope>,
    /// Where an error body keeps its code and message.
    pub error_body: ErrorBody,
    /// Error codes the API documents as transient: a response with one of them is retried
    /// whatever its status (for example a `409` saying the same idempotent request is still
    /// being processed).
    pub transient_error_codes: &'static [&'static str],
    /// The header idempotency keys travel in, when the API documents one (such as
    /// `Idempotency-Key`); used for requests built by hand (see [`Idempotency::Api`]).
    pub idempotency_header: Option<&'static str>,
    /// Prefix of the idempotency keys the runtime generates, such as `sentdm-`.
    pub idempotency_key_prefix: &'static str,
}

impl ApiDescription {
    /// URL of the default server (the first of [`servers`](Self::servers)); empty when the
    /// description lists none.
    pub fn default_base_url(&self) -> &'static str {
        self.servers.first().map_or("", |server| server.url)
    }

    /// The server a credential belongs to, for APIs whose keys say which server they are
    /// for (see [`Server::key_prefix`]); `None` when no server's prefix matches.
    pub fn server_for_credential(&self, credential: &str) -> Option<&'static Server> {
        self.servers.iter().find(|server| {
            server
                .key_prefix
                .is_some_and(|prefix| credential.starts_with(prefix))
        })
    }
}

/// One server of an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// Base URL, such as `https://api.example.com/v1`.
    pub url: &'static str,
    /// What the server is for, such as `production` or `sandbox`.
    pub description: &'static str,
    /// Prefix of the API keys that belong to this server (such as `test_`): when the caller
    /// sets no base URL, a credential with this prefix selects this server.
    pub key_prefix: Option<&'static str>,
}

/// How one credential is attached to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
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

impl Auth {
    /// The header or query parameter the credential travels in: its name for API keys,
    /// `Authorization` for bearer and basic authentication.
    pub fn name(&self) -> &'static str {
        match self {
            Auth::ApiKeyHeader { name } | Auth::ApiKeyQuery { name } => name,
            Auth::Bearer | Auth::Basic => "Authorization",
        }
    }
}

impl fmt::Display for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::ApiKeyHeader { name } => write!(f, "an API key in the `{name}` header"),
            Auth::ApiKeyQuery { name } => write!(f, "an API key in the `{name}` query parameter"),
            Auth::Bearer => f.write_str("a bearer token"),
            Auth::Basic => f.write_str("HTTP basic authentication"),
        }
    }
}

/// Field names of a response envelope such as
/// `{"success": true, "data": {..}, "error": null, "meta": {..}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope {
    /// Field holding the payload (an operation may name another, see
    /// [`Operation::payload_key`]).
    pub data: &'static str,
    /// Field holding the error (an object with the [`ErrorBody`] members, or a message).
    pub error: Option<&'static str>,
    /// Field holding response metadata (see [`Meta`](super::Meta)).
    pub meta: Option<&'static str>,
    /// Boolean field telling whether the call succeeded.
    pub success: Option<&'static str>,
}

/// Members of an error body, such as `{"code": "NOT_FOUND", "message": "…"}` — the whole body,
/// or the envelope's error object when there is one.
///
/// The runtime reads these first, then the common alternatives (`message`, `detail`,
/// `title`; `details`, `errors`), so an undocumented shape still yields a useful error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorBody {
    /// Member with the machine-readable error code.
    pub code: Option<&'static str>,
    /// Member with the human-readable message.
    pub message: Option<&'static str>,
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
    /// The member holding this operation's payload, when it differs from the envelope's
    /// data field or the API has no envelope but wraps this payload in an object.
    pub payload_key: Option<&'static str>,
    /// Whether and where this operation's requests carry an idempotency key. With one, the
    /// runtime generates a key for each call that has none and sends it with every attempt.
    pub idempotency: Idempotency,
}

/// Whether and where an operation's requests carry an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// No key is documented.
    None,
    /// The key travels in the named header, such as `Idempotency-Key`.
    Header(&'static str),
    /// The key travels in the API's idempotency header, if it documents one
    /// ([`ApiDescription::idempotency_header`]); for requests built by hand.
    Api,
}

impl Operation {
    /// The header this operation's idempotency keys travel in, if they do.
    pub fn idempotency_header(&self, api: &ApiDescription) -> Option<&'static str> {
        match self.idempotency {
            Idempotency::None => None,
            Idempotency::Header(name) => Some(name),
            Idempotency::Api => api.idempotency_header,
        }
    }

    /// Whether sending a request of this operation twice has the effect of sending it once:
    /// its method is idempotent (`GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`), or it carries an
    /// idempotency key. Other requests are not sent again once they may have reached the
    /// server.
    pub fn is_replay_safe(&self, api: &ApiDescription) -> bool {
        self.idempotency_header(api).is_some()
            || matches!(
                self.method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
            )
    }

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

/// The body of a request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RequestBody {
    /// JSON (`Content-Type: application/json`).
    Json(JsonBody),
    /// A `multipart/form-data` form (feature `multipart`).
    #[cfg(feature = "multipart")]
    Multipart(super::upload::Multipart),
}

impl From<JsonBody> for RequestBody {
    fn from(body: JsonBody) -> RequestBody {
        RequestBody::Json(body)
    }
}

#[cfg(feature = "multipart")]
impl From<super::upload::Multipart> for RequestBody {
    fn from(form: super::upload::Multipart) -> RequestBody {
        RequestBody::Multipart(form)
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
    /// Request body.
    pub body: Option<RequestBody>,
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
