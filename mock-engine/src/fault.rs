//! Scripted faults: responses, delays, dropped connections and broken bodies that a test asks
//! for, request by request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use crate::lock;

/// A fault the mock injects into a request instead of (or on top of) its normal handling.
///
/// Build one with a constructor, refine it with the builder methods, and register it with the
/// mock's `fault` method (`MockServer::fault` in each mock crate), which says how often and on
/// which requests it applies.
///
/// | Constructor | What the client sees | Request processed? |
/// |---|---|---|
/// | [`Fault::status`] | that status, with the API's error body (or [`json`](Fault::json) / [`html`](Fault::html) / [`body`](Fault::body)) | no |
/// | [`Fault::unsuccessful_envelope`] | `200` with the API's error body (`success: false` in an envelope) | no |
/// | [`Fault::invalid_json`] | `200`, `application/json`, a body that is not JSON | no |
/// | [`Fault::delay`] | the normal response, late | yes |
/// | [`Fault::reset_before_processing`] | the connection reset, no response | no |
/// | [`Fault::reset_after_processing`] | the connection reset, no response | **yes**: state changed, send recorded, idempotent response cached |
/// | [`Fault::truncated_body`] | the normal status and headers with `Content-Length`, then fewer bytes and a closed connection | yes |
/// | [`Fault::truncated_chunked_body`] | the same with a chunked body cut before its last chunk | yes |
///
/// Any fault can also wait first: [`Fault::delayed`].
#[derive(Debug, Clone)]
pub struct Fault {
    pub(crate) action: Action,
    pub(crate) delay: Option<Duration>,
}

/// What a fault does.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// Answer with this response; the request is not processed.
    Respond {
        status: u16,
        body: FaultBody,
        headers: Vec<(String, String)>,
    },
    /// Process normally after the delay.
    Slow,
    /// Drop the connection before processing.
    ResetBefore,
    /// Process, then drop the connection without answering.
    ResetAfter,
    /// Process, then send only part of the body.
    Truncate { chunked: bool },
}

/// The body of a [`Action::Respond`] fault.
#[derive(Debug, Clone)]
pub(crate) enum FaultBody {
    /// The API's error body for the status, with the documented code for it.
    ApiError,
    Json(Value),
    Raw {
        content_type: String,
        body: Bytes,
    },
    Empty,
}

impl Fault {
    /// Answers with `status` and the API's error body carrying the code documented for that
    /// status (for Sent.dm: `503` → `INTERNAL_005`, `500` → `INTERNAL_001`, `429` →
    /// `BUSINESS_002`, …; a `2xx` gets `INTERNAL_001` inside a `success: false` envelope). The
    /// request is not processed.
    pub fn status(status: u16) -> Fault {
        Fault {
            action: Action::Respond {
                status,
                body: FaultBody::ApiError,
                headers: Vec::new(),
            },
            delay: None,
        }
    }

    /// `200 OK` with the API's error body (for an envelope API, `success: false`). The request
    /// is not processed.
    pub fn unsuccessful_envelope() -> Fault {
        Fault::status(200)
    }

    /// `200 OK`, `Content-Type: application/json`, and a body that is not valid JSON. The request
    /// is not processed.
    pub fn invalid_json() -> Fault {
        Fault::status(200).body(
            "application/json",
            "{\"success\": true, \"data\": {\"id\": ",
        )
    }

    /// Waits `delay`, then handles the request normally. While it waits, an idempotent request
    /// counts as in flight: a second request with the same `Idempotency-Key` gets `409
    /// CONFLICT_001`.
    pub fn delay(delay: Duration) -> Fault {
        Fault {
            action: Action::Slow,
            delay: Some(delay),
        }
    }

    /// Resets the connection (TCP RST, no response) before the request is processed: nothing
    /// changes and no send is recorded.
    pub fn reset_before_processing() -> Fault {
        Fault {
            action: Action::ResetBefore,
            delay: None,
        }
    }

    /// Processes the request (state changes, a send is recorded, an idempotent response is
    /// cached), then resets the connection without answering.
    pub fn reset_after_processing() -> Fault {
        Fault {
            action: Action::ResetAfter,
            delay: None,
        }
    }

    /// Processes the request, then sends its status and headers with the full `Content-Length`
    /// but only half of the body, and closes the connection.
    pub fn truncated_body() -> Fault {
        Fault {
            action: Action::Truncate { chunked: false },
            delay: None,
        }
    }

    /// Processes the request, then sends its body chunked and closes the connection after the
    /// first half, before the terminating chunk.
    pub fn truncated_chunked_body() -> Fault {
        Fault {
            action: Action::Truncate { chunked: true },
            delay: None,
        }
    }

    /// Waits `delay` before the fault acts (for [`Fault::delay`] this adds to its delay).
    #[must_use]
    pub fn delayed(mut self, delay: Duration) -> Fault {
        self.delay = Some(self.delay.unwrap_or_default().saturating_add(delay));
        self
    }

    /// Uses this JSON value as the body of a [`Fault::status`] response.
    #[must_use]
    pub fn json(self, body: Value) -> Fault {
        self.with_body(FaultBody::Json(body))
    }

    /// Uses this HTML as the body of a [`Fault::status`] response (`text/html`).
    #[must_use]
    pub fn html(self, html: impl Into<String>) -> Fault {
        self.body("text/html; charset=utf-8", html.into())
    }

    /// Uses these bytes, with this content type, as the body of a [`Fault::status`] response.
    #[must_use]
    pub fn body(self, content_type: impl Into<String>, body: impl Into<Bytes>) -> Fault {
        self.with_body(FaultBody::Raw {
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    /// Sends a [`Fault::status`] response without a body.
    #[must_use]
    pub fn empty_body(self) -> Fault {
        self.with_body(FaultBody::Empty)
    }

    /// Adds a header to a [`Fault::status`] response, e.g. `Retry-After`.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Fault {
        if let Action::Respond { headers, .. } = &mut self.action {
            headers.push((name.into(), value.into()));
        }
        self
    }

    fn with_body(mut self, new: FaultBody) -> Fault {
        if let Action::Respond { body, .. } = &mut self.action {
            *body = new;
        }
        self
    }

    /// A short description for the request log.
    pub(crate) fn describe(&self) -> String {
        let what = match &self.action {
            Action::Respond { status, .. } => format!("status {status}"),
            Action::Slow => "delay".to_owned(),
            Action::ResetBefore => "reset before processing".to_owned(),
            Action::ResetAfter => "reset after processing".to_owned(),
            Action::Truncate { chunked: false } => "truncated body".to_owned(),
            Action::Truncate { chunked: true } => "truncated chunked body".to_owned(),
        };
        match self.delay {
            Some(d) if !matches!(self.action, Action::Slow) => format!("{what} after {d:?}"),
            Some(d) => format!("{what} of {d:?}"),
            None => what,
        }
    }
}

#[derive(Debug)]
struct RuleInner {
    remaining: Option<usize>,
    method: Option<String>,
    path: Option<String>,
    triggered: usize,
    cancelled: bool,
}

#[derive(Debug)]
struct RuleState {
    fault: Fault,
    inner: Mutex<RuleInner>,
}

/// A registered fault: by default it applies once, to the next request of any route. Narrow it
/// with [`on`](FaultRule::on), widen it with [`times`](FaultRule::times) or
/// [`always`](FaultRule::always). Changes take effect at once; dropping the handle keeps the
/// rule.
///
/// Rules are consulted in the order they were registered; the first one that matches a request
/// and is not used up applies, and counts one use.
#[derive(Debug, Clone)]
pub struct FaultRule {
    rule: Arc<RuleState>,
}

impl FaultRule {
    /// Applies the fault to the next `n` matching requests (`0` disables it).
    pub fn times(self, n: usize) -> FaultRule {
        lock(&self.rule.inner).remaining = Some(n);
        self
    }

    /// Applies the fault to every matching request until [`cancel`](FaultRule::cancel)led.
    pub fn always(self) -> FaultRule {
        lock(&self.rule.inner).remaining = None;
        self
    }

    /// Limits the fault to requests with this method (`"*"` for any) and path. The path is
    /// either the request path (`/v3/contacts/6ba7…`) or a template of the spec
    /// (`/v3/contacts/{id}`), without the query; `"*"` matches any path.
    pub fn on(self, method: &str, path: &str) -> FaultRule {
        {
            let mut inner = lock(&self.rule.inner);
            inner.method = (method != "*").then(|| method.to_ascii_uppercase());
            let path = path.split('?').next().unwrap_or(path);
            inner.path = (path != "*").then(|| path.to_owned());
        }
        self
    }

    /// How many requests the fault has been applied to.
    pub fn triggered(&self) -> usize {
        lock(&self.rule.inner).triggered
    }

    /// Whether the fault will apply to no more requests.
    pub fn is_exhausted(&self) -> bool {
        let inner = lock(&self.rule.inner);
        inner.cancelled || inner.remaining == Some(0)
    }

    /// Withdraws the fault.
    pub fn cancel(&self) {
        lock(&self.rule.inner).cancelled = true;
    }
}

/// The faults registered with a server.
#[derive(Debug, Default)]
pub struct FaultRegistry {
    rules: Mutex<Vec<Arc<RuleState>>>,
}

impl FaultRegistry {
    /// Registers a fault that applies once, to the next request of any route.
    pub fn add(&self, fault: Fault) -> FaultRule {
        let rule = Arc::new(RuleState {
            fault,
            inner: Mutex::new(RuleInner {
                remaining: Some(1),
                method: None,
                path: None,
                triggered: 0,
                cancelled: false,
            }),
        });
        lock(&self.rules).push(Arc::clone(&rule));
        FaultRule { rule }
    }

    /// Withdraws every registered fault.
    pub fn clear(&self) {
        let mut rules = lock(&self.rules);
        for r in rules.iter() {
            lock(&r.inner).cancelled = true;
        }
        rules.clear();
    }

    /// Takes one use of the first rule matching the request.
    pub(crate) fn take(&self, method: &str, path: &str, template: Option<&str>) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        rules.retain(|r| {
            let inner = lock(&r.inner);
            !inner.cancelled && inner.remaining != Some(0)
        });
        for r in rules.iter() {
            let mut inner = lock(&r.inner);
            let method_ok = inner.method.as_deref().is_none_or(|m| m == method);
            let path_ok = inner
                .path
                .as_deref()
                .is_none_or(|p| p == path || Some(p) == template);
            if method_ok && path_ok {
                if let Some(n) = inner.remaining.as_mut() {
                    *n -= 1;
                }
                inner.triggered += 1;
                return Some(r.fault.clone());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn rules_are_consumed_in_order() {
        let reg = FaultRegistry::default();
        let a = reg
            .add(Fault::status(503))
            .times(2)
            .on("POST", "/v3/messages");
        let b = reg.add(Fault::status(500));
        assert!(reg.take("GET", "/v3/contacts", None).is_some());
        assert_eq!(b.triggered(), 1);
        assert!(reg.take("GET", "/v3/contacts", None).is_none());
        assert!(
            reg.take("POST", "/v3/messages", Some("/v3/messages"))
                .is_some()
        );
        assert!(reg.take("post", "/v3/messages", None).is_none());
        assert!(reg.take("POST", "/v3/messages", None).is_some());
        assert!(a.is_exhausted());
        assert!(reg.take("POST", "/v3/messages", None).is_none());
    }

    #[test]
    fn templates_match() {
        let reg = FaultRegistry::default();
        let r = reg
            .add(Fault::reset_before_processing())
            .always()
            .on("*", "/v3/contacts/{id}");
        assert!(
            reg.take("GET", "/v3/contacts/x", Some("/v3/contacts/{id}"))
                .is_some()
        );
        assert!(
            reg.take("DELETE", "/v3/contacts/y", Some("/v3/contacts/{id}"))
                .is_some()
        );
        assert_eq!(r.triggered(), 2);
        r.cancel();
        assert!(
            reg.take("GET", "/v3/contacts/x", Some("/v3/contacts/{id}"))
                .is_none()
        );
    }
}
