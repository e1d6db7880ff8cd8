//! Calls to endpoints the generated client does not describe, with everything else the
//! runtime does: authentication, idempotency keys, retries, limits and decoding.

use std::fmt;
use std::future::IntoFuture;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::describe::{
    Idempotency, JsonBody, Operation, OperationRequest, RequestBody, ResponseKind,
};
use super::{BoxFuture, Error, Method, RequestOptions, Response, Runtime};

/// One description per method a raw call may use; mutations carry the API's idempotency key
/// (generated when none is given), when it documents one, so that their retries cannot apply
/// them twice.
static RAW_GET: Operation = raw(Method::GET, Idempotency::None);
static RAW_POST: Operation = raw(Method::POST, Idempotency::Api);
static RAW_PUT: Operation = raw(Method::PUT, Idempotency::Api);
static RAW_PATCH: Operation = raw(Method::PATCH, Idempotency::Api);
static RAW_DELETE: Operation = raw(Method::DELETE, Idempotency::Api);

const fn raw(method: Method, idempotency: Idempotency) -> Operation {
    Operation {
        id: "raw",
        name: "request",
        method,
        path: "",
        success: &[],
        response: ResponseKind::Json,
        body_fields: &[],
        header_params: &[],
        payload_key: None,
        idempotency,
    }
}

fn operation(method: &Method) -> Option<&'static Operation> {
    Some(match *method {
        Method::GET => &RAW_GET,
        Method::POST => &RAW_POST,
        Method::PUT => &RAW_PUT,
        Method::PATCH => &RAW_PATCH,
        Method::DELETE => &RAW_DELETE,
        _ => return None,
    })
}

/// A request to any path of the API, built by [`Runtime::request`] (and
/// `Client::request`): the escape hatch for endpoints or members the generated client does not
/// describe yet.
///
/// It is sent like a generated call: with the credential and default headers, validated
/// headers (see [`RequestOptions::header`]), an `Idempotency-Key` on `POST`, `PUT`, `PATCH` and
/// `DELETE` (generated unless given, the same on every retry), retries, the deadline and the
/// response size limit; the success payload is decoded as `T` from the response envelope, or
/// as [`serde_json::Value`] when awaited directly. The path is used as given, so encode values
/// in it with [`encode_path_segment`](super::encode_path_segment).
///
/// ```no_run
/// # async fn run(runtime: sentdm_runtime::Runtime) -> Result<(), sentdm_runtime::Error> {
/// use sentdm_runtime::Method;
///
/// let created = runtime
///     .request(Method::POST, "/v3/templates")
///     .json(&serde_json::json!({"name": "welcome", "submit_for_review": true}))
///     .await?;
/// println!("{}", created.data());
/// # Ok(())
/// # }
/// ```
#[must_use = "a request does nothing until it is awaited or sent"]
pub struct RawRequest {
    runtime: Runtime,
    method: Method,
    path: String,
    body: Option<Result<JsonBody, Error>>,
    options: RequestOptions,
}

impl Runtime {
    /// A request to `path` (below the base URL, such as `/v3/me`) with `method`, sent with
    /// everything a generated call gets; see [`RawRequest`]. `GET`, `POST`, `PUT`, `PATCH` and
    /// `DELETE` are supported; another method fails when the request is sent.
    pub fn request(&self, method: Method, path: impl Into<String>) -> RawRequest {
        RawRequest {
            runtime: self.clone(),
            method,
            path: path.into(),
            body: None,
            options: RequestOptions::default(),
        }
    }
}

impl RawRequest {
    /// Sends `body` serialized as JSON (`Content-Type: application/json`).
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = Some(JsonBody::new(body));
        self
    }

    /// Adds a query parameter (percent-encoded when sent).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options = self.options.query(name, value);
        self
    }

    /// Adds a header; the same checks as [`RequestOptions::header`] apply.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options = self.options.header(name, value);
        self
    }

    /// Sets the `Idempotency-Key` of a mutation, instead of a generated one.
    pub fn idempotency_key(self, key: impl Into<String>) -> Self {
        self.header("Idempotency-Key", key)
    }

    /// Replaces the request's options (timeout, deadline, retries, size limit, headers and
    /// query parameters set so far).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Sends the request and decodes the success payload as `T`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] before any I/O for an unsupported method, a body that cannot
    /// be serialized, a refused header or a path the URL parser would rewrite; otherwise what
    /// [`Runtime::execute`] reports.
    pub async fn send<T: DeserializeOwned + Send + 'static>(self) -> Result<Response<T>, Error> {
        let Some(operation) = operation(&self.method) else {
            return Err(Error::invalid_request(
                "method",
                format!(
                    "{} is not supported; use GET, POST, PUT, PATCH or DELETE",
                    self.method
                ),
            ));
        };
        let body = self.body.transpose()?.map(RequestBody::Json);
        let request = OperationRequest {
            operation,
            path: self.path,
            query: Vec::new(),
            headers: Vec::new(),
            body,
            options: self.options,
        };
        self.runtime.execute(request).await
    }
}

impl IntoFuture for RawRequest {
    type Output = Result<Response<serde_json::Value>, Error>;
    type IntoFuture = BoxFuture<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl fmt::Debug for RawRequest {
    /// The method, path and options (header names only); never the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("has_body", &self.body.is_some())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
