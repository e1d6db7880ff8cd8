//! The server: its configuration and the handle tests hold.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use sentdm_mock_engine::idempotency::IdempotencyCache;
use sentdm_mock_engine::{
    Fault, FaultRegistry, FaultRule, RecordedRequest, RequestLog, Server, lock,
};
use serde_json::Value;

use crate::api::{Settings, Shared, documented_limits, key_prefix, seeded_store, spec};
use crate::state::{Environment, Limits, RecordedSend, Store, Usage};

/// The key a production mock accepts when no other is configured.
pub const DEFAULT_LIVE_KEY: &str = "live_0123456789abcdef0123456789abcdef";

/// The key a sandbox mock accepts when no other is configured.
pub const DEFAULT_TEST_KEY: &str = "test_0123456789abcdef0123456789abcdef";

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    environment: Environment,
    keys: Vec<String>,
    seeded: bool,
    events: Vec<(String, String, Vec<String>)>,
    integrations: Vec<(String, String)>,
    senders: Vec<String>,
    limits: Option<Option<Limits>>,
    sms_addon: bool,
    contact_quota: Option<usize>,
    require_known_events: bool,
    port: u16,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            environment: Environment::Production,
            keys: Vec::new(),
            seeded: true,
            events: Vec::new(),
            integrations: Vec::new(),
            senders: Vec::new(),
            limits: None,
            sms_addon: true,
            contact_quota: None,
            require_known_events: true,
            port: 0,
        }
    }
}

impl MockServerBuilder {
    /// The environment the mock plays (default [`Environment::Production`]): it takes only keys
    /// with that environment's prefix (`live_`, `test_`) and has its documented rate limits.
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Accepts this key; the first one replaces the default ([`DEFAULT_LIVE_KEY`] or
    /// [`DEFAULT_TEST_KEY`]). A key without the environment's prefix is refused all the same,
    /// as the API refuses it.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Whether the mock starts with the docs' examples (default `true`): event `user.welcome`
    /// (email, slack), the `email` integration (`ses`, active), sender
    /// `billing@yourcompany.com` verified. With `false` it holds only what the builder adds.
    #[must_use]
    pub fn seeded(mut self, seeded: bool) -> Self {
        self.seeded = seeded;
        self
    }

    /// Adds (or replaces) an event that sends on these channels.
    #[must_use]
    pub fn event(mut self, identifier: &str, name: &str, channels: &[&str]) -> Self {
        self.events.push((
            identifier.to_owned(),
            name.to_owned(),
            channels.iter().map(|c| (*c).to_owned()).collect(),
        ));
        self
    }

    /// Adds (or replaces) an active integration of a channel with a provider.
    #[must_use]
    pub fn integration(mut self, channel: &str, provider: &str) -> Self {
        self.integrations
            .push((channel.to_owned(), provider.to_owned()));
        self
    }

    /// Takes this address as a verified sender (`from`).
    #[must_use]
    pub fn verified_sender(mut self, sender: impl Into<String>) -> Self {
        self.senders.push(sender.into());
        self
    }

    /// Replaces the environment's documented limits: `per_second` requests in any second and
    /// `daily_sends` sends in any 24 hours.
    #[must_use]
    pub fn rate_limits(mut self, per_second: u32, daily_sends: u32) -> Self {
        self.limits = Some(Some(Limits {
            per_second,
            daily: daily_sends,
        }));
        self
    }

    /// Enforces no rate limit.
    #[must_use]
    pub fn unlimited(mut self) -> Self {
        self.limits = Some(None);
        self
    }

    /// Whether SMS and WhatsApp are on the plan (default `true`); without, a send on them fails
    /// with `ADDON_NOT_ENABLED`.
    #[must_use]
    pub fn sms_addon(mut self, enabled: bool) -> Self {
        self.sms_addon = enabled;
        self
    }

    /// The most contacts the application may have; one more is `402 QUOTA_EXCEEDED`.
    #[must_use]
    pub fn contact_quota(mut self, contacts: usize) -> Self {
        self.contact_quota = Some(contacts);
        self
    }

    /// Whether a send to an event that does not exist is `404 EVENT_NOT_FOUND` (default
    /// `true`). With `false` such a send goes to every channel with an active integration (or
    /// the one the path forces).
    #[must_use]
    pub fn require_known_events(mut self, require: bool) -> Self {
        self.require_known_events = require;
        self
    }

    /// Listens on this port of 127.0.0.1 instead of a free one.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds 127.0.0.1 and starts serving on a thread of its own.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the thread or its runtime cannot be started.
    pub fn start(self) -> io::Result<MockServer> {
        let spec = spec();
        let mut keys = self.keys;
        if keys.is_empty() {
            keys.push(
                match self.environment {
                    Environment::Production => DEFAULT_LIVE_KEY,
                    Environment::Sandbox => DEFAULT_TEST_KEY,
                }
                .to_owned(),
            );
        }
        let mut initial = if self.seeded {
            seeded_store(spec)
        } else {
            Store::default()
        };
        for (identifier, name, channels) in &self.events {
            let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
            initial.add_event(identifier, name, &channels);
        }
        for (channel, provider) in &self.integrations {
            initial.add_integration(channel, provider);
        }
        initial.verified_senders.extend(self.senders);
        let limits = self
            .limits
            .unwrap_or_else(|| Some(documented_limits(self.environment)));
        let shared = Arc::new(Shared {
            spec,
            keys: Mutex::new(keys),
            settings: Settings {
                environment: self.environment,
                limits,
                sms_addon: self.sms_addon,
                contact_quota: self.contact_quota,
                require_known_events: self.require_known_events,
            },
            store: Mutex::new(initial.clone()),
            initial,
            usage: Mutex::new(Usage::default()),
            idempotency: IdempotencyCache::new(None),
            faults: FaultRegistry::default(),
            requests: RequestLog::default(),
        });
        let server = Server::start(Arc::clone(&shared), self.port, "sendivent-mock")?;
        Ok(MockServer { shared, server })
    }
}

/// A mock of the Sendivent API listening on 127.0.0.1.
///
/// It serves on a thread and runtime of its own, so it works the same from synchronous tests
/// and from any async runtime. It stops when dropped or on [`shutdown`](MockServer::shutdown).
#[derive(Debug)]
pub struct MockServer {
    shared: Arc<Shared>,
    server: Server,
}

impl MockServer {
    /// Starts a production mock with the defaults: a free port, [`DEFAULT_LIVE_KEY`], the docs'
    /// examples, the documented limits.
    ///
    /// # Errors
    ///
    /// When no port can be bound or the server thread cannot start.
    pub fn start() -> io::Result<MockServer> {
        MockServerBuilder::default().start()
    }

    /// Configures a server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash (the paths start with
    /// `/v1`, as under `https://api.sendivent.com`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The first accepted key (for `Authorization: Bearer …`).
    pub fn api_key(&self) -> String {
        lock(&self.shared.keys).first().cloned().unwrap_or_default()
    }

    /// The environment the mock plays.
    pub fn environment(&self) -> Environment {
        self.shared.settings.environment
    }

    /// The prefix of the keys it takes (`live_`, `test_`).
    pub fn key_prefix(&self) -> String {
        key_prefix(self.shared.settings.environment)
    }

    /// Accepts one more key from now on.
    pub fn add_api_key(&self, key: impl Into<String>) {
        lock(&self.shared.keys).push(key.into());
    }

    /// Adds (or replaces) an event from now on.
    pub fn add_event(&self, identifier: &str, name: &str, channels: &[&str]) {
        lock(&self.shared.store).add_event(identifier, name, channels);
    }

    /// Adds (or replaces) an active integration from now on.
    pub fn add_integration(&self, channel: &str, provider: &str) {
        lock(&self.shared.store).add_integration(channel, provider);
    }

    /// The identifiers of the events, in order.
    pub fn events(&self) -> Vec<String> {
        lock(&self.shared.store)
            .events
            .iter()
            .filter_map(|e| e.get("identifier").and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    }

    /// The contacts, oldest first, as the API shows them.
    pub fn contacts(&self) -> Vec<Value> {
        lock(&self.shared.store).contacts.clone()
    }

    /// The deliveries, oldest first, as the API lists them.
    pub fn deliveries(&self) -> Vec<Value> {
        lock(&self.shared.store)
            .deliveries
            .iter()
            .map(|d| d.delivery.clone())
            .collect()
    }

    /// The sends accepted so far, oldest first (idempotent replays are not sends).
    pub fn sends(&self) -> Vec<RecordedSend> {
        lock(&self.shared.store).sends.clone()
    }

    /// How many sends were accepted.
    pub fn send_count(&self) -> usize {
        lock(&self.shared.store).sends.len()
    }

    /// The signing secret of the webhook endpoint, when there is one (`whsec_…`; the API shows it
    /// only when the endpoint is created).
    pub fn webhook_secret(&self) -> Option<String> {
        lock(&self.shared.store)
            .webhook
            .as_ref()
            .map(|w| w.secret.clone())
    }

    /// The requests received so far, in the order they were answered (or dropped): the last
    /// 100 000 at least.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.all()
    }

    /// Registers a fault (see [`Fault`]); it applies once, to the next request, unless the
    /// returned rule says otherwise. `Fault::status(n)` answers `{error, code}` with the code
    /// documented for `n`.
    pub fn fault(&self, fault: Fault) -> FaultRule {
        self.shared.faults.add(fault)
    }

    /// Withdraws every registered fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Goes back to what the server started with and forgets sends, the request log,
    /// idempotency keys and rate-limit counts. Faults and keys stay.
    pub fn reset(&self) {
        *lock(&self.shared.store) = self.shared.initial.clone();
        self.shared.requests.clear();
        self.shared.idempotency.clear();
        *lock(&self.shared.usage) = Usage::default();
    }

    /// Stops the server and waits for its thread to end.
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}
