//! Signing deliveries, for tests of receivers and for anything that sends deliveries of its own.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::headers::WebhookHeaders;
use super::scheme::{Scheme, SignatureFormat, TagEncoding};
use super::secret::{SecretError, SigningSecret};

/// Signs deliveries with scheme `S`, producing headers a [`Verifier`](super::Verifier) with the
/// same secret accepts.
pub struct Signer<S> {
    secret: SigningSecret<S>,
}

impl<S> Clone for Signer<S> {
    fn clone(&self) -> Self {
        Signer {
            secret: self.secret.clone(),
        }
    }
}

impl<S> fmt::Debug for Signer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret", &self.secret)
            .finish()
    }
}

impl<S: Scheme> From<SigningSecret<S>> for Signer<S> {
    fn from(secret: SigningSecret<S>) -> Self {
        Signer { secret }
    }
}

impl<S: Scheme> Signer<S> {
    /// A signer for a secret (see [`SigningSecret::new`]).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        SigningSecret::new(secret).map(Signer::from)
    }

    /// Signs `body` as sent at `timestamp` (in the scheme's unit since the unix epoch), with
    /// `id` as the delivery's id. The id header is sent when the scheme has one and `id` is
    /// given; the id is signed when the scheme signs it (an absent one as the empty string).
    pub fn sign(&self, id: Option<&str>, timestamp: i64, body: &[u8]) -> SignedHeaders {
        let scheme = &S::SCHEME;
        let timestamp = timestamp.to_string();
        let signature = self.signature(id, &timestamp, body);
        SignedHeaders {
            id: scheme
                .id()
                .zip(id)
                .map(|(header, id)| (header.name(), id.to_owned())),
            timestamp: (scheme.timestamp().name(), timestamp),
            signature: (scheme.signature().name(), signature),
        }
    }

    /// Signs `body` as sent now.
    pub fn sign_now(&self, id: Option<&str>, body: &[u8]) -> SignedHeaders {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let now = since.as_nanos() / (1_000_000_000 / S::SCHEME.unit().per_second());
        self.sign(id, i64::try_from(now).unwrap_or(i64::MAX), body)
    }

    /// The signature header's value for a delivery, with the timestamp as its header text.
    pub fn signature(&self, id: Option<&str>, timestamp: &str, body: &[u8]) -> String {
        let scheme = &S::SCHEME;
        let id = if scheme.signs_id() { id } else { None };
        let tag = self.secret.tag(
            id.unwrap_or_default().as_bytes(),
            timestamp.as_bytes(),
            body,
        );
        let mut signature = String::with_capacity(80);
        match scheme.format() {
            SignatureFormat::Versioned { version } => {
                signature.push_str(version);
                signature.push(',');
            }
            SignatureFormat::Prefixed { prefix } => signature.push_str(prefix),
        }
        match scheme.encoding() {
            TagEncoding::Base64 => STANDARD.encode_string(tag, &mut signature),
            TagEncoding::Hex => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                for byte in tag {
                    signature.push(char::from(DIGITS[usize::from(byte >> 4)]));
                    signature.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
                }
            }
        }
        signature
    }
}

/// The headers of a signed delivery: the id (when there is one), the timestamp and the
/// signature, under the names the scheme's documentation spells.
///
/// They can be verified directly (`SignedHeaders` implements [`WebhookHeaders`]) or put on a
/// request with [`to_header_map`](Self::to_header_map) or [`iter`](Self::iter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    id: Option<(&'static str, String)>,
    timestamp: (&'static str, String),
    signature: (&'static str, String),
}

impl SignedHeaders {
    /// The id header's value, if there is one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_ref().map(|(_, id)| id.as_str())
    }

    /// The timestamp header's value.
    pub fn timestamp(&self) -> &str {
        &self.timestamp.1
    }

    /// The signature header's value.
    pub fn signature(&self) -> &str {
        &self.signature.1
    }

    /// Replaces the signature header's value, for example to add a signature made with
    /// another secret or to tamper with it in a test.
    pub fn with_signature(self, signature: impl Into<String>) -> Self {
        SignedHeaders {
            signature: (self.signature.0, signature.into()),
            ..self
        }
    }

    /// `(name, value)` pairs, with the names as the documentation spells them: the id (when
    /// there is one), the timestamp, the signature.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.id
            .iter()
            .chain([&self.timestamp, &self.signature])
            .map(|(name, value)| (*name, value.as_str()))
    }

    /// The headers as a [`http::HeaderMap`]. Fails when a value is not a valid header value
    /// (control characters in the id).
    pub fn to_header_map(&self) -> Result<http::HeaderMap, http::header::InvalidHeaderValue> {
        let mut map = http::HeaderMap::with_capacity(3);
        self.insert_into(&mut map)?;
        Ok(map)
    }

    /// Adds (replacing) the headers to `map`. Fails when a value is not a valid header value
    /// (control characters in the id). Headers whose names are not valid (only possible with
    /// a scheme that is not [valid](super::SignatureScheme::is_valid)) are left out.
    pub fn insert_into(
        &self,
        map: &mut http::HeaderMap,
    ) -> Result<(), http::header::InvalidHeaderValue> {
        for (name, value) in self.iter() {
            let value = http::HeaderValue::from_str(value)?;
            if let Ok(name) = http::HeaderName::from_bytes(name.as_bytes()) {
                map.insert(name, value);
            }
        }
        Ok(())
    }
}

impl WebhookHeaders for SignedHeaders {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.iter()
            .filter(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_bytes())
            .collect()
    }
}
