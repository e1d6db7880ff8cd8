//! Verifying signed deliveries.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

use super::event::{WebhookError, WebhookEvent};
use super::headers::{WebhookHeader, WebhookHeaders};
use super::secret::{SecretError, SigningSecret, secrets_from_env_with};

/// How far a delivery's timestamp may be from the receiver's clock, in either direction, by
/// default: five minutes, as the docs recommend.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The signature version this crate produces and checks.
const VERSION: &[u8] = b"v1";
/// Longest base64 text considered for a 32-byte tag (44 characters padded; anything much
/// longer cannot be one).
const MAX_SIGNATURE_TEXT: usize = 64;
/// Decoded signatures kept from the first pass over the header; more are decoded again for
/// each secret.
const KEPT_CANDIDATES: usize = 4;

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

/// Checks the signature and timestamp of webhook deliveries.
///
/// A verifier holds one or more signing secrets (several while a secret is being rotated: a
/// delivery is accepted when it is signed with any of them) and a timestamp tolerance
/// ([`DEFAULT_TOLERANCE`] unless changed). Cloning is cheap; the secrets are shared.
///
/// The scheme is the one the SDK pages document: `X-Webhook-Signature` holds one or more
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
    secrets: Arc<[SigningSecret]>,
    tolerance: Option<Duration>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.secrets)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl From<SigningSecret> for Verifier {
    fn from(secret: SigningSecret) -> Self {
        Verifier {
            secrets: Arc::from([secret]),
            tolerance: Some(DEFAULT_TOLERANCE),
        }
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
        let secrets = secrets
            .into_iter()
            .map(|secret| SigningSecret::new(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_signing_secrets(secrets)
    }

    /// A verifier accepting deliveries signed with any of the already-parsed `secrets`.
    pub fn from_signing_secrets(
        secrets: impl IntoIterator<Item = SigningSecret>,
    ) -> Result<Self, SecretError> {
        let secrets: Arc<[SigningSecret]> = secrets.into_iter().collect();
        if secrets.is_empty() {
            return Err(SecretError::NoSecret);
        }
        Ok(Verifier {
            secrets,
            tolerance: Some(DEFAULT_TOLERANCE),
        })
    }

    /// A verifier for the secret in `SENT_DM_WEBHOOK_SECRET`, or in `SENT_WEBHOOK_SECRET` when
    /// the first is unset or blank. The variable may hold several secrets separated by
    /// whitespace (during a rotation).
    pub fn from_env() -> Result<Self, SecretError> {
        Self::from_signing_secrets(secrets_from_env_with(|name| std::env::var_os(name))?)
    }

    /// Also accepts deliveries signed with `secret`.
    pub fn with_secret(self, secret: &str) -> Result<Self, SecretError> {
        Ok(self.with_signing_secret(SigningSecret::new(secret)?))
    }

    /// Also accepts deliveries signed with the already-parsed `secret`.
    pub fn with_signing_secret(self, secret: SigningSecret) -> Self {
        let secrets = self.secrets.iter().cloned().chain([secret]).collect();
        Verifier { secrets, ..self }
    }

    /// Sets how far a delivery's timestamp may be from the clock, in either direction
    /// (inclusive). The default is [`DEFAULT_TOLERANCE`].
    pub fn tolerance(self, tolerance: Duration) -> Self {
        Verifier {
            tolerance: Some(tolerance),
            ..self
        }
    }

    /// Accepts deliveries whatever their timestamp (it must still be a number, and it is still
    /// covered by the signature). This gives up replay protection; meant for replaying stored
    /// deliveries and for tests.
    pub fn without_timestamp_check(self) -> Self {
        Verifier {
            tolerance: None,
            ..self
        }
    }

    /// The timestamp tolerance, `None` when timestamps are not checked.
    pub fn current_tolerance(&self) -> Option<Duration> {
        self.tolerance
    }

    /// How many secrets the verifier accepts.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
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
        let id = single(headers, WebhookHeader::Id)?;
        let timestamp = single(headers, WebhookHeader::Timestamp)?;
        let signatures = headers.header_values(WebhookHeader::Signature.lowercase());
        if signatures.is_empty() {
            return Err(VerifyError::MissingHeader(WebhookHeader::Signature));
        }

        let webhook_id = std::str::from_utf8(id)
            .ok()
            .filter(|id| !id.is_empty())
            .ok_or(VerifyError::InvalidWebhookId)?;
        let seconds = parse_timestamp(timestamp).ok_or(VerifyError::InvalidTimestamp)?;
        if let Some(tolerance) = self.tolerance {
            check_freshness(seconds, now, tolerance)?;
        }
        self.check_signature(id, timestamp, body, &signatures)?;
        Ok(Delivery {
            webhook_id: webhook_id.to_owned(),
            timestamp: seconds,
        })
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

    /// Checks the entries of every signature header value (`headers`) against each secret.
    fn check_signature(
        &self,
        id: &[u8],
        timestamp: &[u8],
        body: &[u8],
        headers: &[&[u8]],
    ) -> Result<(), VerifyError> {
        // First pass: decode the candidates (keeping the first few) and find out whether there
        // is anything to compare against; no MAC is computed for a header that cannot match.
        let mut kept = [[0u8; 32]; KEPT_CANDIDATES];
        let mut usable = 0usize;
        let mut well_formed = 0usize;
        for entry in headers.iter().flat_map(|header| entries(header)) {
            match entry {
                Entry::V1(tag) => {
                    if let Some(slot) = kept.get_mut(usable) {
                        *slot = tag;
                    }
                    usable += 1;
                }
                Entry::Other => well_formed += 1,
                Entry::Malformed => {}
            }
        }
        if usable == 0 {
            return Err(if well_formed == 0 {
                VerifyError::MalformedSignature
            } else {
                VerifyError::NoMatchingSignature
            });
        }

        for secret in self.secrets.iter() {
            let tag = secret.tag(id, timestamp, body);
            let mut matched = subtle::Choice::from(0u8);
            if usable <= KEPT_CANDIDATES {
                for candidate in &kept[..usable] {
                    matched |= candidate.ct_eq(&tag);
                }
            } else {
                for entry in headers.iter().flat_map(|header| entries(header)) {
                    if let Entry::V1(candidate) = entry {
                        matched |= candidate.ct_eq(&tag);
                    }
                }
            }
            if bool::from(matched) {
                return Ok(());
            }
        }
        Err(VerifyError::NoMatchingSignature)
    }
}

/// The value of a header that must be present, and the same on every line it appears on.
fn single<H>(headers: &H, which: WebhookHeader) -> Result<&[u8], VerifyError>
where
    H: WebhookHeaders + ?Sized,
{
    let values = headers.header_values(which.lowercase());
    let (&first, rest) = values
        .split_first()
        .ok_or(VerifyError::MissingHeader(which))?;
    if rest.iter().any(|v| v.trim_ascii() != first.trim_ascii()) {
        return Err(VerifyError::ConflictingHeader(which));
    }
    Ok(first)
}

/// Decimal digits (surrounding spaces and tabs allowed) fitting in an `i64`.
fn parse_timestamp(value: &[u8]) -> Option<i64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut seconds: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        seconds = seconds.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(seconds)
}

fn check_freshness(seconds: i64, now: SystemTime, tolerance: Duration) -> Result<(), VerifyError> {
    let now_nanos: i128 = match now.duration_since(UNIX_EPOCH) {
        Ok(since) => i128::try_from(since.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    let sent_nanos = i128::from(seconds) * 1_000_000_000;
    let tolerance_nanos = i128::try_from(tolerance.as_nanos()).unwrap_or(i128::MAX);
    let age = now_nanos.saturating_sub(sent_nanos);
    if age > tolerance_nanos {
        Err(VerifyError::TooOld { timestamp: seconds })
    } else if age < -tolerance_nanos {
        Err(VerifyError::TooNew { timestamp: seconds })
    } else {
        Ok(())
    }
}

enum Entry {
    /// A `v1` entry whose value decodes to 32 bytes.
    V1([u8; 32]),
    /// A well-formed entry of another version.
    Other,
    Malformed,
}

/// The space-separated entries of a signature header. A comma ending an entry separates list
/// items (as when a proxy joins repeated header lines with `, `); base64 never ends in one.
fn entries(header: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    header
        .split(|b| b.is_ascii_whitespace())
        .map(|entry| entry.strip_suffix(b",").unwrap_or(entry))
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let Some(comma) = entry.iter().position(|&b| b == b',') else {
                return Entry::Malformed;
            };
            let (version, value) = (&entry[..comma], &entry[comma + 1..]);
            if version == VERSION {
                decode_tag(value).map_or(Entry::Malformed, Entry::V1)
            } else if version.is_empty() || value.is_empty() {
                Entry::Malformed
            } else {
                Entry::Other
            }
        })
}

fn decode_tag(value: &[u8]) -> Option<[u8; 32]> {
    if value.len() > MAX_SIGNATURE_TEXT {
        return None;
    }
    let mut buffer = [0u8; 48];
    let len = STANDARD.decode_slice(value, &mut buffer).ok()?;
    buffer.get(..len)?.try_into().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp(b"1614265330"), Some(1_614_265_330));
        assert_eq!(parse_timestamp(b" 0 "), Some(0));
        assert_eq!(parse_timestamp(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_timestamp(b"9223372036854775808"), None);
        assert_eq!(parse_timestamp(b"99999999999999999999"), None);
        assert_eq!(parse_timestamp(b""), None);
        assert_eq!(parse_timestamp(b"-1"), None);
        assert_eq!(parse_timestamp(b"+1"), None);
        assert_eq!(parse_timestamp(b"1.5"), None);
        assert_eq!(parse_timestamp(b"hello"), None);
    }

    #[test]
    fn freshness_bounds_are_inclusive() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let tolerance = Duration::from_secs(300);
        assert!(check_freshness(1_000_000 - 300, now, tolerance).is_ok());
        assert!(check_freshness(1_000_000 + 300, now, tolerance).is_ok());
        assert_eq!(
            check_freshness(1_000_000 - 301, now, tolerance),
            Err(VerifyError::TooOld {
                timestamp: 1_000_000 - 301
            })
        );
        assert_eq!(
            check_freshness(1_000_000 + 301, now, tolerance),
            Err(VerifyError::TooNew {
                timestamp: 1_000_000 + 301
            })
        );
        // Sub-second precision of the clock counts.
        let later = now + Duration::from_millis(1);
        assert!(check_freshness(1_000_000 - 300, later, tolerance).is_err());
        // Extremes do not overflow.
        assert!(check_freshness(i64::MAX, now, Duration::MAX).is_ok());
        assert!(check_freshness(0, UNIX_EPOCH - Duration::from_secs(5), tolerance).is_ok());
        assert!(check_freshness(i64::MAX, now, tolerance).is_err());
    }

    #[test]
    fn signature_entries() {
        let kinds = |header: &[u8]| {
            entries(header)
                .map(|entry| match entry {
                    Entry::V1(_) => 'v',
                    Entry::Other => 'o',
                    Entry::Malformed => 'm',
                })
                .collect::<String>()
        };
        let tag = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert_eq!(kinds(tag.as_bytes()), "v");
        // Padding is required, as is a zero in the unused bits.
        assert_eq!(
            kinds(b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"),
            "m"
        );
        assert_eq!(
            kinds(b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="),
            "m"
        );
        // A lone comma, or one ending an entry, separates list items.
        assert_eq!(
            kinds(format!("  {tag}   v1a,abc  v2 x ,").as_bytes()),
            "vomm"
        );
        assert_eq!(kinds(format!("{tag}, {tag},").as_bytes()), "vv");
        assert_eq!(kinds(b"v1,"), "m");
        assert_eq!(kinds(b"v1,g0hM9SsE"), "m");
        assert_eq!(kinds(b",abc"), "m");
        assert_eq!(kinds(b""), "");
        let long = format!("v1,{}", "A".repeat(4096));
        assert_eq!(kinds(long.as_bytes()), "m");
    }
}
