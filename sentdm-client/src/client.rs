//! What the Sent.dm client adds to the generated [`Client`] and [`ClientBuilder`]: the
//! environment variables, profile scoping and the client-wide sandbox switch.

use crate::runtime::{Error, read_env};
use crate::{Client, ClientBuilder};

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "SENT_DM_API_KEY";
/// Environment variable overriding the base URL (default `https://api.sent.dm`).
pub const BASE_URL_ENV: &str = "SENT_DM_BASE_URL";

/// Header scoping a request to a child profile of an organization.
const PROFILE_HEADER: &str = "x-profile-id";
/// Request body field asking the API to validate a mutation without performing it.
const SANDBOX_FIELD: &str = "sandbox";

impl Client {
    /// A client configured from the environment: `SENT_DM_API_KEY` (required) and
    /// `SENT_DM_BASE_URL` (optional).
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
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
}

impl ClientBuilder {
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

    /// Scopes every request to a child profile of the organization (`x-profile-id`).
    /// Operations' own `profile_id` setting overrides it per request.
    pub fn profile_id(mut self, profile_id: impl Into<crate::types::ProfileId>) -> Self {
        self.runtime = self
            .runtime
            .default_header(PROFILE_HEADER, profile_id.into().to_string());
        self
    }
}
