//! What a signature scheme is made of, as the API's documentation describes it.

use std::fmt;
use std::time::Duration;

/// How far a delivery's timestamp may be from the receiver's clock, in either direction, when
/// a scheme does not say otherwise: five minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Longest header name a scheme may use, in bytes.
pub(crate) const MAX_HEADER_NAME: usize = 64;

/// An API's webhook signature scheme, for the type-level handle the verifier, the signer and
/// the secrets are generic over.
///
/// A client crate declares an uninhabited type for its API and gives it the scheme its
/// documentation describes; see the [module documentation](super) for an example.
pub trait Scheme: 'static {
    /// The scheme.
    const SCHEME: SignatureScheme;
}

/// What a header is for in a scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderRole {
    /// The delivery's (or webhook's) id.
    Id,
    /// When the delivery was sent.
    Timestamp,
    /// The signature or signatures.
    Signature,
}

/// A header of a scheme: its role and its name as the documentation spells it. Errors name the
/// header they are about with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    role: HeaderRole,
    name: &'static str,
}

impl Header {
    const fn new(role: HeaderRole, name: &'static str) -> Self {
        Header { role, name }
    }

    /// What the header is for.
    pub const fn role(self) -> HeaderRole {
        self.role
    }

    /// The header's name as the documentation spells it (for example `X-Webhook-ID`).
    pub const fn name(self) -> &'static str {
        self.name
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A part of the signed content. The parts a scheme signs are joined with `.`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedPart {
    /// The id header's value, as received.
    Id,
    /// The timestamp header's value, as received (its text, not a re-formatted number).
    Timestamp,
    /// The raw request body, byte for byte.
    Body,
}

/// How the HMAC-SHA256 tag is written in the signature header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TagEncoding {
    /// Standard base64 with padding (44 characters). Only the canonical spelling is accepted.
    Base64,
    /// Hexadecimal (64 characters), written in lowercase; either case is accepted.
    Hex,
}

/// How the signature header carries the tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureFormat {
    /// Space-separated `{version},{tag}` entries, as in
    /// [Standard Webhooks](https://www.standardwebhooks.com) (`v1,K5oZ…= v1,3xu…=`). Entries
    /// of other versions are ignored; a delivery is accepted when any entry of `version`
    /// matches.
    Versioned {
        /// The version whose entries are checked (`v1`).
        version: &'static str,
    },
    /// `{prefix}{tag}` (`sha256=9f86…`). Several values (repeated header lines, or items
    /// separated by commas) are each checked; values with another `name=` prefix are ignored.
    Prefixed {
        /// The text before the tag, `=` included (`sha256=`).
        prefix: &'static str,
    },
}

/// How a signing secret, as the API hands it out, becomes the HMAC key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretFormat {
    /// Base64 of the key after a prefix (`whsec_…`), which may be left out.
    ///
    /// Surrounding ASCII whitespace is ignored. The standard (`+`, `/`) or the URL-safe (`-`,
    /// `_`) alphabet is accepted, not both at once; `=` padding is optional but, when present,
    /// complete; unused low bits of the last character are ignored, and so is a final lone
    /// character (a length one more than a multiple of four carries no whole byte), as
    /// Node.js's `Buffer.from(secret, "base64")` does.
    Base64 {
        /// The prefix (`whsec_`); empty for none.
        prefix: &'static str,
    },
    /// The secret's UTF-8 bytes are the key, after surrounding ASCII whitespace is removed.
    Raw,
}

/// The unit of the timestamp header: a whole number of this unit since the unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
}

impl TimestampUnit {
    /// Nanoseconds in one unit.
    pub(crate) const fn nanos(self) -> i128 {
        match self {
            TimestampUnit::Seconds => 1_000_000_000,
            TimestampUnit::Milliseconds => 1_000_000,
        }
    }

    /// Units in one second.
    pub(crate) const fn per_second(self) -> u128 {
        match self {
            TimestampUnit::Seconds => 1,
            TimestampUnit::Milliseconds => 1_000,
        }
    }
}

impl fmt::Display for TimestampUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampUnit::Seconds => "seconds",
            TimestampUnit::Milliseconds => "milliseconds",
        })
    }
}

/// A webhook signature scheme: which headers a delivery carries, what is signed with
/// HMAC-SHA256 and how the result is written, how the secret becomes a key, and how fresh a
/// delivery must be.
///
/// Built in constant context, starting from [`new`](Self::new) and changing what the API's
/// documentation says differs from the defaults:
///
/// ```
/// use std::time::Duration;
/// use sentdm_runtime::webhook::{SecretFormat, SignatureFormat, SignatureScheme, SignedPart, TagEncoding};
///
/// pub const EXAMPLE: SignatureScheme = SignatureScheme::new("X-Example-Signature", "X-Example-Timestamp")
///     .id_header("X-Example-Id")
///     .signed_content(&[SignedPart::Id, SignedPart::Timestamp, SignedPart::Body])
///     .signature_format(SignatureFormat::Versioned { version: "v1" })
///     .tag_encoding(TagEncoding::Base64)
///     .secret_format(SecretFormat::Base64 { prefix: "whsec_" })
///     .tolerance(Duration::from_secs(600))
///     .secret_env(&["EXAMPLE_WEBHOOK_SECRET"]);
/// const _: () = assert!(EXAMPLE.is_valid());
/// ```
///
/// Header names are matched ignoring ASCII case. A scheme that is not
/// [valid](Self::is_valid) verifies nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignatureScheme {
    signature_header: &'static str,
    timestamp_header: &'static str,
    id_header: Option<&'static str>,
    event_type_header: Option<&'static str>,
    signed: &'static [SignedPart],
    format: SignatureFormat,
    encoding: TagEncoding,
    secret: SecretFormat,
    unit: TimestampUnit,
    tolerance: Duration,
    secret_env: &'static [&'static str],
}

impl SignatureScheme {
    /// A scheme with these signature and timestamp headers and the defaults: no id or
    /// event-type header, `{timestamp}.{body}` signed, `sha256=` and the lowercase hex tag,
    /// the secret's bytes as the key, timestamps in seconds, a [`DEFAULT_TOLERANCE`], and no
    /// environment variable for the secret.
    pub const fn new(signature_header: &'static str, timestamp_header: &'static str) -> Self {
        SignatureScheme {
            signature_header,
            timestamp_header,
            id_header: None,
            event_type_header: None,
            signed: &[SignedPart::Timestamp, SignedPart::Body],
            format: SignatureFormat::Prefixed { prefix: "sha256=" },
            encoding: TagEncoding::Hex,
            secret: SecretFormat::Raw,
            unit: TimestampUnit::Seconds,
            tolerance: DEFAULT_TOLERANCE,
            secret_env: &[],
        }
    }

    /// The header carrying the delivery's id. It is required when the id is part of the
    /// [signed content](Self::signed_content), and read when present otherwise.
    pub const fn id_header(self, name: &'static str) -> Self {
        SignatureScheme {
            id_header: Some(name),
            ..self
        }
    }

    /// The header naming the kind of event. It is never covered by the signature; it is
    /// recorded for the documentation and for routing.
    pub const fn event_type_header(self, name: &'static str) -> Self {
        SignatureScheme {
            event_type_header: Some(name),
            ..self
        }
    }

    /// What is signed, in order, joined with `.`.
    pub const fn signed_content(self, parts: &'static [SignedPart]) -> Self {
        SignatureScheme {
            signed: parts,
            ..self
        }
    }

    /// How the signature header carries the tags.
    pub const fn signature_format(self, format: SignatureFormat) -> Self {
        SignatureScheme { format, ..self }
    }

    /// How a tag is written.
    pub const fn tag_encoding(self, encoding: TagEncoding) -> Self {
        SignatureScheme { encoding, ..self }
    }

    /// How a secret becomes the HMAC key.
    pub const fn secret_format(self, secret: SecretFormat) -> Self {
        SignatureScheme { secret, ..self }
    }

    /// The timestamp header's unit.
    pub const fn timestamp_unit(self, unit: TimestampUnit) -> Self {
        SignatureScheme { unit, ..self }
    }

    /// The default tolerance of verifiers (a verifier can change its own).
    pub const fn tolerance(self, tolerance: Duration) -> Self {
        SignatureScheme { tolerance, ..self }
    }

    /// Environment variables read, in order, for the secret (the first one set and not blank
    /// is used).
    pub const fn secret_env(self, vars: &'static [&'static str]) -> Self {
        SignatureScheme {
            secret_env: vars,
            ..self
        }
    }

    /// The signature header.
    pub const fn signature(&self) -> Header {
        Header::new(HeaderRole::Signature, self.signature_header)
    }

    /// The timestamp header.
    pub const fn timestamp(&self) -> Header {
        Header::new(HeaderRole::Timestamp, self.timestamp_header)
    }

    /// The id header, if the scheme has one.
    pub const fn id(&self) -> Option<Header> {
        match self.id_header {
            Some(name) => Some(Header::new(HeaderRole::Id, name)),
            None => None,
        }
    }

    /// The event-type header's name, if the scheme has one.
    pub const fn event_type(&self) -> Option<&'static str> {
        self.event_type_header
    }

    /// The signed parts, in order.
    pub const fn signed_parts(&self) -> &'static [SignedPart] {
        self.signed
    }

    /// How the signature header carries the tags.
    pub const fn format(&self) -> SignatureFormat {
        self.format
    }

    /// How a tag is written.
    pub const fn encoding(&self) -> TagEncoding {
        self.encoding
    }

    /// How a secret becomes the HMAC key.
    pub const fn secret(&self) -> SecretFormat {
        self.secret
    }

    /// The timestamp header's unit.
    pub const fn unit(&self) -> TimestampUnit {
        self.unit
    }

    /// The default tolerance of verifiers.
    pub const fn default_tolerance(&self) -> Duration {
        self.tolerance
    }

    /// The environment variables holding the secret, in the order they are read.
    pub const fn secret_vars(&self) -> &'static [&'static str] {
        self.secret_env
    }

    /// Whether the id is part of the signed content.
    pub(crate) const fn signs_id(&self) -> bool {
        contains(self.signed, SignedPart::Id)
    }

    /// Whether the scheme is usable: header names are HTTP tokens of at most 64 bytes, the
    /// signature and timestamp headers differ from each other and from the id header, the
    /// body is signed exactly once, the id only when there is an id header, the signature
    /// version or prefix is not empty and holds no whitespace or comma, and the secret prefix
    /// holds no whitespace.
    ///
    /// Meant for a compile-time check next to the scheme: `const _: () = assert!(SCHEME.is_valid());`.
    pub const fn is_valid(&self) -> bool {
        if !is_token(self.signature_header) || !is_token(self.timestamp_header) {
            return false;
        }
        if eq_ignore_case(self.signature_header, self.timestamp_header) {
            return false;
        }
        if let Some(id) = self.id_header {
            if !is_token(id)
                || eq_ignore_case(id, self.signature_header)
                || eq_ignore_case(id, self.timestamp_header)
            {
                return false;
            }
        }
        if let Some(event_type) = self.event_type_header {
            if !is_token(event_type) {
                return false;
            }
        }
        if count(self.signed, SignedPart::Body) != 1 {
            return false;
        }
        if self.id_header.is_none() && contains(self.signed, SignedPart::Id) {
            return false;
        }
        let label = match self.format {
            SignatureFormat::Versioned { version } => version,
            SignatureFormat::Prefixed { prefix } => prefix,
        };
        if label.is_empty() || has_any(label, b" \t\r\n,") {
            return false;
        }
        if let SecretFormat::Base64 { prefix } = self.secret {
            if has_any(prefix, b" \t\r\n") {
                return false;
            }
        }
        true
    }
}

const fn contains(parts: &[SignedPart], part: SignedPart) -> bool {
    count(parts, part) > 0
}

const fn count(parts: &[SignedPart], part: SignedPart) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        // `PartialEq` is not usable in constant context.
        if parts[i] as u8 == part as u8 {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn has_any(text: &str, bytes: &[u8]) -> bool {
    let text = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let mut j = 0;
        while j < bytes.len() {
            if text[i] == bytes[j] {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

const fn eq_ignore_case(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// An HTTP field name (RFC 9110 `token`) of at most [`MAX_HEADER_NAME`] bytes.
const fn is_token(name: &str) -> bool {
    let name = name.as_bytes();
    if name.is_empty() || name.len() > MAX_HEADER_NAME {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        let b = name[i];
        let tchar = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        if !tchar {
            return false;
        }
        i += 1;
    }
    true
}

/// A header name in lowercase, on the stack; empty when the name is not a valid one.
pub(crate) struct LowerName {
    bytes: [u8; MAX_HEADER_NAME],
    len: usize,
}

impl LowerName {
    pub(crate) fn new(name: &str) -> Self {
        let mut bytes = [0u8; MAX_HEADER_NAME];
        if !is_token(name) {
            return LowerName { bytes, len: 0 };
        }
        for (slot, b) in bytes.iter_mut().zip(name.bytes()) {
            *slot = b.to_ascii_lowercase();
        }
        LowerName {
            bytes,
            len: name.len(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Lowercased ASCII tokens are UTF-8.
        self.bytes
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const BASE: SignatureScheme = SignatureScheme::new("X-Sig", "X-Time");

    #[test]
    fn defaults() {
        assert!(BASE.is_valid());
        assert_eq!(BASE.signature().name(), "X-Sig");
        assert_eq!(BASE.signature().role(), HeaderRole::Signature);
        assert_eq!(BASE.timestamp().to_string(), "X-Time");
        assert_eq!(BASE.id(), None);
        assert_eq!(
            BASE.signed_parts(),
            &[SignedPart::Timestamp, SignedPart::Body]
        );
        assert_eq!(
            BASE.format(),
            SignatureFormat::Prefixed { prefix: "sha256=" }
        );
        assert_eq!(BASE.encoding(), TagEncoding::Hex);
        assert_eq!(BASE.secret(), SecretFormat::Raw);
        assert_eq!(BASE.unit(), TimestampUnit::Seconds);
        assert_eq!(BASE.default_tolerance(), DEFAULT_TOLERANCE);
        assert!(BASE.secret_vars().is_empty());
        assert!(!BASE.signs_id());
    }

    #[test]
    fn invalid_schemes() {
        let invalid = [
            SignatureScheme::new("", "X-Time"),
            SignatureScheme::new("X Sig", "X-Time"),
            SignatureScheme::new("X-Sig:", "X-Time"),
            SignatureScheme::new("X-Sig", "x-sig"),
            BASE.id_header("X-TIME"),
            BASE.id_header("X-Id\n"),
            BASE.event_type_header("X-Ev ent"),
            BASE.signed_content(&[]),
            BASE.signed_content(&[SignedPart::Timestamp]),
            BASE.signed_content(&[SignedPart::Body, SignedPart::Body]),
            BASE.signed_content(&[SignedPart::Id, SignedPart::Body]),
            BASE.signature_format(SignatureFormat::Versioned { version: "" }),
            BASE.signature_format(SignatureFormat::Versioned { version: "v 1" }),
            BASE.signature_format(SignatureFormat::Prefixed { prefix: "a,b=" }),
            BASE.secret_format(SecretFormat::Base64 { prefix: "wh sec_" }),
        ];
        for scheme in invalid {
            assert!(!scheme.is_valid(), "{scheme:?}");
        }
        let long: &'static str = "X".repeat(65).leak();
        assert!(!SignatureScheme::new(long, "X-Time").is_valid());
        assert!(SignatureScheme::new(&long[1..], "X-Time").is_valid());
        assert!(
            BASE.id_header("X-Id")
                .signed_content(&[SignedPart::Id, SignedPart::Body])
                .is_valid()
        );
    }

    #[test]
    fn lower_names() {
        assert_eq!(LowerName::new("X-Webhook-ID").as_str(), "x-webhook-id");
        assert_eq!(LowerName::new("X Y").as_str(), "");
        assert_eq!(LowerName::new(&"a".repeat(65)).as_str(), "");
        assert_eq!(LowerName::new(&"A".repeat(64)).as_str(), "a".repeat(64));
    }
}
