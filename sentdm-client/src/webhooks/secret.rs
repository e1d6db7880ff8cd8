//! Signing secrets: parsing `whsec_…` strings into HMAC keys.

use std::ffi::OsString;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Prefix of Sent.dm signing secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Environment variable holding the webhook signing secret.
pub const SECRET_ENV: &str = "SENT_DM_WEBHOOK_SECRET";

/// Environment variable read when [`SECRET_ENV`] is unset or empty (the name used by the SDK
/// pages).
pub const SECRET_ENV_FALLBACK: &str = "SENT_WEBHOOK_SECRET";

/// Lenient decoders for the part after `whsec_`: no padding expected (it is removed first),
/// non-zero trailing bits accepted.
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_allow_trailing_bits(true)
    .with_decode_padding_mode(DecodePaddingMode::RequireNone);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Why a signing secret was refused. The message never contains the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is empty, or decodes to no key bytes.
    #[error("the webhook signing secret is empty")]
    Empty,
    /// The part after `whsec_` is not base64.
    #[error("the webhook signing secret is not base64 after its `whsec_` prefix")]
    NotBase64,
    /// The secret uses characters of both the standard (`+`, `/`) and the URL-safe (`-`, `_`)
    /// base64 alphabets.
    #[error("the webhook signing secret mixes the standard and URL-safe base64 alphabets")]
    MixedAlphabets,
    /// A verifier was asked to hold no secret at all.
    #[error("no webhook signing secret was given")]
    NoSecret,
    /// Neither environment variable is set.
    #[error("neither {SECRET_ENV} nor {SECRET_ENV_FALLBACK} is set")]
    NotSet,
    /// The environment variable is not valid Unicode.
    #[error("the environment variable {var} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
}

/// A webhook signing secret, decoded into its HMAC-SHA256 key.
///
/// Parse one from the `signing_secret` that creating a webhook (or rotating its secret) returns,
/// such as `whsec_a1b2c3d4e5f6g7h8i9j0`:
///
/// * surrounding ASCII whitespace is ignored, and so is the `whsec_` prefix (it is optional);
/// * the rest is base64 in the standard (`+`, `/`) **or** the URL-safe (`-`, `_`) alphabet, not
///   both at once;
/// * `=` padding is optional; when present it must be complete (a multiple of four characters);
/// * unused low bits of the last character are ignored, and a final lone character (a length
///   one more than a multiple of four, which carries no whole byte) is ignored, as the
///   TypeScript SDK page's `Buffer.from(secret, "base64")` does. This is what makes the docs'
///   rotation example `whsec_n3wS3cr3tK3yG3n3r4t3d` (21 characters) usable: its key is the 15
///   bytes of its first 20 characters.
///
/// Anything else (other characters, misplaced `=`, nothing left to decode) is a
/// [`SecretError`]. `Debug` shows `[redacted]`; there is no way to read the key back.
#[derive(Clone)]
pub struct SigningSecret {
    /// HMAC state with the key already absorbed; cloned for every signature.
    mac: HmacSha256,
}

impl SigningSecret {
    /// Parses a `whsec_…` secret (see the type's documentation for what is accepted).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        let key = decode_secret(secret)?;
        Self::from_key(&key)
    }

    /// Uses raw key bytes (the already-decoded secret).
    pub fn from_key(key: &[u8]) -> Result<Self, SecretError> {
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        let mac = HmacSha256::new_from_slice(key).map_err(|_| SecretError::Empty)?;
        Ok(SigningSecret { mac })
    }

    /// HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    pub(crate) fn tag(&self, id: &[u8], timestamp: &[u8], body: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(id);
        mac.update(b".");
        mac.update(timestamp);
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for SigningSecret {
    type Err = SecretError;

    fn from_str(secret: &str) -> Result<Self, Self::Err> {
        Self::new(secret)
    }
}

impl TryFrom<&str> for SigningSecret {
    type Error = SecretError;

    fn try_from(secret: &str) -> Result<Self, Self::Error> {
        Self::new(secret)
    }
}

impl TryFrom<&String> for SigningSecret {
    type Error = SecretError;

    fn try_from(secret: &String) -> Result<Self, Self::Error> {
        Self::new(secret)
    }
}

impl TryFrom<String> for SigningSecret {
    type Error = SecretError;

    fn try_from(secret: String) -> Result<Self, Self::Error> {
        Self::new(&secret)
    }
}

/// The key bytes of a `whsec_…` secret.
fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretError> {
    let trimmed = secret.trim_matches(|c: char| c.is_ascii_whitespace());
    let encoded = trimmed.strip_prefix(SECRET_PREFIX).unwrap_or(trimmed);
    if encoded.is_empty() {
        return Err(SecretError::Empty);
    }
    let bytes = encoded.as_bytes();

    let unpadded = bytes
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(&bytes[..0], |last| &bytes[..=last]);
    let padding = bytes.len() - unpadded.len();
    if padding > 0 && (padding > 2 || bytes.len() % 4 != 0) {
        return Err(SecretError::NotBase64);
    }
    if !unpadded
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
    {
        return Err(SecretError::NotBase64);
    }
    let standard = unpadded.iter().any(|&b| b == b'+' || b == b'/');
    let url_safe = unpadded.iter().any(|&b| b == b'-' || b == b'_');
    let engine = match (standard, url_safe) {
        (true, true) => return Err(SecretError::MixedAlphabets),
        (false, true) => &URL_SAFE_LENIENT,
        _ => &STANDARD_LENIENT,
    };
    // A lone final character holds six bits, no whole byte.
    let data = if unpadded.len() % 4 == 1 {
        &unpadded[..unpadded.len() - 1]
    } else {
        unpadded
    };
    let key = engine.decode(data).map_err(|_| SecretError::NotBase64)?;
    if key.is_empty() {
        return Err(SecretError::Empty);
    }
    Ok(key)
}

/// The secrets named by the environment: [`SECRET_ENV`], or [`SECRET_ENV_FALLBACK`] when the
/// first is unset or blank. The value may hold several secrets separated by whitespace.
pub(crate) fn secrets_from_env_with(
    var: impl Fn(&str) -> Option<OsString>,
) -> Result<Vec<SigningSecret>, SecretError> {
    for name in [SECRET_ENV, SECRET_ENV_FALLBACK] {
        let Some(value) = var(name) else { continue };
        let value = value
            .into_string()
            .map_err(|_| SecretError::NotUnicode { var: name })?;
        if value.trim().is_empty() {
            continue;
        }
        return value
            .split_ascii_whitespace()
            .map(SigningSecret::new)
            .collect();
    }
    Err(SecretError::NotSet)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn key(secret: &str) -> Result<Vec<u8>, SecretError> {
        decode_secret(secret)
    }

    #[test]
    fn prefix_is_optional_and_whitespace_ignored() {
        let expected = key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(expected.len(), 24);
        assert_eq!(
            key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
            expected
        );
        assert_eq!(
            key("  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n").unwrap(),
            expected
        );
    }

    #[test]
    fn padding_is_optional_but_must_be_complete() {
        // 16 bytes: 22 characters unpadded, 24 padded.
        let padded = "whsec_AAECAwQFBgcICQoLDA0ODw==";
        let unpadded = "whsec_AAECAwQFBgcICQoLDA0ODw";
        let bytes: Vec<u8> = (0..16).collect();
        assert_eq!(key(padded).unwrap(), bytes);
        assert_eq!(key(unpadded).unwrap(), bytes);
        assert_eq!(
            key("whsec_AAECAwQFBgcICQoLDA0ODw=").unwrap_err(),
            SecretError::NotBase64
        );
        assert_eq!(
            key("whsec_AAECAwQFBgcICQoLDA0ODw===").unwrap_err(),
            SecretError::NotBase64
        );
        assert_eq!(key("whsec_AAEC=AwQ").unwrap_err(), SecretError::NotBase64);
    }

    #[test]
    fn both_alphabets_but_not_mixed() {
        let bytes = [0xfb, 0xff, 0xbf];
        assert_eq!(key("whsec_+/+/").unwrap(), bytes);
        assert_eq!(key("whsec_-_-_").unwrap(), bytes);
        assert_eq!(key("whsec_+_-/").unwrap_err(), SecretError::MixedAlphabets);
    }

    #[test]
    fn docs_examples() {
        // The rotation example: 21 characters, the last one carries no whole byte.
        let rotated = key("whsec_n3wS3cr3tK3yG3n3r4t3d").unwrap();
        assert_eq!(rotated.len(), 15);
        assert_eq!(rotated, key("whsec_n3wS3cr3tK3yG3n3r4t3").unwrap());
        // The create example: 20 characters.
        assert_eq!(key("whsec_a1b2c3d4e5f6g7h8i9j0").unwrap().len(), 15);
    }

    #[test]
    fn refusals() {
        assert_eq!(key("").unwrap_err(), SecretError::Empty);
        assert_eq!(key("   ").unwrap_err(), SecretError::Empty);
        assert_eq!(key("whsec_").unwrap_err(), SecretError::Empty);
        assert_eq!(key("whsec_A").unwrap_err(), SecretError::Empty);
        assert_eq!(key("whsec_====").unwrap_err(), SecretError::NotBase64);
        assert_eq!(key("whsec_abc!").unwrap_err(), SecretError::NotBase64);
        assert_eq!(key("whsec_ab cd").unwrap_err(), SecretError::NotBase64);
        assert_eq!(key("whsec_é").unwrap_err(), SecretError::NotBase64);
        assert!(SigningSecret::from_key(&[]).is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let secret = SigningSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }

    #[test]
    fn environment_fallback() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(*v))
            }
        };
        let primary: &'static [(&str, &str)] =
            &[(SECRET_ENV, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
        assert_eq!(secrets_from_env_with(env(primary)).unwrap().len(), 1);
        let fallback: &'static [(&str, &str)] = &[
            (SECRET_ENV, "  "),
            (
                SECRET_ENV_FALLBACK,
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            ),
        ];
        assert_eq!(secrets_from_env_with(env(fallback)).unwrap().len(), 1);
        let both: &'static [(&str, &str)] = &[
            (
                SECRET_ENV,
                "whsec_a1b2c3d4e5f6g7h8i9j0 whsec_n3wS3cr3tK3yG3n3r4t3d",
            ),
            (SECRET_ENV_FALLBACK, "not base64!"),
        ];
        assert_eq!(secrets_from_env_with(env(both)).unwrap().len(), 2);
        let bad: &'static [(&str, &str)] = &[(SECRET_ENV, "whsec_!!")];
        assert_eq!(
            secrets_from_env_with(env(bad)).unwrap_err(),
            SecretError::NotBase64
        );
        assert_eq!(
            secrets_from_env_with(env(&[])).unwrap_err(),
            SecretError::NotSet
        );
    }

    #[cfg(unix)]
    #[test]
    fn environment_not_unicode() {
        use std::os::unix::ffi::OsStringExt;
        let err = secrets_from_env_with(|name| {
            (name == SECRET_ENV).then(|| OsString::from_vec(vec![0xff, 0xfe]))
        })
        .unwrap_err();
        assert_eq!(err, SecretError::NotUnicode { var: SECRET_ENV });
        assert!(!err.to_string().contains('\u{fffd}'));
    }
}
