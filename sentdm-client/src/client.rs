//! Creating a [`Client`]: from the environment, from an API key, or with a [`ClientBuilder`].

use std::fmt;
use std::time::Duration;

use crate::runtime::{Error, RateLimiter, RetryPolicy, Runtime, RuntimeBuilder, Secret};
use crate::{API, Client};

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "SENT_DM_API_KEY";
/// Environment variable overriding the base URL (default `https://api.sent.dm`).
pub const BASE_URL_ENV: &str = "SENT_DM_BASE_URL";

/// Header scoping a request to a child profile of an organization.
const PROFILE_HEADER: &str = "x-profile-id";
/// Request body field asking the API to validate a mutation without performing it.
const SANDBOX_FIELD: &str = "sandbox";
const USER_AGENT: &str = concat!("sentdm-rust/", env!("CARGO_PKG_VERSION"));

impl Client {
    /// A client for the production API with the given API key and default settings.
    pub fn new(api_key: impl Into<Secret>) -> Result<Client, Error> {
        ClientBuilder::new().api_key(api_key).build()
    }

    /// A client configured from the environment: `SENT_DM_API_KEY` (required) and
    /// `SENT_DM_BASE_URL` (optional).
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client with the same configuration and connection pool whose requests are paced by
    /// `limiter`, so that they stay within the rate limit the API advertises (see
    /// [`RateLimiter`] and [`crate::bulk`]). This client is left as it is.
    pub fn with_rate_limiter(&self, limiter: RateLimiter) -> Client {
        Client::from_runtime(self.runtime().with_rate_limiter(limiter))
    }

    /// A request to any path of the API — an endpoint or member this client does not describe
    /// yet — sent with the API key, default headers, a generated `Idempotency-Key` on
    /// mutations, retries and limits, and decoded from the response envelope. See
    /// [`RawRequest`](crate::runtime::RawRequest).
    ///
    /// ```no_run
    /// # async fn run(client: sentdm_client::Client) -> Result<(), sentdm_client::Error> {
    /// use sentdm_client::runtime::Method;
    ///
    /// let me = client.request(Method::GET, "/v3/me").await?;
    /// println!("{}", me.data()["name"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(
        &self,
        method: crate::runtime::Method,
        path: impl Into<String>,
    ) -> crate::runtime::RawRequest {
        self.runtime().request(method, path)
    }

    /// A client scoped to a child profile of the organization (`x-profile-id` on every
    /// request), sharing this client's configuration, API key and connection pool. Requests can
    /// still name another profile with their own `profile_id`. This client is left as it is.
    ///
    /// ```no_run
    /// # fn run(client: sentdm_client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let profile: sentdm_client::types::ProfileId =
    ///     "770e8400-e29b-41d4-a716-446655440000".parse()?;
    /// let acme = client.with_profile(profile);
    /// # let _ = acme;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_profile(&self, profile_id: impl Into<crate::types::ProfileId>) -> Client {
        let value = profile_id.into().to_string();
        match self.runtime().with_default_header(PROFILE_HEADER, &value) {
            Ok(runtime) => Client::from_runtime(runtime),
            // A UUID is always a valid header value and `x-profile-id` an allowed name.
            Err(_) => self.clone(),
        }
    }

    /// A client whose requests use `options` as their defaults — timeout, deadline, response
    /// size limit, number of retries, extra headers — sharing this client's configuration, API
    /// key and connection pool. Each request can still override them. This client is left as
    /// it is.
    ///
    /// Fails with [`Error::Config`] for a zero timeout or deadline, or a header that cannot be
    /// sent with every request (see [`RequestOptions::header`](crate::RequestOptions::header)).
    ///
    /// ```no_run
    /// # fn run(client: sentdm_client::Client) -> Result<(), sentdm_client::Error> {
    /// use std::time::Duration;
    /// use sentdm_client::RequestOptions;
    ///
    /// let patient = client.with_options(
    ///     &RequestOptions::new().timeout(Duration::from_secs(120)).max_retries(5),
    /// )?;
    /// # let _ = patient;
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_options(&self, options: &crate::RequestOptions) -> Result<Client, Error> {
        Ok(Client::from_runtime(self.runtime().with_options(options)?))
    }
}

/// Configures a [`Client`].
///
/// ```no_run
/// # fn main() -> Result<(), sentdm_client::Error> {
/// use std::time::Duration;
///
/// let client = sentdm_client::Client::builder()
///     .api_key("your-api-key")
///     .timeout(Duration::from_secs(20))
///     .max_retries(3)
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
///
/// `Debug` output never includes the API key.
pub struct ClientBuilder {
    runtime: RuntimeBuilder,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("runtime", &self.runtime)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// Default settings: production base URL, 60 s timeout per attempt, 120 s for a whole
    /// call, 10 s connect timeout, 16 MiB response limit, 2 retries, no API key yet.
    pub fn new() -> ClientBuilder {
        ClientBuilder {
            runtime: Runtime::builder(&API).user_agent(USER_AGENT),
        }
    }

    /// Settings from the environment: `SENT_DM_API_KEY` (required) and `SENT_DM_BASE_URL`
    /// (optional). Further settings can be chained before [`build`](Self::build).
    pub fn from_env() -> Result<ClientBuilder, Error> {
        let key = read_env(API_KEY_ENV)?
            .ok_or_else(|| Error::config(format!("{API_KEY_ENV} is not set")))?;
        let mut builder = ClientBuilder::new().api_key(key);
        if let Some(url) = read_env(BASE_URL_ENV)? {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API key sent in the `x-api-key` header.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.runtime = self.runtime.credential(api_key);
        self
    }

    /// The base URL (default `https://api.sent.dm`); a loopback mock server's URL in tests.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.runtime = self.runtime.base_url(base_url);
        self
    }

    /// Timeout of each attempt of a request, from sending it to reading the whole response
    /// (default 60 s). A retry gets a fresh timeout, and an attempt that times out is retried
    /// like a connection failure. Requests can override it with
    /// [`RequestOptions::timeout`](crate::RequestOptions::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.runtime = self.runtime.timeout(timeout);
        self
    }

    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.runtime = self.runtime.connect_timeout(timeout);
        self
    }

    /// How many times a failed request is sent again (default 2; 0 disables retries).
    ///
    /// Connection failures, timeouts, `408`, `429`, `5xx` and `409 CONFLICT_001` are retried
    /// with exponential backoff, or after the wait the server asks for with `Retry-After`;
    /// every attempt carries the same `Idempotency-Key`. See [`RetryPolicy`].
    /// Requests can override it with
    /// [`RequestOptions::max_retries`](crate::RequestOptions::max_retries).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.runtime = self.runtime.max_retries(max_retries);
        self
    }

    /// The whole retry policy: number of retries, backoff delays and the longest
    /// server-requested wait honoured.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.runtime = self.runtime.retry_policy(policy);
        self
    }

    /// Sandbox mode for every mutation: sends `"sandbox": true` in the body of every operation
    /// whose body has a `sandbox` field, so the API validates the request (authentication,
    /// validation, permissions) without performing it — no message is sent, nothing is
    /// created, changed or deleted. Operations whose body is optional and was not set (the
    /// `DELETE`s) are sent `{"sandbox": true}`. Responses of sandboxed requests carry the
    /// header `X-Sandbox: true`.
    ///
    /// A request that sets `sandbox` itself keeps its own value: `.sandbox(false)` on a request
    /// builder sends that request for real even on a sandboxed client. `sandbox(false)` here
    /// turns the client-wide switch off again (the default).
    #[doc(alias = "test_mode")]
    #[doc(alias = "testMode")]
    pub fn sandbox(mut self, sandbox: bool) -> Self {
        self.runtime = if sandbox {
            self.runtime
                .body_default(SANDBOX_FIELD, serde_json::Value::Bool(true))
        } else {
            self.runtime.remove_body_default(SANDBOX_FIELD)
        };
        self
    }

    /// Paces every request by the rate limit the API advertises (`X-RateLimit-*` headers),
    /// sharing `limiter`'s budget with every client that uses it. See [`RateLimiter`] and
    /// [`crate::bulk`].
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.runtime = self.runtime.rate_limiter(limiter);
        self
    }

    /// Scopes every request to a child profile of the organization (`x-profile-id`).
    /// Operations' own `profile_id` setting overrides it per request.
    pub fn profile_id(mut self, profile_id: impl Into<crate::types::ProfileId>) -> Self {
        self.runtime = self
            .runtime
            .default_header(PROFILE_HEADER, profile_id.into().to_string());
        self
    }

    /// Builds the HTTP client from this `reqwest` builder, to set proxies, TLS roots or client
    /// certificates, pool sizes or local addresses. Redirects are never followed, whatever the
    /// builder says, so the API key cannot be carried to another host; see
    /// [`RuntimeBuilder::http_client_builder`].
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.runtime = self.runtime.http_client_builder(builder);
        self
    }

    /// Time allowed for a whole call: every attempt, the waits between them and for a
    /// [`RateLimiter`] (default 120 s). A `Retry-After` longer than the time left ends the
    /// call at once with the rate-limit error. Requests can override it with
    /// [`RequestOptions::deadline`](crate::RequestOptions::deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.runtime = self.runtime.deadline(deadline);
        self
    }

    /// Longest response body accepted, in bytes (default 16 MiB). Reading stops as soon as a
    /// body passes it, with [`Error::ResponseTooLarge`]. Requests can override it with
    /// [`RequestOptions::max_response_bytes`](crate::RequestOptions::max_response_bytes).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.runtime = self.runtime.max_response_bytes(limit);
        self
    }

    /// Accepts a plain `http` base URL to a host that is not loopback (refused by default: the
    /// API key would travel unencrypted). Loopback URLs, such as a local mock server's, need
    /// no opt-in.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.runtime = self.runtime.allow_insecure_http(allow);
        self
    }

    /// Builds the client. Fails on an invalid base URL or API key, without revealing the key.
    pub fn build(self) -> Result<Client, Error> {
        Ok(Client::from_runtime(self.runtime.build()?))
    }
}

/// An environment variable's value; `None` when unset or empty.
fn read_env(name: &str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::config(format!("{name} is not valid Unicode")))
        }
    }
}
