//! The Sent.dm API's part of a request's path: routing, authentication, profile scope, rate
//! limiting, validation, idempotency, the operation's behaviour, and the headers every response
//! carries. Faults, body reading and the request log are the engine's.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use sentdm_mock_engine::idempotency::{Begin, IdempotencyCache};
use sentdm_mock_engine::pipeline::{Api, Request};
use sentdm_mock_engine::validate::{Failure, validate};
use sentdm_mock_engine::{FaultRegistry, RequestLog};
use serde_json::{Value, json};

pub(crate) use sentdm_mock_engine::lock;

use crate::account::{self, ApiKey, Principal};
use crate::behaviour::{self, Call, Options, Outcome};
use crate::envelope::{self, Reply};
use crate::ratelimit::{Group, Quota, RateLimiter};
use crate::schema::Rule;
use crate::spec::{Location, Operation, RouteMatch, Spec};
use crate::state::{Scope, Store};
use crate::webhook;

/// How long idempotent responses are kept.
pub(crate) const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

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
    pub idempotency: IdempotencyCache,
    pub faults: FaultRegistry,
    pub requests: RequestLog,
    pub http: reqwest::Client,
    pub options: Options,
    pub allow_external_webhooks: bool,
}

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
}

impl Api for Shared {
    type Extra = Quota;

    fn spec(&self) -> &Spec {
        self.spec
    }

    fn faults(&self) -> &FaultRegistry {
        &self.faults
    }

    fn log(&self) -> &RequestLog {
        &self.requests
    }

    fn error_reply(&self, status: u16, request: &Request) -> Reply {
        fault_reply(self.spec, status, &request.request_id, request.started)
    }

    async fn process(&self, request: &Request, slow: Option<Duration>) -> (Reply, Option<Quota>) {
        process(self, request, slow).await
    }

    fn finish(&self, reply: Reply, quota: Option<Quota>, request: &Request) -> Reply {
        let template = match self.spec.route(&request.method, &request.path) {
            RouteMatch::Found(op, _) => op.template.as_str(),
            _ => "",
        };
        let group = Group::of(&request.method, template);
        let api_key = request.header("x-api-key");
        finish(
            self,
            reply,
            quota,
            api_key.as_deref(),
            group,
            &request.request_id,
            request.started,
        )
    }
}

/// The error envelope of a `Fault::status` fault.
fn fault_reply(spec: &Spec, status: u16, rid: &str, started: Instant) -> Reply {
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

async fn process(
    shared: &Shared,
    request: &Request,
    slow: Option<Duration>,
) -> (Reply, Option<Quota>) {
    let spec = shared.spec;
    let path = request.path.as_str();
    let headers = &request.headers;
    let query = request.query.as_deref();
    let body = &request.body;
    let api_key = request.header("x-api-key");
    let api_key = api_key.as_deref();
    let rid = request.request_id.as_str();
    let started = request.started;
    let (op, path_params) = match spec.route(&request.method, path) {
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
    let profile_header = request.header("x-profile-id");
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

    let mut pending = None;
    if let Some(key) = validated
        .idempotency_key
        .clone()
        .filter(|_| op.idempotent())
    {
        // Keys are scoped to the API key, the profile the request acts for, and the operation
        // and path they were used on: a key reused on another endpoint is a new request there.
        let profile = scope.profile.as_deref().unwrap_or("-");
        let scoped = format!("{api_key} {profile} {} {path}", op.method);
        match shared.idempotency.begin(scoped, key) {
            Begin::Replay {
                reply,
                original_request_id,
            } => {
                let mut replay = reply;
                replay.set_header("Idempotent-Replayed", "true");
                replay.set_header("X-Original-Request-Id", original_request_id);
                return (replay, Some(quota));
            }
            Begin::InFlight => {
                let message = spec
                    .error_code("CONFLICT_001")
                    .map_or("Concurrent idempotent request in progress", |(_, m)| m);
                return (
                    envelope::error(409, "CONFLICT_001", message, None, rid, started),
                    Some(quota),
                );
            }
            Begin::New(started_now) => pending = Some(started_now),
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
    if let Some(pending) = pending {
        pending.complete(&reply, rid);
    }
    (reply, Some(quota))
}
