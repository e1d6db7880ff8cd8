//! The server: its configuration and the handle tests hold.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use sentdm_mock_engine::{Fault, FaultRule, RecordedRequest, Server, lock};

use crate::api::{Shared, example_attachment, example_conversations, spec};
use crate::state::{ApiToken, RecordedMessage, Store, StoredAttachment};

/// The API token a server accepts when no other is configured: `msgapi_` and 64 hex characters,
/// with every scope, for [`DEFAULT_TENANT_ID`].
pub const DEFAULT_API_TOKEN: &str =
    "msgapi_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The tenant of the default token (`X-Tenant-ID`), as the documents' requests write it.
pub const DEFAULT_TENANT_ID: &str = "tenant-id";

/// The scopes the documented operations need: `messages:create` for `POST /messages`,
/// `attachments:create` for `POST /attachments`.
pub const SCOPES: [&str; 2] = ["messages:create", "attachments:create"];

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    tokens: Vec<ApiToken>,
    tenant_id: String,
    conversations: Vec<String>,
    seeded: bool,
    port: u16,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            tokens: Vec::new(),
            tenant_id: DEFAULT_TENANT_ID.to_owned(),
            conversations: Vec::new(),
            seeded: true,
            port: 0,
        }
    }
}

impl MockServerBuilder {
    /// Accepts this token, with every scope, for the mock's tenant. The first token added
    /// (here or with [`token`](Self::token)) replaces [`DEFAULT_API_TOKEN`]. A token that does
    /// not have the documented format (`msgapi_` and 64 hex characters) is refused all the same,
    /// with `401`, as the format says.
    #[must_use]
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        let tenant = self.tenant_id.clone();
        self.tokens.push(ApiToken {
            token: token.into(),
            tenant_id: tenant,
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        });
        self
    }

    /// Accepts this token for `tenant_id` with only these scopes (a token without
    /// `messages:create` gets `403` on `POST /messages`).
    #[must_use]
    pub fn token(
        mut self,
        token: impl Into<String>,
        tenant_id: impl Into<String>,
        scopes: &[&str],
    ) -> Self {
        self.tokens.push(ApiToken {
            token: token.into(),
            tenant_id: tenant_id.into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        });
        self
    }

    /// The mock's tenant (default [`DEFAULT_TENANT_ID`]): the tenant of
    /// [`DEFAULT_API_TOKEN`], of tokens added with [`api_token`](Self::api_token) after this
    /// call, of the docs' conversations and of [`conversation`](Self::conversation)s.
    #[must_use]
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = tenant_id.into();
        self
    }

    /// Adds a conversation of the mock's tenant that messages can be sent to.
    #[must_use]
    pub fn conversation(mut self, id: impl Into<String>) -> Self {
        self.conversations.push(id.into());
        self
    }

    /// Whether the mock starts with the docs' examples (default `true`): conversations `uuid`
    /// and `conv_xyz789`, attachment `attachment_uuid`, and the documented request bodies
    /// answered with the documented responses. With `false` it holds only the conversations
    /// given.
    #[must_use]
    pub fn seeded(mut self, seeded: bool) -> Self {
        self.seeded = seeded;
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
        let mut tokens = self.tokens;
        if tokens.is_empty() {
            tokens.push(ApiToken {
                token: DEFAULT_API_TOKEN.to_owned(),
                tenant_id: self.tenant_id.clone(),
                scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
        let mut conversations = if self.seeded {
            example_conversations(spec)
        } else {
            Vec::new()
        };
        conversations.extend(self.conversations);
        let example = if self.seeded {
            example_attachment(spec)
        } else {
            None
        };
        let initial = Store::seeded(&self.tenant_id, example.as_ref(), &conversations);
        let shared = Arc::new(Shared::new(tokens, initial, self.seeded));
        let server = Server::start(Arc::clone(&shared), self.port, "sendseven-mock")?;
        let url = format!("{}{}", server.url(), shared.base_path);
        Ok(MockServer {
            shared,
            server,
            url,
            tenant_id: self.tenant_id,
        })
    }
}

/// A mock of the SendSeven API listening on 127.0.0.1.
///
/// It serves on a thread and runtime of its own, so it works the same from synchronous tests
/// and from any async runtime. It stops when dropped or on [`shutdown`](MockServer::shutdown).
#[derive(Debug)]
pub struct MockServer {
    shared: Arc<Shared>,
    server: Server,
    url: String,
    tenant_id: String,
}

impl MockServer {
    /// Starts a server with the defaults: a free port, [`DEFAULT_API_TOKEN`] for
    /// [`DEFAULT_TENANT_ID`], the docs' examples.
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

    /// The API's base URL, `http://127.0.0.1:PORT/api/v1` (the spec's server path), without a
    /// trailing slash: the value for `SENDSEVEN_API_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The first accepted token (for `Authorization: Bearer …`).
    pub fn api_token(&self) -> String {
        lock(&self.shared.tokens)
            .first()
            .map(|t| t.token.clone())
            .unwrap_or_default()
    }

    /// The mock's tenant (for `X-Tenant-ID`).
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// Adds a conversation of the mock's tenant from now on.
    pub fn add_conversation(&self, id: impl Into<String>) {
        lock(&self.shared.store)
            .conversations
            .insert((self.tenant_id.clone(), id.into()));
    }

    /// The conversations messages can be sent to: (tenant, id).
    pub fn conversations(&self) -> Vec<(String, String)> {
        lock(&self.shared.store)
            .conversations
            .iter()
            .cloned()
            .collect()
    }

    /// The attachments held, oldest first (the docs' example first when seeded).
    pub fn attachments(&self) -> Vec<StoredAttachment> {
        lock(&self.shared.store).attachments.clone()
    }

    /// The messages accepted so far, oldest first.
    pub fn messages(&self) -> Vec<RecordedMessage> {
        lock(&self.shared.store).messages.clone()
    }

    /// The requests received so far, in the order they were answered (or dropped): the last
    /// 100 000 at least.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.all()
    }

    /// Registers a fault (see [`Fault`]); it applies once, to the next request, unless the
    /// returned rule says otherwise. `Fault::status(n)` answers `{detail, status_code: n}`.
    pub fn fault(&self, fault: Fault) -> FaultRule {
        self.shared.faults.add(fault)
    }

    /// Withdraws every registered fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Goes back to what the server started with and forgets the request log. Faults and tokens
    /// stay.
    pub fn reset(&self) {
        *lock(&self.shared.store) = self.shared.initial.clone();
        self.shared.requests.clear();
    }

    /// Stops the server and waits for its thread to end.
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}
