//! In-memory state: collections of resources keyed by the spec's path templates, webhook
//! secrets, template definitions and the log of sends and requests.

use std::collections::HashMap;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

/// A message send the mock accepted (`POST /v3/messages`, not in sandbox mode, not a replay).
#[derive(Debug, Clone)]
pub struct RecordedSend {
    /// `meta.request_id` of the response.
    pub request_id: String,
    /// The API key that sent it.
    pub api_key: String,
    /// The `Idempotency-Key` header, when there was one.
    pub idempotency_key: Option<String>,
    /// The request body as received.
    pub body: Value,
    /// Ids of the messages created, one per (recipient, channel) pair.
    pub message_ids: Vec<String>,
    /// When the send was accepted.
    pub at: SystemTime,
}

/// A request the mock received, with what it did about it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The request id the mock gave it (`X-Request-Id`).
    pub request_id: String,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, without `?`.
    pub query: Option<String>,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body as received.
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

/// Everything the mock remembers between requests.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Items per collection key (a path template plus its parent ids), in creation order.
    collections: HashMap<String, Vec<Value>>,
    /// Current signing secret per webhook id.
    pub secrets: HashMap<String, String>,
    /// Template request bodies (definitions) per template id.
    pub template_definitions: HashMap<String, Value>,
    pub sends: Vec<RecordedSend>,
}

/// The key of a collection: its template and the values of the template's parameters.
pub(crate) fn collection_key(template: &str, params: &[(String, String)]) -> String {
    let mut key = template.to_owned();
    for (name, value) in params {
        if template.contains(&format!("{{{name}}}")) {
            key.push('|');
            key.push_str(value);
        }
    }
    key
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

impl Store {
    pub fn items(&self, key: &str) -> &[Value] {
        self.collections.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get(&self, key: &str, id: &str) -> Option<&Value> {
        self.items(key).iter().find(|i| id_of(i) == Some(id))
    }

    pub fn get_mut(&mut self, key: &str, id: &str) -> Option<&mut Value> {
        self.collections
            .get_mut(key)?
            .iter_mut()
            .find(|i| id_of(i) == Some(id))
    }

    pub fn insert(&mut self, key: &str, item: Value) {
        self.collections
            .entry(key.to_owned())
            .or_default()
            .push(item);
    }

    pub fn remove(&mut self, key: &str, id: &str) -> Option<Value> {
        let items = self.collections.get_mut(key)?;
        let at = items.iter().position(|i| id_of(i) == Some(id))?;
        let item = items.remove(at);
        // Nested collections of the removed item go with it.
        let prefix = format!("|{id}");
        self.collections
            .retain(|k, _| !(k.starts_with(key) && k.len() > key.len() && k.ends_with(&prefix)));
        Some(item)
    }
}
