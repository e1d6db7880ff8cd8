//! Verifying signed deliveries.

use std::fmt;
use std::time::{Duration, SystemTime};

use sentdm_runtime::webhook;

use super::SentScheme;
use super::event::{WebhookError, WebhookEvent};
use super::headers::{WebhookHeader, WebhookHeaders};
use super::secret::{SecretError, SigningSecret};

/// How far a delivery's timestamp may be from the receiver's clock, in either direction, by
/// default: five minutes, as the docs recommend.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a delivery was refused.
///
/// Messages name the problem but never contain a secret, a computed signature or the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("the webhook delivery has no {0} header")]
    MissingHeader(WebhookHeader),
    /// `X-Webhook-ID` or `X-Webhook-Timestamp` appears more than once with differing values,
    /// so it is unclear which one was signed.
    #[error("the webhook delivery has several {0} headers that differ")]
    ConflictingHeader(WebhookHeader),
    /// `X-Webhook-ID` is empty or not UTF-8.
    #[error("the X-Webhook-ID header is empty or not UTF-8")]
    InvalidWebhookId,
    /// `X-Webhook-Timestamp` is not a whole number of seconds since the unix epoch.
    #[error("the X-Webhook-Timestamp header is not a unix timestamp in seconds")]
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance allows.
    #[error("the webhook delivery is too old (timestamp {timestamp})")]
    TooOld {
        /// The delivery's timestamp, in seconds since the unix epoch.
        timestamp: i64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error("the webhook delivery is dated in the future (timestamp {timestamp})")]
    TooNew {
        /// The delivery's timestamp, in seconds since the unix epoch.
        timestamp: i64,
    },
    /// `X-Webhook-Signature` holds no well-formed signature: it is empty, or each of its
    /// space-separated entries lacks the `version,` prefix or is a `v1` entry whose value is
    /// not the canonical (padded) standard base64 of 32 bytes.
    #[error("the X-Webhook-Signature header holds no well-formed signature")]
    MalformedSignature,
    /// No `v1` signature in `X-Webhook-Signature` matches the delivery under any of the
    /// verifier's secrets (or the header only holds other signature versions).
    #[error("no signature in the X-Webhook-Signature header matches")]
    NoMatchingSignature,
}

impl From<webhook::VerifyError> for VerifyError {
    fn from(err: webhook::VerifyError) -> Self {
        use webhook::VerifyError as E;
        match err {
            E::MissingHeader(header) => {
                VerifyError::MissingHeader(WebhookHeader::from_runtime(header))
            }
            E::ConflictingHeader(header) => {
                VerifyError::ConflictingHeader(WebhookHeader::from_runtime(header))
            }
            E::InvalidId(_) => VerifyError::InvalidWebhookId,
            E::InvalidTimestamp { .. } => VerifyError::InvalidTimestamp,
            E::TooOld { timestamp } => VerifyError::TooOld { timestamp },
            E::TooNew { timestamp } => VerifyError::TooNew { timestamp },
            E::MalformedSignature(_) => VerifyError::MalformedSignature,
            // `NoMatchingSignature`, and whatever else fails to verify.
            _ => VerifyError::NoMatchingSignature,
        }
    }
}

/// What a verified delivery's headers establish: the webhook's id and when it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Delivery {
    /// The `X-Webhook-ID` header: per the docs, the id of the webhook configuration.
    pub webhook_id: String,
    /// The `X-Webhook-Timestamp` header, in seconds since the unix epoch.
    pub timestamp: i64,
}

impl Delivery {
    /// The webhook id as a UUID, if it is one.
    pub fn webhook_uuid(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::try_parse(&self.webhook_id).ok()
    }

    /// The timestamp as a UTC date and time, if it is in `time`'s range.
    pub fn datetime(&self) -> Option<time::OffsetDateTime> {
        time::OffsetDateTime::from_unix_timestamp(self.timestamp).ok()
    }
}

impl From<webhook::Delivery> for Delivery {
    fn from(delivery: webhook::Delivery) -> Self {
        Delivery {
            // The scheme signs the id, so a verified delivery has one.
            webhook_id: delivery.id.unwrap_or_default(),
            timestamp: delivery.timestamp,
        }
    }
}

/// Checks the signature and timestamp of webhook deliveries.
///
/// A verifier holds one or more signing secrets (several while a secret is being rotated: a
/// delivery is accepted when it is signed with any of them) and a timestamp tolerance
/// ([`DEFAULT_TOLERANCE`] unless changed). Cloning is cheap; the secrets are shared.
///
/// The scheme ([`SENT`](super::SENT)) is the one the SDK pages document: `X-Webhook-Signature` holds one or more
/// space-separated `v1,<base64>` entries, each the HMAC-SHA256, keyed with the decoded secret,
/// of `{X-Webhook-ID}.{X-Webhook-Timestamp}.{raw body}` in padded standard base64. Entries of
/// other versions are ignored; the delivery is accepted when any `v1` entry matches. The tag
/// is computed once per secret and compared with each entry in constant time.
///
/// The timestamp must be decimal digits; it is checked before the signature, and a delivery
/// is refused when it is more than the tolerance before ([`VerifyError::TooOld`]) or after
/// ([`VerifyError::TooNew`]) the current time, with the bounds themselves accepted.
///
/// ```
/// use sentdm_client::webhooks::{Event, Signer, Verifier};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let secret = "whsec_a1b2c3d4e5f6g7h8i9j0"; // the webhook's `signing_secret`
/// let body = br#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"sms"}}"#;
/// let headers = Signer::new(secret)?.sign_now("d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8", body);
///
/// let verifier = Verifier::new(secret)?;
/// let event = verifier.verify_event(&headers, body)?;
/// assert_eq!(event.delivery.webhook_id, "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8");
/// match event.event {
///     Event::Message(status) => println!("{:?} is now {:?}", status.message_id, status.message_status),
///     other => println!("other event: {other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: webhook::Verifier<SentScheme>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl From<SigningSecret> for Verifier {
    fn from(secret: SigningSecret) -> Self {
        Verifier {
            inner: webhook::Verifier::from(webhook::SigningSecret::from(secret)),
        }
    }
}

impl From<webhook::Verifier<SentScheme>> for Verifier {
    fn from(inner: webhook::Verifier<SentScheme>) -> Self {
        Verifier { inner }
    }
}

impl From<Verifier> for webhook::Verifier<SentScheme> {
    fn from(verifier: Verifier) -> Self {
        verifier.inner
    }
}

impl Verifier {
    /// A verifier for one `whsec_…` secret (see [`SigningSecret`] for what is accepted).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        SigningSecret::new(secret).map(Verifier::from)
    }

    /// A verifier accepting deliveries signed with any of `secrets`, for example the old and
    /// the new one while rotating. Fails on an invalid secret or an empty list.
    pub fn from_secrets<I, S>(secrets: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(Verifier {
            inner: webhook::Verifier::from_secrets(secrets)?,
        })
    }

    /// A verifier accepting deliveries signed with any of the already-parsed `secrets`.
    pub fn from_signing_secrets(
        secrets: impl IntoIterator<Item = SigningSecret>,
    ) -> Result<Self, SecretError> {
        Ok(Verifier {
            inner: webhook::Verifier::from_signing_secrets(
                secrets.into_iter().map(webhook::SigningSecret::from),
            )?,
        })
    }

    /// A verifier for the secret in `SENT_DM_WEBHOOK_SECRET`, or in `SENT_WEBHOOK_SECRET` when
    /// the first is unset or blank. The variable may hold several secrets separated by
    /// whitespace (during a rotation).
    pub fn from_env() -> Result<Self, SecretError> {
        Ok(Verifier {
            inner: webhook::Verifier::from_env()?,
        })
    }

    /// Also accepts deliveries signed with `secret`.
    pub fn with_secret(self, secret: &str) -> Result<Self, SecretError> {
        Ok(self.with_signing_secret(SigningSecret::new(secret)?))
    }

    /// Also accepts deliveries signed with the already-parsed `secret`.
    pub fn with_signing_secret(self, secret: SigningSecret) -> Self {
        Verifier {
            inner: self.inner.with_signing_secret(secret.into()),
        }
    }

    /// Sets how far a delivery's timestamp may be from the clock, in either direction
    /// (inclusive). The default is [`DEFAULT_TOLERANCE`].
    pub fn tolerance(self, tolerance: Duration) -> Self {
        Verifier {
            inner: self.inner.tolerance(tolerance),
        }
    }

    /// Accepts deliveries whatever their timestamp (it must still be a number, and it is still
    /// covered by the signature). This gives up replay protection; meant for replaying stored
    /// deliveries and for tests.
    pub fn without_timestamp_check(self) -> Self {
        Verifier {
            inner: self.inner.without_timestamp_check(),
        }
    }

    /// The timestamp tolerance, `None` when timestamps are not checked.
    pub fn current_tolerance(&self) -> Option<Duration> {
        self.inner.current_tolerance()
    }

    /// How many secrets the verifier accepts.
    pub fn secret_count(&self) -> usize {
        self.inner.secret_count()
    }

    /// Verifies a delivery: its headers and its body exactly as received (before any JSON
    /// parsing), against the system clock.
    pub fn verify<H>(&self, headers: &H, body: &[u8]) -> Result<Delivery, VerifyError>
    where
        H: WebhookHeaders + ?Sized,
    {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// [`verify`](Self::verify) with `now` as the current time.
    pub fn verify_at<H>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Delivery, VerifyError>
    where
        H: WebhookHeaders + ?Sized,
    {
        match self.inner.verify_at(headers, body, now) {
            Ok(delivery) => Ok(delivery.into()),
            Err(err) => Err(err.into()),
        }
    }

    /// Verifies a delivery and decodes its body into a [`WebhookEvent`].
    pub fn verify_event<H>(&self, headers: &H, body: &[u8]) -> Result<WebhookEvent, WebhookError>
    where
        H: WebhookHeaders + ?Sized,
    {
        self.verify_event_at(headers, body, SystemTime::now())
    }

    /// [`verify_event`](Self::verify_event) with `now` as the current time.
    pub fn verify_event_at<H>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError>
    where
        H: WebhookHeaders + ?Sized,
    {
        let delivery = self.verify_at(headers, body, now)?;
        Ok(WebhookEvent::decode(delivery, body)?)
    }

    /// The runtime's verifier for the Sent.dm scheme.
    #[cfg(feature = "axum")]
    pub(crate) fn runtime(&self) -> &webhook::Verifier<SentScheme> {
        &self.inner
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::SENT;
    use super::*;

    #[test]
    fn the_scheme_s_tolerance() {
        assert_eq!(SENT.default_tolerance(), DEFAULT_TOLERANCE);
    }

    #[test]
    fn runtime_errors_keep_their_meaning() {
        let id = SENT.id().unwrap();
        let timestamp = SENT.timestamp();
        let signature = SENT.signature();
        for (runtime, expected) in [
            (
                webhook::VerifyError::MissingHeader(id),
                VerifyError::MissingHeader(WebhookHeader::Id),
            ),
            (
                webhook::VerifyError::MissingHeader(signature),
                VerifyError::MissingHeader(WebhookHeader::Signature),
            ),
            (
                webhook::VerifyError::ConflictingHeader(timestamp),
                VerifyError::ConflictingHeader(WebhookHeader::Timestamp),
            ),
            (
                webhook::VerifyError::InvalidId(id),
                VerifyError::InvalidWebhookId,
            ),
            (
                webhook::VerifyError::InvalidTimestamp {
                    header: timestamp,
                    unit: SENT.unit(),
                },
                VerifyError::InvalidTimestamp,
            ),
            (
                webhook::VerifyError::TooOld { timestamp: 7 },
                VerifyError::TooOld { timestamp: 7 },
            ),
            (
                webhook::VerifyError::TooNew { timestamp: 9 },
                VerifyError::TooNew { timestamp: 9 },
            ),
            (
                webhook::VerifyError::MalformedSignature(signature),
                VerifyError::MalformedSignature,
            ),
            (
                webhook::VerifyError::NoMatchingSignature(signature),
                VerifyError::NoMatchingSignature,
            ),
        ] {
            // Both name the same header the same way.
            assert_eq!(runtime.to_string(), VerifyError::from(runtime).to_string());
            assert_eq!(VerifyError::from(runtime), expected);
        }
    }
}
