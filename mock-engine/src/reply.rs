//! A response about to be sent, and the ids and timestamps responses carry.

use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::format_description;

/// A response a mock is about to send.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Headers besides `Content-Type`, in order.
    pub headers: Vec<(String, String)>,
    /// `Content-Type`, when there is a body.
    pub content_type: Option<String>,
    /// The body.
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

    /// A response with these bytes and this content type.
    pub fn bytes(status: u16, content_type: &str, body: Bytes) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            content_type: Some(content_type.to_owned()),
            body,
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets a header, replacing any of the same name.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }

    /// The value of a header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// `prefix` and `n` random letters or digits (`req_` and ten: `req_A1b2C3d4E5`).
pub fn random_id(prefix: &str, n: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from(prefix);
    for _ in 0..n {
        let i = fastrand::usize(..CHARS.len());
        id.push(char::from(CHARS[i]));
    }
    id
}

/// A fresh request id, `req_` and ten letters or digits.
pub fn request_id() -> String {
    random_id("req_", 10)
}

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}

/// A fresh UUID (v4), hyphenated.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An RFC 3339 timestamp in Sent.dm's style: UTC, seven fractional digits, `+00:00`.
pub fn timestamp(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]+00:00"
    );
    t.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.0000000+00:00".to_owned())
}

/// An RFC 3339 timestamp in UTC with whole seconds and `Z` (`2026-01-13T10:30:00Z`), the style
/// of the SendSeven and Sendivent examples.
pub fn timestamp_z(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// The current time as an RFC 3339 timestamp ([`timestamp`]).
pub fn now() -> String {
    timestamp(SystemTime::now())
}

/// Unix seconds of a time.
pub fn unix(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn ids_and_times_look_like_the_docs() {
        let id = request_id();
        assert!(id.starts_with("req_") && id.len() == 14);
        assert_eq!(
            timestamp(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.0000000+00:00"
        );
        assert_eq!(timestamp_z(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert!(crate::schema::is_uuid(&new_id()));
        let hex = random_hex(32);
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn headers_are_set_once() {
        let mut reply = Reply::empty(204).with_header("X-A", "1");
        reply.set_header("x-a", "2");
        assert_eq!(reply.header("X-A"), Some("2"));
        assert_eq!(reply.headers.len(), 1);
    }
}
