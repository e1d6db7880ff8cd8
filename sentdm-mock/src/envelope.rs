//! The `{success, data, error, meta}` envelope.

use std::time::Instant;

use serde_json::{Value, json};

pub(crate) use sentdm_mock_engine::reply::{Reply, new_id, now, timestamp, unix};

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
