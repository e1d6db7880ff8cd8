//! Signing deliveries, for tests and for anything that sends deliveries of its own.

use std::fmt;

use sentdm_runtime::webhook;

use super::SentScheme;
use super::headers::WebhookHeaders;
use super::secret::{SecretError, SigningSecret};

/// Signs deliveries the way Sent.dm does, producing headers a [`Verifier`](super::Verifier)
/// with the same secret accepts.
///
/// ```
/// use sentdm_client::webhooks::Signer;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let signer = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let headers = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
/// assert_eq!(headers.signature(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Signer {
    inner: webhook::Signer<SentScheme>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl From<SigningSecret> for Signer {
    fn from(secret: SigningSecret) -> Self {
        Signer {
            inner: webhook::Signer::from(webhook::SigningSecret::from(secret)),
        }
    }
}

impl Signer {
    /// A signer for a `whsec_…` secret (see [`SigningSecret`] for what is accepted).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        SigningSecret::new(secret).map(Signer::from)
    }

    /// Signs `body` as sent by webhook `webhook_id` at `timestamp` (seconds since the unix
    /// epoch).
    pub fn sign(&self, webhook_id: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            inner: self.inner.sign(Some(webhook_id), timestamp, body),
        }
    }

    /// Signs `body` as sent by webhook `webhook_id` now.
    pub fn sign_now(&self, webhook_id: &str, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            inner: self.inner.sign_now(Some(webhook_id), body),
        }
    }

    /// The `X-Webhook-Signature` value (`v1,<base64>`) for a delivery, with the timestamp as
    /// its header text.
    pub fn signature(&self, webhook_id: &str, timestamp: &str, body: &[u8]) -> String {
        self.inner.signature(Some(webhook_id), timestamp, body)
    }
}

/// The three headers of a signed delivery.
///
/// They can be verified directly (`SignedHeaders` implements [`WebhookHeaders`]) or put on a
/// request with [`to_header_map`](Self::to_header_map) or [`iter`](Self::iter).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    inner: webhook::SignedHeaders,
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl SignedHeaders {
    /// The `X-Webhook-ID` value.
    pub fn webhook_id(&self) -> &str {
        // A Sent.dm signer is always given the id.
        self.inner.id().unwrap_or_default()
    }

    /// The `X-Webhook-Timestamp` value.
    pub fn timestamp(&self) -> &str {
        self.inner.timestamp()
    }

    /// The `X-Webhook-Signature` value.
    pub fn signature(&self) -> &str {
        self.inner.signature()
    }

    /// Replaces the signature header's value, for example to add a signature made with
    /// another secret (`format!("{} {}", a.signature(), b.signature())`) or to tamper with it
    /// in a test.
    pub fn with_signature(self, signature: impl Into<String>) -> Self {
        SignedHeaders {
            inner: self.inner.with_signature(signature),
        }
    }

    /// `(name, value)` pairs, with the names as the docs spell them.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.inner.iter()
    }

    /// The headers as a [`http::HeaderMap`]. Fails when the webhook id is not a valid header
    /// value (control characters).
    pub fn to_header_map(&self) -> Result<http::HeaderMap, http::header::InvalidHeaderValue> {
        self.inner.to_header_map()
    }

    /// Adds (replacing) the three headers to `map`. Fails when the webhook id is not a valid
    /// header value (control characters).
    pub fn insert_into(
        &self,
        map: &mut http::HeaderMap,
    ) -> Result<(), http::header::InvalidHeaderValue> {
        self.inner.insert_into(map)
    }
}

impl WebhookHeaders for SignedHeaders {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.inner.header_values(name)
    }
}
