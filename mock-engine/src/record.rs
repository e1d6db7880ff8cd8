//! The log of the requests a mock received.

use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

use crate::lock;

/// A request the mock received, with what it did about it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The request id the mock gave it (`X-Request-Id` where the API has one).
    pub request_id: String,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body as received (its first bytes only, when it was larger than the mock reads).
    pub body: Bytes,
    /// The status answered, or `None` when the connection was reset.
    pub status: Option<u16>,
    /// The injected fault, described, if one applied.
    pub fault: Option<String>,
    /// When the request arrived.
    pub at: SystemTime,
}

impl RecordedRequest {
    /// The value of a request header (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// How many requests the log keeps; older ones are forgotten first.
const MAX_LOGGED_REQUESTS: usize = 100_000;

/// The requests a server received, oldest first: the last 100 000 at least.
#[derive(Debug, Default)]
pub struct RequestLog {
    requests: Mutex<Vec<RecordedRequest>>,
}

impl RequestLog {
    /// Appends a request, forgetting the oldest entries past the log's capacity.
    pub fn push(&self, record: RecordedRequest) {
        let mut log = lock(&self.requests);
        if log.len() >= MAX_LOGGED_REQUESTS {
            log.drain(..MAX_LOGGED_REQUESTS / 10);
        }
        log.push(record);
    }

    /// A copy of the log.
    pub fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    /// Forgets every request.
    pub fn clear(&self) {
        lock(&self.requests).clear();
    }
}
