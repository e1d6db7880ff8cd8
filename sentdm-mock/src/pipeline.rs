//! The path of one request: faults, routing, authentication, rate limiting, validation,
//! idempotency, the operation's behaviour, and the headers every response carries.

use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Limited};
use serde_json::{Map, Value, json};

use crate::account::{self, ApiKey, Principal};
use crate::behaviour::{self, Call, Options, Outcome};
use crate::envelope::{self, Reply, request_id};
use crate::fault::{Action, Fault, FaultBody, FaultRegistry};
use crate::ratelimit::{Group, Quota, RateLimiter};
use crate::schema::{self, FieldError, Rule};
use crate::spec::{Location, Operation, RouteMatch, Spec};
use crate::state::{RecordedRequest, Scope, Store};
use crate::webhook;

/// Largest request body the mock reads.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// How long idempotent responses are kept.
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An idempotency-cache entry.
#[derive(Debug)]
pub(crate) enum Idem {
    InFlight,
    Done {
        reply: Reply,
        request_id: String,
        at: Instant,
    },
}

/// Everything a server's requests share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub spec: &'static Spec,
    pub api_keys: Mutex<Vec<ApiKey>>,
    /// The organization of the keys added without one (the docs' examples' organization).
    pub organization: String,
    pub store: Mutex<Store>,
    /// What the store holds at the start, and again after a reset.
    pub initial: Store,
    pub limiter: Mutex<RateLimiter>,
    pub idempotency: Mutex<HashMap<(String, String), Idem>>,
    pub faults: FaultRegistry,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub http: reqwest::Client,
    pub options: Options,
    pub allow_external_webhooks: bool,
}

/// How many requests the log keeps; older ones are forgotten first.
const MAX_LOGGED_REQUESTS: usize = 100_000;

impl Shared {
    /// What an accepted API key belongs to.
    pub fn principal(&self, key: &str) -> Option<Principal> {
        if key.is_empty() {
            return None;
        }
        lock(&self.api_keys)
            .iter()
            .find(|k| k.key == key)
            .map(|k| k.principal.clone())
    }

    /// The rate-limit account of a key (the key itself when it is not accepted).
    fn account(&self, key: Option<&str>) -> String {
        let key = key.unwrap_or("");
        self.principal(key)
            .map_or_else(|| key.to_owned(), |p| p.account())
    }

    /// Appends to the request log, forgetting the oldest entries past its capacity.
    pub fn log(&self, record: RecordedRequest) {
        let mut log = lock(&self.requests);
        if log.len() >= MAX_LOGGED_REQUESTS {
            log.drain(..MAX_LOGGED_REQUESTS / 10);
        }
        log.push(record);
    }
}

/// The connection is to be dropped without a response.
#[derive(Debug)]
pub(crate) struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Aborted {}

/// A response body: whole, or cut short by a fault.
#[derive(Debug)]
pub(crate) enum MockBody {
    Full(Option<Bytes>),
    Truncated {
        part: Option<Bytes>,
        full_len: u64,
        chunked: bool,
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

use std::future::Future as _;

/// What happens after processing, as a fault asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Answer,
    Reset,
    Truncate { chunked: bool },
}

/// Handles one request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<Response<MockBody>, Aborted> {
    let started = Instant::now();
    let arrived = SystemTime::now();
    let rid = request_id();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(Aborted),
    };
    // Like a real server, finish the work even when the client goes away mid-request (a client
    // timeout): the task is detached from the connection, whose end only drops the reply.
    let received = Received {
        parts,
        body,
        method,
        path,
        query,
        rid,
        started,
        arrived,
    };
    let work = tokio::spawn(respond(shared, reset, received));
    work.await.unwrap_or(Err(Aborted))
}

/// A request as read off the connection.
struct Received {
    parts: http::request::Parts,
    body: Bytes,
    method: String,
    path: String,
    query: Option<String>,
    rid: String,
    started: Instant,
    arrived: SystemTime,
}

/// Everything after the body is read: faults, processing, recording.
async fn respond(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    received: Received,
) -> Result<Response<MockBody>, Aborted> {
    let Received {
        parts,
        body,
        method,
        path,
        query,
        rid,
        started,
        arrived,
    } = received;
    let mut record = RecordedRequest {
        request_id: rid.clone(),
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
        status: None,
        fault: None,
        at: arrived,
    };
    let spec = shared.spec;
    let route = spec.route(&method, &path);
    let template = match &route {
        RouteMatch::Found(op, _) => Some(op.template.as_str()),
        _ => None,
    };
    let group = Group::of(&method, template.unwrap_or(""));
    let fault = shared.faults.take(&method, &path, template);
    let api_key = header(&parts.headers, "x-api-key");

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
                shared.log(record);
                return Err(Aborted);
            }
            Action::Respond {
                status,
                body,
                headers,
            } => {
                let mut reply = fault_reply(spec, status, body, &rid, started);
                for (n, v) in headers {
                    reply.set_header(&n, v);
                }
                let reply = finish(
                    &shared,
                    reply,
                    None,
                    api_key.as_deref(),
                    group,
                    &rid,
                    started,
                );
                record.status = Some(reply.status);
                shared.log(record);
                return Ok(to_response(reply, After::Answer));
            }
            Action::Slow => slow = delay,
            Action::ResetAfter => after = After::Reset,
            Action::Truncate { chunked } => after = After::Truncate { chunked },
        }
    }

    let (reply, quota) = process(
        &shared,
        route,
        &path,
        &parts.headers,
        query.as_deref(),
        &body,
        api_key.as_deref(),
        &rid,
        started,
        slow,
    )
    .await;
    let reply = finish(
        &shared,
        reply,
        quota,
        api_key.as_deref(),
        group,
        &rid,
        started,
    );
    if after != After::Reset {
        record.status = Some(reply.status);
    }
    shared.log(record);
    if after == After::Reset {
        reset.store(true, Ordering::SeqCst);
        return Err(Aborted);
    }
    Ok(to_response(reply, after))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The response of a [`Action::Respond`] fault.
fn fault_reply(spec: &Spec, status: u16, body: FaultBody, rid: &str, started: Instant) -> Reply {
    match body {
        FaultBody::Envelope => {
            let code = if (200..400).contains(&status) {
                "INTERNAL_001"
            } else {
                spec.code_for_status(status).unwrap_or(if status >= 500 {
                    "INTERNAL_001"
                } else {
                    "VALIDATION_001"
                })
            };
            let message = spec.error_code(code).map_or("Error", |(_, m)| m).to_owned();
            envelope::error(status, code, &message, None, rid, started)
        }
        FaultBody::Json(v) => Reply::json(status, &v),
        FaultBody::Raw { content_type, body } => Reply {
            status,
            headers: Vec::new(),
            content_type: Some(content_type),
            body,
        },
        FaultBody::Empty => Reply::empty(status),
    }
}

/// Adds the headers every response carries.
fn finish(
    shared: &Shared,
    mut reply: Reply,
    quota: Option<Quota>,
    api_key: Option<&str>,
    group: Group,
    rid: &str,
    started: Instant,
) -> Reply {
    let quota = quota.unwrap_or_else(|| {
        let account = shared.account(api_key);
        lock(&shared.limiter).peek(&account, group)
    });
    reply.set_header("X-Request-Id", rid);
    reply.set_header("X-API-Version", "v3");
    reply.set_header(
        "X-Response-Time",
        format!("{}ms", started.elapsed().as_millis()),
    );
    reply.set_header("X-RateLimit-Limit", quota.limit.to_string());
    reply.set_header("X-RateLimit-Remaining", quota.remaining.to_string());
    reply.set_header("X-RateLimit-Reset", quota.reset.to_string());
    reply
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

/// A validation failure and where it came from.
#[derive(Debug)]
struct Failure {
    error: FieldError,
    location: Option<Location>,
    idempotency_key: bool,
}

/// The request's parameters and body, converted and checked.
#[derive(Debug, Default)]
struct Validated {
    query: Map<String, Value>,
    body: Option<Value>,
    idempotency_key: Option<String>,
}

fn validate(
    spec: &Spec,
    op: &Operation,
    path_params: &[(String, String)],
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<Validated, Vec<Failure>> {
    let mut failures = Vec::new();
    let mut out = Validated::default();
    let pairs: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    for p in &op.params {
        let values: Vec<String> = match p.location {
            Location::Path => path_params
                .iter()
                .filter(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
                .collect(),
            Location::Query => pairs
                .iter()
                .filter(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
                .collect(),
            Location::Header => headers
                .get_all(p.name.as_str())
                .iter()
                .map(|v| match v.to_str() {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned() + "\u{fffd}",
                })
                .collect(),
        };
        let idem = p.location == Location::Header && p.name.eq_ignore_ascii_case("idempotency-key");
        let mut fail = |error: FieldError| {
            failures.push(Failure {
                error,
                location: Some(p.location),
                idempotency_key: idem,
            });
        };
        let raw = match values.as_slice() {
            [] => {
                if p.required {
                    fail(FieldError {
                        field: p.name.clone(),
                        message: format!("'{}' is required", p.name),
                        rule: Rule::Required,
                    });
                }
                continue;
            }
            [one] => one,
            [..] if schema::declared_type(spec, &p.schema) != Some("array") => {
                fail(FieldError {
                    field: p.name.clone(),
                    message: format!("'{}' must be given once", p.name),
                    rule: Rule::Type,
                });
                continue;
            }
            [first, ..] => first,
        };
        let value = match schema::coerce(spec, &p.schema, raw, &p.name) {
            Ok(v) => v,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let mut errors = Vec::new();
        schema::validate(spec, &p.schema, &value, &p.name, &mut errors);
        if errors.is_empty() {
            match p.location {
                Location::Query => {
                    out.query.insert(p.name.clone(), value);
                }
                Location::Header if idem => out.idempotency_key = Some(raw.clone()),
                _ => {}
            }
        }
        errors.into_iter().for_each(&mut fail);
    }
    if let Some((required, body_schema)) = &op.body {
        let text = std::str::from_utf8(body).map(str::trim);
        match text {
            Ok("") => {
                if *required {
                    failures.push(Failure {
                        error: FieldError {
                            field: "body".into(),
                            message: "A JSON request body is required".into(),
                            rule: Rule::Required,
                        },
                        location: None,
                        idempotency_key: false,
                    });
                }
            }
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(mut value) => {
                    schema::drop_null_optionals(spec, body_schema, &mut value);
                    let mut errors = Vec::new();
                    schema::validate(spec, body_schema, &value, "", &mut errors);
                    failures.extend(errors.into_iter().map(|error| Failure {
                        error,
                        location: None,
                        idempotency_key: false,
                    }));
                    out.body = Some(value);
                }
                Err(e) => failures.push(Failure {
                    error: FieldError {
                        field: "body".into(),
                        message: format!("The request body is not valid JSON: {e}"),
                        rule: Rule::Type,
                    },
                    location: None,
                    idempotency_key: false,
                }),
            },
            Err(_) => failures.push(Failure {
                error: FieldError {
                    field: "body".into(),
                    message: "The request body is not valid UTF-8".into(),
                    rule: Rule::Type,
                },
                location: None,
                idempotency_key: false,
            }),
        }
    }
    if failures.is_empty() {
        Ok(out)
    } else {
        Err(failures)
    }
}

/// The answer to a request that failed validation, with a status the operation documents.
fn validation_reply(
    spec: &Spec,
    op: &Operation,
    failures: &[Failure],
    rid: &str,
    started: Instant,
) -> Reply {
    let mut details: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in failures {
        details
            .entry(f.error.field.clone())
            .or_default()
            .push(f.error.message.clone());
    }
    let details = json!(details);
    let all_path = failures.iter().all(|f| f.location == Some(Location::Path));
    let status = if op.documents(400) {
        400
    } else if op.documents(422) {
        422
    } else if op.documents(404) && (all_path || !op.documents(403)) {
        404
    } else if op.documents(403) {
        403
    } else {
        400
    };
    // The message names the failure when there is one, as the docs' single-failure examples do
    // ("Category must be one of: …"); several are summed up as the catalog's
    // "Request validation failed", and `details` lists each.
    let generic = spec
        .error_code("VALIDATION_001")
        .map_or("Request validation failed", |(_, m)| m);
    let summary = match failures {
        [one] => one.error.message.clone(),
        _ => generic.to_owned(),
    };
    let (code, message): (String, String) = match status {
        400 => {
            let doc = op.error_doc(400);
            if failures.iter().any(|f| f.idempotency_key) {
                let message = match failures.iter().all(|f| f.idempotency_key) {
                    true => spec
                        .error_code("VALIDATION_007")
                        .map_or("Invalid Idempotency-Key format", |(_, m)| m)
                        .to_owned(),
                    false => summary,
                };
                ("VALIDATION_007".into(), message)
            } else if let Some(doc) = doc.filter(|d| d.has_details) {
                (doc.code.clone(), summary)
            } else if let Some(doc) = doc.filter(|d| d.code == "VALIDATION_003" && all_path) {
                (doc.code.clone(), doc.message.clone())
            } else if let Some(doc) = doc.filter(|d| {
                d.code == "VALIDATION_005" && failures.iter().all(|f| f.error.rule == Rule::Range)
            }) {
                (doc.code.clone(), summary)
            } else if let Some(doc) = doc.filter(|d| all_path && d.message.contains("ID format")) {
                ("VALIDATION_001".into(), doc.message.clone())
            } else {
                ("VALIDATION_001".into(), summary)
            }
        }
        422 => ("VALIDATION_001".into(), summary),
        404 if all_path => match op.error_doc(404) {
            Some(d) => (d.code.clone(), d.message.clone()),
            None => ("NOT_FOUND".into(), "Resource not found".into()),
        },
        404 => ("RESOURCE_014".into(), "Profile not found".into()),
        _ => (
            "AUTH_004".into(),
            "You do not have access to this organization or profile".into(),
        ),
    };
    envelope::error(status, &code, &message, Some(details), rid, started)
}

fn outcome_reply(outcome: Outcome, rid: &str, started: Instant) -> Reply {
    match outcome {
        Outcome::Data { status, data } => envelope::success(status, data, rid, started),
        Outcome::NoContent => Reply::empty(204),
        Outcome::Error {
            status,
            code,
            message,
        } => envelope::error(status, &code, &message, None, rid, started),
        Outcome::Deliver(_) => envelope::error(
            500,
            "INTERNAL_001",
            "Unexpected internal server error",
            None,
            rid,
            started,
        ),
    }
}

/// Clears an in-flight idempotency entry unless the request completed.
struct InFlight<'a> {
    shared: &'a Shared,
    key: Option<(String, String)>,
}

impl InFlight<'_> {
    fn complete(mut self, reply: &Reply, rid: &str) {
        if let Some(key) = self.key.take() {
            let mut map = lock(&self.shared.idempotency);
            if (200..300).contains(&reply.status) {
                map.insert(
                    key,
                    Idem::Done {
                        reply: reply.clone(),
                        request_id: rid.to_owned(),
                        at: Instant::now(),
                    },
                );
            } else {
                map.remove(&key);
            }
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut map = lock(&self.shared.idempotency);
            if matches!(map.get(&key), Some(Idem::InFlight)) {
                map.remove(&key);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn process(
    shared: &Shared,
    route: RouteMatch<'_>,
    path: &str,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
    api_key: Option<&str>,
    rid: &str,
    started: Instant,
    slow: Option<Duration>,
) -> (Reply, Option<Quota>) {
    let spec = shared.spec;
    let (op, path_params) = match route {
        RouteMatch::Found(op, params) => (op, params),
        RouteMatch::NotFound => {
            return (
                envelope::error(
                    404,
                    "NOT_FOUND",
                    "No operation of the API matches this path",
                    None,
                    rid,
                    started,
                ),
                None,
            );
        }
        RouteMatch::MethodNotAllowed(allowed) => {
            let reply = envelope::error(
                405,
                "METHOD_NOT_ALLOWED",
                "The path does not support this method",
                None,
                rid,
                started,
            )
            .with_header("Allow", allowed.join(", "));
            return (reply, None);
        }
    };

    let mut principal = Principal::Organization(shared.organization.clone());
    if op.secured {
        let known = api_key.and_then(|k| shared.principal(k));
        match (api_key, known) {
            (None, _) => {
                let message = spec
                    .error_code("AUTH_001")
                    .map_or("User is not authenticated", |(_, m)| m);
                return (
                    envelope::error(401, "AUTH_001", message, None, rid, started),
                    None,
                );
            }
            (Some(_), None) => {
                let message = spec
                    .error_code("AUTH_002")
                    .map_or("Invalid or missing API key", |(_, m)| m);
                return (
                    envelope::error(401, "AUTH_002", message, None, rid, started),
                    None,
                );
            }
            (Some(_), Some(p)) => principal = p,
        }
    }
    let api_key = api_key.unwrap_or_default();

    // The profile the request is scoped to. Refusals with 403 are not counted against the rate
    // limit ("Authentication failures (401, 403) do not count"); others are.
    let profile_header = header(headers, "x-profile-id");
    let scoped = account::scope(
        spec,
        op,
        &lock(&shared.store),
        &principal,
        profile_header.as_deref().map(str::trim),
    );
    if let Err(refusal) = &scoped {
        if refusal.status == 403 {
            let reply = envelope::error(
                403,
                refusal.code,
                &refusal.message,
                Some(refusal.details()),
                rid,
                started,
            );
            return (reply, None);
        }
    }

    let group = Group::of(&op.method, &op.template);
    let quota = lock(&shared.limiter).hit(&principal.account(), group);
    if !quota.allowed {
        let message = spec
            .error_code("BUSINESS_002")
            .map_or("Rate limit exceeded", |(_, m)| m);
        let reply = envelope::error(429, "BUSINESS_002", message, None, rid, started)
            .with_header("Retry-After", quota.retry_after.to_string());
        return (reply, Some(quota));
    }
    let scope: Scope = match scoped {
        Ok(scope) => scope,
        Err(refusal) => {
            let reply = envelope::error(
                refusal.status,
                refusal.code,
                &refusal.message,
                Some(refusal.details()),
                rid,
                started,
            );
            return (reply, Some(quota));
        }
    };

    let validated = match validate(spec, op, &path_params, headers, query, body) {
        Ok(v) => v,
        Err(failures) => {
            return (
                validation_reply(spec, op, &failures, rid, started),
                Some(quota),
            );
        }
    };
    let sandbox = validated
        .body
        .as_ref()
        .and_then(|b| b.get("sandbox"))
        .and_then(Value::as_bool)
        == Some(true);

    let mut guard = InFlight { shared, key: None };
    if let Some(key) = validated
        .idempotency_key
        .clone()
        .filter(|_| op.idempotent())
    {
        // Keys are scoped to the API key, the profile the request acts for, and the operation
        // and path they were used on: a key reused on another endpoint is a new request there.
        let profile = scope.profile.as_deref().unwrap_or("-");
        let scoped = (format!("{api_key} {profile} {} {path}", op.method), key);
        let mut map = lock(&shared.idempotency);
        let expired = matches!(map.get(&scoped), Some(Idem::Done { at, .. }) if at.elapsed() > IDEMPOTENCY_TTL);
        if expired {
            map.remove(&scoped);
        }
        match map.get(&scoped) {
            Some(Idem::Done {
                reply, request_id, ..
            }) => {
                let mut replay = reply.clone();
                replay.set_header("Idempotent-Replayed", "true");
                replay.set_header("X-Original-Request-Id", request_id.clone());
                return (replay, Some(quota));
            }
            Some(Idem::InFlight) => {
                let message = spec
                    .error_code("CONFLICT_001")
                    .map_or("Concurrent idempotent request in progress", |(_, m)| m);
                return (
                    envelope::error(409, "CONFLICT_001", message, None, rid, started),
                    Some(quota),
                );
            }
            None => {
                map.insert(scoped.clone(), Idem::InFlight);
                guard.key = Some(scoped);
            }
        }
    }

    if let Some(d) = slow {
        tokio::time::sleep(d).await;
    }

    let call = Call {
        op,
        path_params: &path_params,
        query: &validated.query,
        body: validated.body.as_ref(),
        sandbox,
        api_key,
        scope: &scope,
        idempotency_key: validated.idempotency_key.as_deref(),
        request_id: rid,
    };
    let outcome = behaviour::handle(spec, &mut lock(&shared.store), &call, shared.options);
    let outcome = match outcome {
        Outcome::Deliver(delivery) => {
            let at = SystemTime::now();
            let result = webhook::deliver(
                &shared.http,
                &delivery,
                shared.allow_external_webhooks,
                envelope::unix(at),
            )
            .await;
            behaviour::delivered(&mut lock(&shared.store), &call, &delivery, at, result)
        }
        other => other,
    };
    let mut reply = outcome_reply(outcome, rid, started);
    if sandbox {
        reply.set_header("X-Sandbox", "true");
    }
    guard.complete(&reply, rid);
    (reply, Some(quota))
}
