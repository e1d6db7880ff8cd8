//! The `{success, data, error, meta}` envelope, ids and timestamps.

use std::time::{Instant, SystemTime};

use bytes::Bytes;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

/// A response the mock is about to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: Some("application/json".to_owned()),
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        }
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: None,
            body: Bytes::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets a header, replacing any of the same name.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }
}

/// A fresh request id, `req_` and ten letters or digits.
pub(crate) fn request_id() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from("req_");
    for _ in 0..10 {
        let i = fastrand::usize(..CHARS.len());
        id.push(char::from(CHARS[i]));
    }
    id
}

/// A fresh UUID (v4), hyphenated.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An RFC 3339 timestamp in the docs' style: UTC, seven fractional digits, `+00:00`.
pub(crate) fn timestamp(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]+00:00"
    );
    t.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.0000000+00:00".to_owned())
}

/// The current time as an RFC 3339 timestamp.
pub(crate) fn now() -> String {
    timestamp(SystemTime::now())
}

/// Unix seconds of a time.
pub(crate) fn unix(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn meta(request_id: &str, started: Instant) -> Value {
    json!({
        "request_id": request_id,
        "timestamp": now(),
        "version": "v3",
        "response_time_ms": u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

/// The documentation link the docs give for an error code.
pub(crate) fn doc_url(code: &str) -> &'static str {
    if code.starts_with("AUTH_") {
        "https://docs.sent.dm/reference/api/authentication"
    } else {
        "https://docs.sent.dm/reference/api/error-catalog"
    }
}

/// A success envelope.
pub(crate) fn success(status: u16, data: Value, request_id: &str, started: Instant) -> Reply {
    Reply::json(
        status,
        &json!({
            "success": true,
            "data": data,
            "error": null,
            "meta": meta(request_id, started),
        }),
    )
}

/// An error envelope.
pub(crate) fn error(
    status: u16,
    code: &str,
    message: &str,
    details: Option<Value>,
    request_id: &str,
    started: Instant,
) -> Reply {
    Reply::json(
        status,
        &json!({
            "success": false,
            "data": null,
            "error": {
                "code": code,
                "message": message,
                "details": details,
                "doc_url": doc_url(code),
            },
            "meta": meta(request_id, started),
        }),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn ids_and_times_look_like_the_docs() {
        let id = request_id();
        assert!(id.starts_with("req_") && id.len() == 14);
        let t = timestamp(SystemTime::UNIX_EPOCH);
        assert_eq!(t, "1970-01-01T00:00:00.0000000+00:00");
        assert!(crate::schema::is_uuid(&new_id()));
    }
}
