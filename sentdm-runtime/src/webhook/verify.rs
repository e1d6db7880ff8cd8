//! Verifying signed deliveries.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

use super::delivery::{Delivery, VerifyError};
use super::headers::WebhookHeaders;
use super::payload::{Payload, Verified, WebhookError};
use super::scheme::{Header, LowerName, Scheme, SignatureFormat, TagEncoding, TimestampUnit};
use super::secret::{SecretError, SigningSecret, secrets_from_env_with};

/// Longest signature text considered for a 32-byte tag (44 characters of padded base64, 64 of
/// hex; anything longer cannot be one).
const MAX_SIGNATURE_TEXT: usize = 64;
/// Decoded signatures kept from the first pass over the header; more are decoded again for
/// each secret.
const KEPT_CANDIDATES: usize = 4;

/// Checks the signature and timestamp of webhook deliveries signed with scheme `S`.
///
/// A verifier holds one or more signing secrets (several while a secret is being rotated: a
/// delivery is accepted when it is signed with any of them) and a timestamp tolerance (the
/// scheme's [default](super::SignatureScheme::default_tolerance) unless changed). Cloning is
/// cheap; the secrets are shared.
///
/// Verification reads the id (when the scheme has one), timestamp and signature headers, then
/// checks, in order: that the id is UTF-8 and not empty, that the timestamp is decimal digits
/// and within the tolerance of the clock (inclusive, in either direction:
/// [`VerifyError::TooOld`], [`VerifyError::TooNew`]), and that an entry of the signature header
/// is the HMAC-SHA256 of the scheme's signed content under one of the secrets. The tag is
/// computed once per secret and compared with each entry in constant time.
pub struct Verifier<S> {
    secrets: Arc<[SigningSecret<S>]>,
    tolerance: Option<Duration>,
}

impl<S> Clone for Verifier<S> {
    fn clone(&self) -> Self {
        Verifier {
            secrets: Arc::clone(&self.secrets),
            tolerance: self.tolerance,
        }
    }
}

impl<S> fmt::Debug for Verifier<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.secrets)
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl<S: Scheme> From<SigningSecret<S>> for Verifier<S> {
    fn from(secret: SigningSecret<S>) -> Self {
        Verifier {
            secrets: Arc::from([secret]),
            tolerance: Some(S::SCHEME.default_tolerance()),
        }
    }
}

impl<S: Scheme> Verifier<S> {
    /// A verifier for one secret (see [`SigningSecret::new`]).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        SigningSecret::new(secret).map(Verifier::from)
    }

    /// A verifier accepting deliveries signed with any of `secrets`, for example the old and
    /// the new one while rotating. Fails on an invalid secret or an empty list.
    pub fn from_secrets<I, T>(secrets: I) -> Result<Self, SecretError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let secrets = secrets
            .into_iter()
            .map(|secret| SigningSecret::new(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_signing_secrets(secrets)
    }

    /// A verifier accepting deliveries signed with any of the already-parsed `secrets`.
    pub fn from_signing_secrets(
        secrets: impl IntoIterator<Item = SigningSecret<S>>,
    ) -> Result<Self, SecretError> {
        let secrets: Arc<[SigningSecret<S>]> = secrets.into_iter().collect();
        if secrets.is_empty() {
            return Err(SecretError::NoSecret);
        }
        Ok(Verifier {
            secrets,
            tolerance: Some(S::SCHEME.default_tolerance()),
        })
    }

    /// A verifier for the secret in the first of the scheme's
    /// [environment variables](super::SignatureScheme::secret_vars) that is set and not
    /// blank. The variable may hold several secrets separated by whitespace (during a
    /// rotation).
    pub fn from_env() -> Result<Self, SecretError> {
        Self::from_signing_secrets(secrets_from_env_with::<S>(|name| std::env::var_os(name))?)
    }

    /// Also accepts deliveries signed with `secret`.
    pub fn with_secret(self, secret: &str) -> Result<Self, SecretError> {
        Ok(self.with_signing_secret(SigningSecret::new(secret)?))
    }

    /// Also accepts deliveries signed with the already-parsed `secret`.
    pub fn with_signing_secret(self, secret: SigningSecret<S>) -> Self {
        let secrets = self.secrets.iter().cloned().chain([secret]).collect();
        Verifier { secrets, ..self }
    }

    /// Sets how far a delivery's timestamp may be from the clock, in either direction
    /// (inclusive).
    pub fn tolerance(self, tolerance: Duration) -> Self {
        Verifier {
            tolerance: Some(tolerance),
            ..self
        }
    }

    /// Accepts deliveries whatever their timestamp (it must still be a number, and it is still
    /// covered by the signature when the scheme signs it). This gives up replay protection;
    /// meant for replaying stored deliveries and for tests.
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
        let scheme = &S::SCHEME;
        let timestamp_header = scheme.timestamp();
        let signature_header = scheme.signature();

        let id = match scheme.id() {
            Some(header) if scheme.signs_id() => Some((header, single(headers, header)?)),
            Some(header) => single(headers, header)
                .ok()
                .map(|value| (header, value))
                .filter(|(_, value)| valid_id(value).is_some()),
            None => None,
        };
        let timestamp = single(headers, timestamp_header)?;
        let signatures = headers.header_values(LowerName::new(signature_header.name()).as_str());
        if signatures.is_empty() {
            return Err(VerifyError::MissingHeader(signature_header));
        }

        let delivery_id = match id {
            Some((header, value)) => Some(valid_id(value).ok_or(VerifyError::InvalidId(header))?),
            None => None,
        };
        let value = parse_timestamp(timestamp).ok_or(VerifyError::InvalidTimestamp {
            header: timestamp_header,
            unit: scheme.unit(),
        })?;
        if let Some(tolerance) = self.tolerance {
            check_freshness(value, scheme.unit(), now, tolerance)?;
        }
        let signed_id = match id {
            Some((_, value)) if scheme.signs_id() => value,
            _ => &[],
        };
        self.check_signature(signed_id, timestamp, body, &signatures)?;
        Ok(Delivery {
            id: delivery_id.map(str::to_owned),
            timestamp: value,
            unit: scheme.unit(),
        })
    }

    /// Verifies a delivery and decodes its body into a `T`.
    pub fn verify_payload<T, H>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Verified<T>, WebhookError<T::Error>>
    where
        T: Payload,
        H: WebhookHeaders + ?Sized,
    {
        self.verify_payload_at(headers, body, SystemTime::now())
    }

    /// [`verify_payload`](Self::verify_payload) with `now` as the current time.
    pub fn verify_payload_at<T, H>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified<T>, WebhookError<T::Error>>
    where
        T: Payload,
        H: WebhookHeaders + ?Sized,
    {
        let delivery = self.verify_at(headers, body, now)?;
        let payload = T::from_body(body).map_err(WebhookError::Payload)?;
        Ok(Verified { delivery, payload })
    }

    /// Checks the entries of every signature header value (`headers`) against each secret.
    fn check_signature(
        &self,
        id: &[u8],
        timestamp: &[u8],
        body: &[u8],
        headers: &[&[u8]],
    ) -> Result<(), VerifyError> {
        let scheme = &S::SCHEME;
        let (format, encoding) = (scheme.format(), scheme.encoding());
        let header = scheme.signature();
        // First pass: decode the candidates (keeping the first few) and find out whether there
        // is anything to compare against; no MAC is computed for a header that cannot match.
        let mut kept = [[0u8; 32]; KEPT_CANDIDATES];
        let mut usable = 0usize;
        let mut well_formed = 0usize;
        for entry in headers
            .iter()
            .flat_map(|value| entries(value, format, encoding))
        {
            match entry {
                Entry::Tag(tag) => {
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
                VerifyError::MalformedSignature(header)
            } else {
                VerifyError::NoMatchingSignature(header)
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
                for entry in headers
                    .iter()
                    .flat_map(|value| entries(value, format, encoding))
                {
                    if let Entry::Tag(candidate) = entry {
                        matched |= candidate.ct_eq(&tag);
                    }
                }
            }
            if bool::from(matched) {
                return Ok(());
            }
        }
        Err(VerifyError::NoMatchingSignature(header))
    }
}

/// The value of a header that must be present, and the same on every line it appears on.
fn single<H>(headers: &H, header: Header) -> Result<&[u8], VerifyError>
where
    H: WebhookHeaders + ?Sized,
{
    let values = headers.header_values(LowerName::new(header.name()).as_str());
    let (&first, rest) = values
        .split_first()
        .ok_or(VerifyError::MissingHeader(header))?;
    if rest.iter().any(|v| v.trim_ascii() != first.trim_ascii()) {
        return Err(VerifyError::ConflictingHeader(header));
    }
    Ok(first)
}

fn valid_id(value: &[u8]) -> Option<&str> {
    std::str::from_utf8(value).ok().filter(|id| !id.is_empty())
}

/// Decimal digits (surrounding spaces and tabs allowed) fitting in an `i64`.
pub(crate) fn parse_timestamp(value: &[u8]) -> Option<i64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut number: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        number = number.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(number)
}

fn check_freshness(
    value: i64,
    unit: TimestampUnit,
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let now_nanos: i128 = match now.duration_since(UNIX_EPOCH) {
        Ok(since) => i128::try_from(since.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    let sent_nanos = i128::from(value) * unit.nanos();
    let tolerance_nanos = i128::try_from(tolerance.as_nanos()).unwrap_or(i128::MAX);
    let age = now_nanos.saturating_sub(sent_nanos);
    if age > tolerance_nanos {
        Err(VerifyError::TooOld { timestamp: value })
    } else if age < -tolerance_nanos {
        Err(VerifyError::TooNew { timestamp: value })
    } else {
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Entry {
    /// An entry of the scheme's version or prefix whose tag decodes to 32 bytes.
    Tag([u8; 32]),
    /// A well-formed entry of another version or kind.
    Other,
    Malformed,
}

/// The entries of a signature header value. They are separated by whitespace; with a
/// [`SignatureFormat::Prefixed`] scheme commas separate them too, and with a
/// [`SignatureFormat::Versioned`] one a comma ending an entry does (as when a proxy joins
/// repeated header lines with `, `): neither base64 nor hex ends in one.
fn entries(
    value: &[u8],
    format: SignatureFormat,
    encoding: TagEncoding,
) -> impl Iterator<Item = Entry> + '_ {
    let commas = matches!(format, SignatureFormat::Prefixed { .. });
    value
        .split(move |&b| b.is_ascii_whitespace() || (commas && b == b','))
        .map(|entry| entry.strip_suffix(b",").unwrap_or(entry))
        .filter(|entry| !entry.is_empty())
        .map(move |entry| classify(entry, format, encoding))
}

fn classify(entry: &[u8], format: SignatureFormat, encoding: TagEncoding) -> Entry {
    let (label, separator) = match format {
        SignatureFormat::Versioned { version } => (version.as_bytes(), b','),
        SignatureFormat::Prefixed { prefix } => match prefix.as_bytes().split_last() {
            // `sha256=`: the label is what comes before the final separator.
            Some((&last, label)) => (label, last),
            None => return Entry::Malformed,
        },
    };
    let Some(at) = entry.iter().position(|&b| b == separator) else {
        return Entry::Malformed;
    };
    let (name, value) = (&entry[..at], &entry[at + 1..]);
    if name == label {
        decode_tag(value, encoding).map_or(Entry::Malformed, Entry::Tag)
    } else if name.is_empty() || value.is_empty() {
        Entry::Malformed
    } else {
        Entry::Other
    }
}

pub(crate) fn decode_tag(value: &[u8], encoding: TagEncoding) -> Option<[u8; 32]> {
    if value.len() > MAX_SIGNATURE_TEXT {
        return None;
    }
    match encoding {
        TagEncoding::Base64 => {
            let mut buffer = [0u8; 48];
            let len = STANDARD.decode_slice(value, &mut buffer).ok()?;
            buffer.get(..len)?.try_into().ok()
        }
        TagEncoding::Hex => {
            if value.len() != 64 {
                return None;
            }
            let mut tag = [0u8; 32];
            for (byte, pair) in tag.iter_mut().zip(value.chunks_exact(2)) {
                *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
            }
            Some(tag)
        }
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
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
        for bad in [&b""[..], b"-1", b"+1", b"1.5", b"hello", b"1e9"] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn freshness_bounds_are_inclusive() {
        let seconds = TimestampUnit::Seconds;
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let tolerance = Duration::from_secs(300);
        assert!(check_freshness(1_000_000 - 300, seconds, now, tolerance).is_ok());
        assert!(check_freshness(1_000_000 + 300, seconds, now, tolerance).is_ok());
        assert_eq!(
            check_freshness(1_000_000 - 301, seconds, now, tolerance),
            Err(VerifyError::TooOld {
                timestamp: 1_000_000 - 301
            })
        );
        assert_eq!(
            check_freshness(1_000_000 + 301, seconds, now, tolerance),
            Err(VerifyError::TooNew {
                timestamp: 1_000_000 + 301
            })
        );
        // Sub-second precision of the clock counts.
        let later = now + Duration::from_millis(1);
        assert!(check_freshness(1_000_000 - 300, seconds, later, tolerance).is_err());
        // Extremes do not overflow.
        assert!(check_freshness(i64::MAX, seconds, now, Duration::MAX).is_ok());
        assert!(
            check_freshness(0, seconds, UNIX_EPOCH - Duration::from_secs(5), tolerance).is_ok()
        );
        assert!(check_freshness(i64::MAX, seconds, now, tolerance).is_err());
        assert!(check_freshness(i64::MAX, TimestampUnit::Milliseconds, now, Duration::MAX).is_ok());
    }

    #[test]
    fn milliseconds() {
        let millis = TimestampUnit::Milliseconds;
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let tolerance = Duration::from_secs(300);
        assert!(check_freshness(1_000_000_000 - 300_000, millis, now, tolerance).is_ok());
        assert!(check_freshness(1_000_000_000 + 300_000, millis, now, tolerance).is_ok());
        assert!(check_freshness(1_000_000_000 - 300_001, millis, now, tolerance).is_err());
        assert!(check_freshness(1_000_000_000 + 300_001, millis, now, tolerance).is_err());
        // Read as seconds, a millisecond timestamp is far in the future.
        assert!(matches!(
            check_freshness(1_000_000_000, TimestampUnit::Seconds, now, tolerance),
            Err(VerifyError::TooNew { .. })
        ));
        let delivery = Delivery {
            id: None,
            timestamp: 1_614_265_330_123,
            unit: millis,
        };
        let datetime = delivery.datetime().unwrap();
        assert_eq!(datetime.unix_timestamp(), 1_614_265_330);
        assert_eq!(datetime.millisecond(), 123);
    }

    fn kinds(header: &[u8], format: SignatureFormat, encoding: TagEncoding) -> String {
        entries(header, format, encoding)
            .map(|entry| match entry {
                Entry::Tag(_) => 't',
                Entry::Other => 'o',
                Entry::Malformed => 'm',
            })
            .collect()
    }

    #[test]
    fn versioned_entries() {
        let k = |header: &[u8]| {
            kinds(
                header,
                SignatureFormat::Versioned { version: "v1" },
                TagEncoding::Base64,
            )
        };
        let tag = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert_eq!(k(tag.as_bytes()), "t");
        // Padding is required, as is a zero in the unused bits.
        assert_eq!(k(b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"), "m");
        assert_eq!(k(b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="), "m");
        // A lone comma, or one ending an entry, separates list items.
        assert_eq!(k(format!("  {tag}   v1a,abc  v2 x ,").as_bytes()), "tomm");
        assert_eq!(k(format!("{tag}, {tag},").as_bytes()), "tt");
        assert_eq!(k(b"v1,"), "m");
        assert_eq!(k(b"v1,g0hM9SsE"), "m");
        assert_eq!(k(b",abc"), "m");
        assert_eq!(k(b""), "");
        assert_eq!(k(format!("v1,{}", "A".repeat(4096)).as_bytes()), "m");
        // A hex tag is not a base64 one.
        assert_eq!(k(format!("v1,{}", "ab".repeat(32)).as_bytes()), "m");
    }

    #[test]
    fn prefixed_entries() {
        let k = |header: &[u8]| {
            kinds(
                header,
                SignatureFormat::Prefixed { prefix: "sha256=" },
                TagEncoding::Hex,
            )
        };
        let hex = "5f".repeat(32);
        assert_eq!(k(format!("sha256={hex}").as_bytes()), "t");
        assert_eq!(k(format!("sha256={}", hex.to_uppercase()).as_bytes()), "t");
        // Items separated by commas or whitespace; other algorithms are well formed.
        assert_eq!(
            k(format!("sha256={hex}, sha512=abcd sha256={hex},").as_bytes()),
            "tot"
        );
        assert_eq!(k(format!("SHA256={hex}").as_bytes()), "o");
        assert_eq!(k(hex.as_bytes()), "m");
        assert_eq!(k(b"sha256="), "m");
        assert_eq!(k(format!("sha256={}", &hex[1..]).as_bytes()), "m");
        assert_eq!(k(format!("sha256={hex}0").as_bytes()), "m");
        assert_eq!(k(format!("sha256={}", "g".repeat(64)).as_bytes()), "m");
        assert_eq!(k(format!("sha256= {hex}").as_bytes()), "mm");
        assert_eq!(k(b"=abc"), "m");
        assert_eq!(k(b" , ,"), "");
        // A base64 tag is not a hex one.
        assert_eq!(
            k(b"sha256=g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            "m"
        );
    }

    #[test]
    fn hex_tags() {
        let mut text = String::new();
        for b in 0u8..32 {
            text.push_str(&format!("{:02x}", b.wrapping_mul(9)));
        }
        let expected: Vec<u8> = (0u8..32).map(|b| b.wrapping_mul(9)).collect();
        assert_eq!(
            decode_tag(text.as_bytes(), TagEncoding::Hex).unwrap(),
            expected.as_slice()
        );
        assert_eq!(decode_tag(b"", TagEncoding::Hex), None);
        assert_eq!(decode_tag(&[b'0'; 66], TagEncoding::Hex), None);
    }
}
