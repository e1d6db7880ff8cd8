//! What the mock remembers: the application's contacts, events, integrations, deliveries,
//! webhook endpoint and sends.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

/// The environment a mock plays, which decides the keys it takes and its rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// `https://api.sendivent.com`, `live_` keys, 100 requests a second, 1 000 a day.
    #[default]
    Production,
    /// `https://api-sandbox.sendivent.com`, `test_` keys, 10 requests a second, 150 a day.
    Sandbox,
}

impl Environment {
    /// The name the spec's servers give it (`x-environment`).
    pub fn name(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
        }
    }

    /// The other environment.
    pub fn other(self) -> Environment {
        match self {
            Environment::Production => Environment::Sandbox,
            Environment::Sandbox => Environment::Production,
        }
    }
}

/// A send the mock accepted (`POST /v1/send/{event}[/{channel}]`, not a replay).
#[derive(Debug, Clone)]
pub struct RecordedSend {
    /// The event sent.
    pub event: String,
    /// The channel forced by the path, if any.
    pub channel: Option<String>,
    /// The API key that sent it.
    pub api_key: String,
    /// `X-Idempotency-Key`, when there was one.
    pub idempotency_key: Option<String>,
    /// The request body.
    pub body: Value,
    /// The deliveries created: (channel, delivery UUID).
    pub deliveries: Vec<(String, String)>,
    /// When it was accepted.
    pub at: SystemTime,
}

/// A delivery and what its trace shows.
#[derive(Debug, Clone)]
pub(crate) struct StoredDelivery {
    pub delivery: Value,
    pub contact: String,
    pub content: Value,
    pub timeline: Vec<Value>,
}

/// The webhook endpoint.
#[derive(Debug, Clone)]
pub(crate) struct StoredWebhook {
    pub webhook: Value,
    pub secret: String,
}

/// Everything the mock remembers between requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    pub contacts: Vec<Value>,
    pub events: Vec<Value>,
    pub integrations: Vec<Value>,
    /// Newest last.
    pub deliveries: Vec<StoredDelivery>,
    pub webhook: Option<StoredWebhook>,
    pub sends: Vec<RecordedSend>,
    pub verified_senders: Vec<String>,
}

impl Store {
    pub fn event(&self, identifier: &str) -> Option<&Value> {
        self.events
            .iter()
            .find(|e| e.get("identifier").and_then(Value::as_str) == Some(identifier))
    }

    /// Whether the channel has an active integration.
    pub fn integrated(&self, channel: &str) -> bool {
        self.integrations.iter().any(|i| {
            i.get("channel").and_then(Value::as_str) == Some(channel)
                && i.get("status").and_then(Value::as_str) == Some("active")
        })
    }

    pub fn add_event(&mut self, identifier: &str, name: &str, channels: &[&str]) {
        self.events
            .retain(|e| e.get("identifier").and_then(Value::as_str) != Some(identifier));
        self.events
            .push(json!({"identifier": identifier, "name": name, "channels": channels}));
    }

    pub fn add_integration(&mut self, channel: &str, provider: &str) {
        self.integrations
            .retain(|i| i.get("channel").and_then(Value::as_str) != Some(channel));
        self.integrations
            .push(json!({"channel": channel, "provider": provider, "status": "active"}));
    }
}

/// Requests a second and sends a day (`x-rate-limit` of the environment's server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub per_second: u32,
    pub daily: u32,
}

/// The application's use of its limits.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    requests: VecDeque<Instant>,
    sends: VecDeque<Instant>,
}

const SECOND: Duration = Duration::from_secs(1);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn forget_before(times: &mut VecDeque<Instant>, window: Duration) {
    while times.front().is_some_and(|t| t.elapsed() >= window) {
        times.pop_front();
    }
}

impl Usage {
    /// Counts a request; `false` when it is one too many in the last second.
    pub fn request(&mut self, limits: Limits) -> bool {
        forget_before(&mut self.requests, SECOND);
        if self.requests.len() >= limits.per_second as usize {
            return false;
        }
        self.requests.push_back(Instant::now());
        true
    }

    /// Whether a send fits in the last day's quota.
    pub fn send_allowed(&mut self, limits: Limits) -> bool {
        forget_before(&mut self.sends, DAY);
        self.sends.len() < limits.daily as usize
    }

    /// Counts a send.
    pub fn sent(&mut self) {
        self.sends.push_back(Instant::now());
    }
}
