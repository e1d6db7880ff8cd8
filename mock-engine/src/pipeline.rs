//! The path every request takes, whatever the API: its body is read, a scripted fault may act,
//! the API handles it, and it is logged.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::fault::{Action, Fault, FaultBody, FaultRegistry};
use crate::record::{RecordedRequest, RequestLog};
use crate::reply::Reply;
use crate::spec::{RouteMatch, Spec};

/// How much of a request body a mock reads, and what happens to a longer one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit {
    /// The most bytes kept.
    pub max: usize,
    /// Whether a longer body is read to its end (and the API answers it, seeing
    /// [`Request::oversize`]) rather than the connection dropped.
    pub drain: bool,
}

impl BodyLimit {
    /// Bodies beyond the limit drop the connection.
    pub const fn abort_over(max: usize) -> BodyLimit {
        BodyLimit { max, drain: false }
    }

    /// Bodies beyond the limit are read to their end without being kept.
    pub const fn drain_over(max: usize) -> BodyLimit {
        BodyLimit { max, drain: true }
    }
}

/// The most bytes a drained body may have before the connection is dropped all the same.
const MAX_DRAINED: u64 = 1 << 30;

/// A request as read off the connection.
#[derive(Debug)]
pub struct Request {
    /// The method, upper case.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (its first [`BodyLimit::max`] bytes when it was longer).
    pub body: Bytes,
    /// The whole body's length, when it was longer than [`BodyLimit::max`].
    pub oversize: Option<u64>,
    /// The id the mock gave the request.
    pub request_id: String,
    /// When handling started.
    pub started: Instant,
    /// When the request arrived.
    pub arrived: SystemTime,
}

impl Request {
    /// A header's value (lossily decoded), when it was given.
    pub fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }

    /// The value of `Authorization: Bearer <token>`, when the header has that form.
    pub fn bearer_token(&self) -> Option<String> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned())
    }
}

/// A header's value (lossily decoded), when it was given.
pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// One API a mock serves: what the engine needs from it.
pub trait Api: Send + Sync + 'static {
    /// What [`process`](Api::process) hands to [`finish`](Api::finish) (Sent.dm's mock: the
    /// rate-limit quota the request used).
    type Extra: Send + 'static;

    /// The spec the API is served from.
    fn spec(&self) -> &Spec;

    /// The path the spec's paths are under (`/api/v1` when the spec's server URL has it), or
    /// `""`.
    fn base_path(&self) -> &str {
        ""
    }

    /// The faults registered with the server.
    fn faults(&self) -> &FaultRegistry;

    /// The server's request log.
    fn log(&self) -> &RequestLog;

    /// How much of a request body is read (default: 8 MiB, beyond which the connection drops).
    fn body_limit(&self) -> BodyLimit {
        BodyLimit::abort_over(8 * 1024 * 1024)
    }

    /// A fresh request id (default `req_` and ten letters or digits).
    fn new_request_id(&self) -> String {
        crate::reply::request_id()
    }

    /// The API's error body for `status`, for [`Fault::status`].
    fn error_reply(&self, status: u16, request: &Request) -> Reply;

    /// Handles a request. `slow` is the delay a [`Fault::delay`] asked for, to be waited once
    /// the request counts as in flight.
    fn process<'a>(
        &'a self,
        request: &'a Request,
        slow: Option<Duration>,
    ) -> impl Future<Output = (Reply, Option<Self::Extra>)> + Send + 'a;

    /// Adds what every response carries (request ids, rate-limit headers, …); `extra` is
    /// `None` for the responses of faults.
    fn finish(&self, reply: Reply, extra: Option<Self::Extra>, request: &Request) -> Reply;
}

/// The connection is to be dropped without a response.
#[derive(Debug)]
pub struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped")
    }
}

impl std::error::Error for Aborted {}

/// A response body: whole, or cut short by a fault.
#[derive(Debug)]
pub enum MockBody {
    /// The whole body.
    Full(Option<Bytes>),
    /// Part of a body, then an error that closes the connection.
    Truncated {
        /// What is sent.
        part: Option<Bytes>,
        /// The length announced.
        full_len: u64,
        /// Whether the body is chunked rather than of a stated length.
        chunked: bool,
        /// The pause before the connection is failed.
        wait: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut *self {
            MockBody::Full(data) => Poll::Ready(
                data.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            MockBody::Truncated { part, wait, .. } => {
                if let Some(p) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(p))));
                }
                // Give the connection time to flush what was sent, then fail the body so the
                // connection closes before the rest.
                let sleep = wait
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                        "body truncated by an injected fault",
                    )))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, MockBody::Full(None))
            || matches!(self, MockBody::Full(Some(b)) if b.is_empty())
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |b| b.len() as u64))
            }
            MockBody::Truncated {
                chunked: false,
                full_len,
                ..
            } => SizeHint::with_exact(*full_len),
            MockBody::Truncated { .. } => SizeHint::default(),
        }
    }
}

/// What happens after processing, as a fault asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Answer,
    Reset,
    Truncate { chunked: bool },
}

/// Reads a body within `limit`: what was kept, and the whole length when it was longer.
async fn read_body(
    mut body: hyper::body::Incoming,
    limit: BodyLimit,
) -> Result<(Bytes, Option<u64>), Aborted> {
    let mut kept = BytesMut::new();
    let mut total: u64 = 0;
    let mut over = false;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| Aborted)?.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len() as u64);
        if !over && kept.len() + data.len() <= limit.max {
            kept.extend_from_slice(&data);
            continue;
        }
        over = true;
        if !limit.drain || total > MAX_DRAINED {
            return Err(Aborted);
        }
    }
    Ok((kept.freeze(), over.then_some(total)))
}

/// Handles one request of a connection. `reset` is set when the connection is to be closed with
/// a reset (RST) rather than the orderly close.
pub(crate) async fn handle<A: Api>(
    api: Arc<A>,
    reset: Arc<AtomicBool>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<Response<MockBody>, Aborted> {
    let started = Instant::now();
    let arrived = SystemTime::now();
    let request_id = api.new_request_id();
    let (parts, body) = req.into_parts();
    let (body, oversize) = read_body(body, api.body_limit()).await?;
    let request = Request {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        oversize,
        request_id,
        started,
        arrived,
    };
    // Like a real server, finish the work even when the client goes away mid-request (a client
    // timeout): the task is detached from the connection, whose end only drops the reply.
    let work = tokio::spawn(respond(api, reset, request));
    work.await.unwrap_or(Err(Aborted))
}

fn record_of(request: &Request) -> RecordedRequest {
    RecordedRequest {
        request_id: request.request_id.clone(),
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        headers: request
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: request.body.clone(),
        status: None,
        fault: None,
        at: request.arrived,
    }
}

/// Everything after the body is read: faults, processing, recording.
async fn respond<A: Api>(
    api: Arc<A>,
    reset: Arc<AtomicBool>,
    request: Request,
) -> Result<Response<MockBody>, Aborted> {
    let mut record = record_of(&request);
    let routed = request.path.strip_prefix(api.base_path());
    let template = match routed.map(|p| api.spec().route(&request.method, p)) {
        Some(RouteMatch::Found(op, _)) => Some(op.template.clone()),
        _ => None,
    };
    let fault = api
        .faults()
        .take(&request.method, &request.path, template.as_deref());

    let mut after = After::Answer;
    let mut slow = None;
    if let Some(Fault { action, delay }) = fault.clone() {
        record.fault = fault.as_ref().map(Fault::describe);
        if let (Some(d), false) = (delay, matches!(action, Action::Slow)) {
            tokio::time::sleep(d).await;
        }
        match action {
            Action::ResetBefore => {
                reset.store(true, Ordering::SeqCst);
                api.log().push(record);
                return Err(Aborted);
            }
            Action::Respond {
                status,
                body,
                headers,
            } => {
                let mut reply = match body {
                    FaultBody::ApiError => api.error_reply(status, &request),
                    FaultBody::Json(v) => Reply::json(status, &v),
                    FaultBody::Raw { content_type, body } => {
                        Reply::bytes(status, &content_type, body)
                    }
                    FaultBody::Empty => Reply::empty(status),
                };
                for (n, v) in headers {
                    reply.set_header(&n, v);
                }
                let reply = api.finish(reply, None, &request);
                record.status = Some(reply.status);
                api.log().push(record);
                return Ok(to_response(reply, After::Answer));
            }
            Action::Slow => slow = delay,
            Action::ResetAfter => after = After::Reset,
            Action::Truncate { chunked } => after = After::Truncate { chunked },
        }
    }

    let (reply, extra) = api.process(&request, slow).await;
    let reply = api.finish(reply, extra, &request);
    if after != After::Reset {
        record.status = Some(reply.status);
    }
    api.log().push(record);
    if after == After::Reset {
        reset.store(true, Ordering::SeqCst);
        return Err(Aborted);
    }
    Ok(to_response(reply, after))
}

fn to_response(reply: Reply, after: After) -> Response<MockBody> {
    let full_len = reply.body.len() as u64;
    let body = match after {
        After::Truncate { chunked } => {
            let half = reply.body.len() / 2;
            MockBody::Truncated {
                part: Some(reply.body.slice(..half)),
                full_len,
                chunked,
                wait: None,
            }
        }
        _ => MockBody::Full(Some(reply.body.clone())),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Some(ct) = reply
        .content_type
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        headers.insert(http::header::CONTENT_TYPE, ct);
    }
    for (name, value) in &reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    response
}
