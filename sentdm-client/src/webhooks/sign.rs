//! Signing deliveries, for tests and for anything that sends deliveries of its own.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::headers::{
    ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookHeader, WebhookHeaders,
};
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
    secret: SigningSecret,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret", &self.secret)
            .finish()
    }
}

impl From<SigningSecret> for Signer {
    fn from(secret: SigningSecret) -> Self {
        Signer { secret }
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
        let timestamp = timestamp.to_string();
        let signature = self.signature(webhook_id, &timestamp, body);
        SignedHeaders {
            webhook_id: webhook_id.to_owned(),
            timestamp,
            signature,
        }
    }

    /// Signs `body` as sent by webhook `webhook_id` now.
    pub fn sign_now(&self, webhook_id: &str, body: &[u8]) -> SignedHeaders {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        self.sign(webhook_id, now, body)
    }

    /// The `X-Webhook-Signature` value (`v1,<base64>`) for a delivery, with the timestamp as
    /// its header text.
    pub fn signature(&self, webhook_id: &str, timestamp: &str, body: &[u8]) -> String {
        let tag = self
            .secret
            .tag(webhook_id.as_bytes(), timestamp.as_bytes(), body);
        let mut signature = String::with_capacity(47);
        signature.push_str("v1,");
        STANDARD.encode_string(tag, &mut signature);
        signature
    }
}

/// The three headers of a signed delivery.
///
/// They can be verified directly (`SignedHeaders` implements [`WebhookHeaders`]) or put on a
/// request with [`to_header_map`](Self::to_header_map) or [`iter`](Self::iter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    webhook_id: String,
    timestamp: String,
    signature: String,
}

impl SignedHeaders {
    /// The `X-Webhook-ID` value.
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// The `X-Webhook-Timestamp` value.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The `X-Webhook-Signature` value.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Replaces the signature header's value, for example to add a signature made with
    /// another secret (`format!("{} {}", a.signature(), b.signature())`) or to tamper with it
    /// in a test.
    pub fn with_signature(self, signature: impl Into<String>) -> Self {
        SignedHeaders {
            signature: signature.into(),
            ..self
        }
    }

    /// `(name, value)` pairs, with the names as the docs spell them.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            (WebhookHeader::Id.as_str(), self.webhook_id.as_str()),
            (WebhookHeader::Timestamp.as_str(), self.timestamp.as_str()),
            (WebhookHeader::Signature.as_str(), self.signature.as_str()),
        ]
        .into_iter()
    }

    /// The headers as a [`http::HeaderMap`]. Fails when the webhook id is not a valid header
    /// value (control characters).
    pub fn to_header_map(&self) -> Result<http::HeaderMap, http::header::InvalidHeaderValue> {
        let mut map = http::HeaderMap::with_capacity(3);
        self.insert_into(&mut map)?;
        Ok(map)
    }

    /// Adds (replacing) the three headers to `map`. Fails when the webhook id is not a valid
    /// header value (control characters).
    pub fn insert_into(
        &self,
        map: &mut http::HeaderMap,
    ) -> Result<(), http::header::InvalidHeaderValue> {
        map.insert(ID_HEADER, http::HeaderValue::from_str(&self.webhook_id)?);
        map.insert(
            TIMESTAMP_HEADER,
            http::HeaderValue::from_str(&self.timestamp)?,
        );
        map.insert(
            SIGNATURE_HEADER,
            http::HeaderValue::from_str(&self.signature)?,
        );
        Ok(())
    }
}

impl WebhookHeaders for SignedHeaders {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        let value = if name.eq_ignore_ascii_case(ID_HEADER) {
            &self.webhook_id
        } else if name.eq_ignore_ascii_case(TIMESTAMP_HEADER) {
            &self.timestamp
        } else if name.eq_ignore_ascii_case(SIGNATURE_HEADER) {
            &self.signature
        } else {
            return Vec::new();
        };
        vec![value.as_bytes()]
    }
}
