//! The server: its configuration, its own thread and runtime, and the connections it serves.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sentdm_mock_engine::idempotency::IdempotencyCache;
use sentdm_mock_engine::{Fault, FaultRegistry, FaultRule, RecordedRequest, RequestLog, Server};

use crate::account::{ApiKey, Principal};
use crate::behaviour::Options;
use crate::pipeline::{IDEMPOTENCY_TTL, Shared, lock};
use crate::ratelimit::{AccountTier, Limits, RateLimiter};
use crate::seed;
use crate::spec::spec;
use crate::state::{RecordedSend, Store};

/// The API key a server accepts when no other is configured.
pub const DEFAULT_API_KEY: &str = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c";

/// Requests a minute the documented standard tier allows ("most API endpoints").
pub const DEFAULT_RATE_LIMIT: u32 = 200;

/// The window of the documented rate limits.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// An API key the builder was given, before the organization is known.
#[derive(Debug, Clone)]
enum KeyOf {
    /// A key of the mock's organization.
    Organization,
    /// A key of another organization.
    OtherOrganization(String),
    /// A key of a profile of the mock's organization.
    Profile(String),
}

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    api_keys: Vec<(String, KeyOf)>,
    limits: Limits,
    port: u16,
    allow_external_webhooks: bool,
    require_known_templates: bool,
    seeded: bool,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            api_keys: Vec::new(),
            limits: Limits::Documented(AccountTier::Starter),
            port: 0,
            allow_external_webhooks: false,
            require_known_templates: true,
            seeded: true,
        }
    }
}

impl MockServerBuilder {
    /// Accepts this API key, as a key of the mock's organization (the one the docs' examples
    /// belong to, [`MockServer::organization_id`]). The first key added replaces
    /// [`DEFAULT_API_KEY`]; call again to accept several. All keys of an organization share
    /// one rate-limit pool.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push((key.into(), KeyOf::Organization));
        self
    }

    /// Accepts this API key as a key of another organization, which starts with no resources.
    /// Its profiles are not the mock's organization's: naming one in `x-profile-id` with the
    /// mock's key is refused (`403 AUTH_004`), and the other way round.
    #[must_use]
    pub fn organization_api_key(
        mut self,
        key: impl Into<String>,
        organization_id: impl Into<String>,
    ) -> Self {
        self.api_keys
            .push((key.into(), KeyOf::OtherOrganization(organization_id.into())));
        self
    }

    /// Accepts this API key as the key of a profile of the mock's organization (a
    /// non-organization key): its requests see the profile's resources, and it may not use
    /// `x-profile-id` (`403 AUTH_004`). Keys of other organizations and of profiles leave
    /// [`DEFAULT_API_KEY`] in place as the organization's key unless [`api_key`](Self::api_key)
    /// gives one.
    #[must_use]
    pub fn profile_api_key(
        mut self,
        key: impl Into<String>,
        profile_id: impl Into<String>,
    ) -> Self {
        self.api_keys
            .push((key.into(), KeyOf::Profile(profile_id.into())));
        self
    }

    /// Whether the mock starts with the resources of the docs' examples (default `true`): the
    /// contacts, templates, messages, webhooks, users, profiles and campaigns the reference
    /// pages show, with the same ids and contents. With `false` it starts empty.
    #[must_use]
    pub fn seeded(mut self, seeded: bool) -> Self {
        self.seeded = seeded;
        self
    }

    /// The accounts' message-sending tier, which sets how many `POST /v3/messages` requests a
    /// minute they may make (default [`AccountTier::Starter`], 60). Other endpoints keep the
    /// documented limits: 200 a minute, 10 for the sensitive ones (secret rotation, user
    /// invitation, profile completion) and 60 for webhook tests. Replaces a
    /// [`rate_limit`](Self::rate_limit) set before.
    #[must_use]
    pub fn account_tier(mut self, tier: AccountTier) -> Self {
        self.limits = Limits::Documented(tier);
        self
    }

    /// Replaces the documented per-endpoint limits with one: `limit` requests per account in
    /// any sliding `window`, whatever the endpoint. Requests refused with 401 or 403 are not
    /// counted.
    #[must_use]
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.limits = Limits::Uniform { limit, window };
        self
    }

    /// Listens on this port of 127.0.0.1 instead of a free one.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Lets `POST /v3/webhooks/{id}/test` deliver to hosts that are not loopback addresses
    /// (off by default: the mock delivers only to 127.0.0.0/8, ::1 and `localhost`).
    #[must_use]
    pub fn allow_external_webhooks(mut self, allow: bool) -> Self {
        self.allow_external_webhooks = allow;
        self
    }

    /// Whether `POST /v3/messages` answers `404 RESOURCE_002` for a template that was not
    /// created first (default `true`, as the API does). With `false` any template id or name is
    /// accepted.
    #[must_use]
    pub fn require_known_templates(mut self, require: bool) -> Self {
        self.require_known_templates = require;
        self
    }

    /// Binds 127.0.0.1 and starts serving on a thread of its own.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the thread or its runtime cannot be started.
    pub fn start(self) -> io::Result<MockServer> {
        let spec = spec();
        let organization = seed::organization(spec);
        let mut given = self.api_keys;
        if !given
            .iter()
            .any(|(_, of)| matches!(of, KeyOf::Organization))
        {
            given.insert(0, (DEFAULT_API_KEY.to_owned(), KeyOf::Organization));
        }
        let api_keys = given
            .into_iter()
            .map(|(key, of)| {
                let principal = match of {
                    KeyOf::Organization => Principal::Organization(organization.clone()),
                    KeyOf::OtherOrganization(o) => Principal::Organization(o),
                    KeyOf::Profile(profile) => Principal::Profile {
                        organization: organization.clone(),
                        profile,
                    },
                };
                ApiKey { key, principal }
            })
            .collect();
        let initial = if self.seeded {
            seed::store(spec, &organization)
        } else {
            Store::default()
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(io::Error::other)?;
        let shared = Arc::new(Shared {
            spec,
            api_keys: Mutex::new(api_keys),
            organization,
            store: Mutex::new(initial.clone()),
            initial,
            limiter: Mutex::new(RateLimiter::new(self.limits)),
            idempotency: IdempotencyCache::new(Some(IDEMPOTENCY_TTL)),
            faults: FaultRegistry::default(),
            requests: RequestLog::default(),
            http,
            options: Options {
                require_known_templates: self.require_known_templates,
            },
            allow_external_webhooks: self.allow_external_webhooks,
        });
        let server = Server::start(Arc::clone(&shared), self.port, "sentdm-mock")?;
        Ok(MockServer { shared, server })
    }
}

/// A mock of the Sent.dm API listening on 127.0.0.1.
///
/// It serves on a thread and runtime of its own, so it works the same from synchronous tests
/// and from any async runtime. It stops when dropped or on [`shutdown`](MockServer::shutdown).
#[derive(Debug)]
pub struct MockServer {
    shared: Arc<Shared>,
    server: Server,
}

impl MockServer {
    /// Starts a server with the defaults: a free port, [`DEFAULT_API_KEY`], the docs' example
    /// resources, the documented rate limits.
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

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The first accepted API key of the mock's organization.
    pub fn api_key(&self) -> String {
        let organization = Principal::Organization(self.shared.organization.clone());
        lock(&self.shared.api_keys)
            .iter()
            .find(|k| k.principal == organization)
            .map(|k| k.key.clone())
            .unwrap_or_default()
    }

    /// Accepts one more API key of the mock's organization from now on.
    pub fn add_api_key(&self, key: impl Into<String>) {
        lock(&self.shared.api_keys).push(ApiKey {
            key: key.into(),
            principal: Principal::Organization(self.shared.organization.clone()),
        });
    }

    /// The id of the mock's organization: the `organization_id` of the profiles in the docs'
    /// examples (`550e8400-e29b-41d4-a716-446655440000`).
    pub fn organization_id(&self) -> &str {
        &self.shared.organization
    }

    /// How many resources the mock holds, per collection path template
    /// (`"/v3/contacts"`, `"/v3/profiles/{profileId}/campaigns"`, …), over all organizations
    /// and profiles.
    pub fn resource_counts(&self) -> std::collections::BTreeMap<String, usize> {
        lock(&self.shared.store).counts()
    }

    /// Registers a fault. It applies once, to the next request, unless the returned rule is
    /// narrowed or widened:
    ///
    /// ```
    /// # use sentdm_mock::{Fault, MockServer};
    /// # let server = MockServer::start().unwrap();
    /// server
    ///     .fault(Fault::status(503).html("<h1>down</h1>"))
    ///     .times(2)
    ///     .on("POST", "/v3/messages");
    /// ```
    pub fn fault(&self, fault: Fault) -> FaultRule {
        self.shared.faults.add(fault)
    }

    /// Withdraws every registered fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// The message sends accepted so far, oldest first (sandbox sends and idempotent replays
    /// are not sends).
    pub fn sends(&self) -> Vec<RecordedSend> {
        lock(&self.shared.store).sends.clone()
    }

    /// How many message sends were accepted.
    pub fn send_count(&self) -> usize {
        lock(&self.shared.store).sends.len()
    }

    /// The requests received so far, in the order they were answered (or dropped): the last
    /// 100 000 at least.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.all()
    }

    /// Goes back to the resources the server started with (the docs' examples, unless it
    /// started empty) and forgets sends, the request log, idempotency keys and rate-limit
    /// windows. Faults and API keys stay.
    pub fn reset(&self) {
        *lock(&self.shared.store) = self.shared.initial.clone();
        self.shared.requests.clear();
        self.shared.idempotency.clear();
        let mut limiter = lock(&self.shared.limiter);
        *limiter = limiter.emptied();
    }

    /// Stops the server and waits for its thread to end.
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MockServer>();
        shareable::<FaultRule>();
    }
}
