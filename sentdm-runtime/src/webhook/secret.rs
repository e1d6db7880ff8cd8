//! Signing secrets: turning the text an API hands out into an HMAC key.

use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use super::scheme::{Scheme, SecretFormat, SignedPart};

type HmacSha256 = Hmac<Sha256>;

/// Lenient decoders for base64 secrets: no padding expected (it is removed first), non-zero
/// trailing bits accepted.
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
    /// The part after the prefix is not base64.
    #[error("the webhook signing secret is not base64 after its prefix")]
    NotBase64,
    /// The secret uses characters of both the standard (`+`, `/`) and the URL-safe (`-`, `_`)
    /// base64 alphabets.
    #[error("the webhook signing secret mixes the standard and URL-safe base64 alphabets")]
    MixedAlphabets,
    /// A verifier was asked to hold no secret at all.
    #[error("no webhook signing secret was given")]
    NoSecret,
    /// None of the scheme's environment variables is set (or the scheme names none).
    #[error("{}", NotSetMessage(.vars))]
    NotSet {
        /// The variables read, in order.
        vars: &'static [&'static str],
    },
    /// An environment variable is not valid Unicode.
    #[error("the environment variable {var} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
}

struct NotSetMessage<'a>(&'a [&'static str]);

impl fmt::Display for NotSetMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("the webhook scheme names no environment variable for its secret"),
            [one] => write!(f, "{one} is not set"),
            [first, rest @ ..] => {
                write!(f, "none of {first}")?;
                for var in rest {
                    write!(f, ", {var}")?;
                }
                f.write_str(" is set")
            }
        }
    }
}

/// A webhook signing secret of scheme `S`, decoded into its HMAC-SHA256 key.
///
/// [`new`](Self::new) reads the secret as the scheme's [`SecretFormat`] says;
/// [`from_key`](Self::from_key) takes the key bytes themselves. `Debug` shows `[redacted]`;
/// there is no way to read the key back.
pub struct SigningSecret<S> {
    /// HMAC state with the key already absorbed; cloned for every signature.
    mac: HmacSha256,
    scheme: PhantomData<fn() -> S>,
}

impl<S> Clone for SigningSecret<S> {
    fn clone(&self) -> Self {
        SigningSecret {
            mac: self.mac.clone(),
            scheme: PhantomData,
        }
    }
}

impl<S> fmt::Debug for SigningSecret<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<S: Scheme> SigningSecret<S> {
    /// Parses a secret in the scheme's [`SecretFormat`].
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        match S::SCHEME.secret() {
            SecretFormat::Base64 { prefix } => Self::from_key(&decode_base64(secret, prefix)?),
            SecretFormat::Raw => Self::from_key(trim(secret).as_bytes()),
        }
    }

    /// Uses raw key bytes (the already-decoded secret).
    pub fn from_key(key: &[u8]) -> Result<Self, SecretError> {
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        let mac = HmacSha256::new_from_slice(key).map_err(|_| SecretError::Empty)?;
        Ok(SigningSecret {
            mac,
            scheme: PhantomData,
        })
    }

    /// HMAC-SHA256 of the scheme's signed parts joined with `.`.
    pub(crate) fn tag(&self, id: &[u8], timestamp: &[u8], body: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        for (i, part) in S::SCHEME.signed_parts().iter().enumerate() {
            if i > 0 {
                mac.update(b".");
            }
            mac.update(match part {
                SignedPart::Id => id,
                SignedPart::Timestamp => timestamp,
                SignedPart::Body => body,
            });
        }
        mac.finalize().into_bytes().into()
    }
}

impl<S: Scheme> FromStr for SigningSecret<S> {
    type Err = SecretError;

    fn from_str(secret: &str) -> Result<Self, Self::Err> {
        Self::new(secret)
    }
}

impl<S: Scheme> TryFrom<&str> for SigningSecret<S> {
    type Error = SecretError;

    fn try_from(secret: &str) -> Result<Self, Self::Error> {
        Self::new(secret)
    }
}

impl<S: Scheme> TryFrom<&String> for SigningSecret<S> {
    type Error = SecretError;

    fn try_from(secret: &String) -> Result<Self, Self::Error> {
        Self::new(secret)
    }
}

impl<S: Scheme> TryFrom<String> for SigningSecret<S> {
    type Error = SecretError;

    fn try_from(secret: String) -> Result<Self, Self::Error> {
        Self::new(&secret)
    }
}

fn trim(secret: &str) -> &str {
    secret.trim_matches(|c: char| c.is_ascii_whitespace())
}

/// The key bytes of a base64 secret with an optional prefix.
pub(crate) fn decode_base64(secret: &str, prefix: &str) -> Result<Vec<u8>, SecretError> {
    let trimmed = trim(secret);
    let encoded = if prefix.is_empty() {
        trimmed
    } else {
        trimmed.strip_prefix(prefix).unwrap_or(trimmed)
    };
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

/// The secrets named by the environment: the first of the scheme's variables that is set and
/// not blank. The value may hold several secrets separated by whitespace.
pub(crate) fn secrets_from_env_with<S: Scheme>(
    var: impl Fn(&str) -> Option<OsString>,
) -> Result<Vec<SigningSecret<S>>, SecretError> {
    let vars = S::SCHEME.secret_vars();
    for &name in vars {
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
    Err(SecretError::NotSet { vars })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use hmac::Mac as _;

    use super::super::scheme::SignatureScheme;
    use super::*;

    enum Prefixed {}
    impl Scheme for Prefixed {
        const SCHEME: SignatureScheme = SignatureScheme::new("X-Sig", "X-Time")
            .secret_format(SecretFormat::Base64 { prefix: "whsec_" })
            .secret_env(&["PRIMARY_SECRET", "FALLBACK_SECRET"]);
    }

    enum Raw {}
    impl Scheme for Raw {
        const SCHEME: SignatureScheme = SignatureScheme::new("X-Sig", "X-Time");
    }

    fn key(secret: &str) -> Result<Vec<u8>, SecretError> {
        decode_base64(secret, "whsec_")
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
        // Without a prefix in the format, `whsec_` is part of the (URL-safe) base64.
        let whole = decode_base64("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "").unwrap();
        assert_ne!(whole, expected);
        assert_eq!(
            decode_base64("whsec:MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ""),
            Err(SecretError::NotBase64)
        );
        assert_eq!(
            decode_base64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "").unwrap(),
            expected
        );
    }

    #[test]
    fn padding_is_optional_but_must_be_complete() {
        // 16 bytes: 22 characters unpadded, 24 padded.
        let bytes: Vec<u8> = (0..16).collect();
        assert_eq!(key("whsec_AAECAwQFBgcICQoLDA0ODw==").unwrap(), bytes);
        assert_eq!(key("whsec_AAECAwQFBgcICQoLDA0ODw").unwrap(), bytes);
        for bad in [
            "whsec_AAECAwQFBgcICQoLDA0ODw=",
            "whsec_AAECAwQFBgcICQoLDA0ODw===",
            "whsec_AAEC=AwQ",
        ] {
            assert_eq!(key(bad).unwrap_err(), SecretError::NotBase64, "{bad}");
        }
    }

    #[test]
    fn both_alphabets_but_not_mixed() {
        let bytes = [0xfb, 0xff, 0xbf];
        assert_eq!(key("whsec_+/+/").unwrap(), bytes);
        assert_eq!(key("whsec_-_-_").unwrap(), bytes);
        assert_eq!(key("whsec_+_-/").unwrap_err(), SecretError::MixedAlphabets);
    }

    #[test]
    fn a_lone_last_character_is_ignored() {
        let rotated = key("whsec_n3wS3cr3tK3yG3n3r4t3d").unwrap();
        assert_eq!(rotated.len(), 15);
        assert_eq!(rotated, key("whsec_n3wS3cr3tK3yG3n3r4t3").unwrap());
        assert_eq!(key("whsec_a1b2c3d4e5f6g7h8i9j0").unwrap().len(), 15);
    }

    #[test]
    fn refusals() {
        assert_eq!(key("").unwrap_err(), SecretError::Empty);
        assert_eq!(key("   ").unwrap_err(), SecretError::Empty);
        assert_eq!(key("whsec_").unwrap_err(), SecretError::Empty);
        assert_eq!(key("whsec_A").unwrap_err(), SecretError::Empty);
        for bad in ["whsec_====", "whsec_abc!", "whsec_ab cd", "whsec_é"] {
            assert_eq!(key(bad).unwrap_err(), SecretError::NotBase64, "{bad}");
        }
        assert!(SigningSecret::<Prefixed>::from_key(&[]).is_err());
    }

    #[test]
    fn raw_secrets_are_their_bytes() {
        let mut a = SigningSecret::<Raw>::new(" s3cr3t\n").unwrap().mac;
        let mut b = SigningSecret::<Raw>::from_key(b"s3cr3t").unwrap().mac;
        a.update(b"x");
        b.update(b"x");
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
        assert_eq!(
            SigningSecret::<Raw>::new(" \t").unwrap_err(),
            SecretError::Empty
        );
        // Anything is a raw secret, base64 or not.
        assert!(SigningSecret::<Raw>::new("whsec_!!").is_ok());
    }

    #[test]
    fn debug_is_redacted() {
        let secret = SigningSecret::<Prefixed>::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert_eq!(format!("{:?}", secret.unwrap()), "[redacted]");
        let raw = SigningSecret::<Raw>::new("hunter2").unwrap();
        assert_eq!(format!("{raw:?}"), "[redacted]");
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(*v))
        }
    }

    #[test]
    fn environment_in_order() {
        const ONE: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let from = |pairs: &'static [(&'static str, &'static str)]| {
            secrets_from_env_with::<Prefixed>(env(pairs))
        };
        assert_eq!(from(&[("PRIMARY_SECRET", ONE)]).unwrap().len(), 1);
        assert_eq!(
            from(&[("PRIMARY_SECRET", "  "), ("FALLBACK_SECRET", ONE)])
                .unwrap()
                .len(),
            1
        );
        let both = from(&[
            (
                "PRIMARY_SECRET",
                "whsec_a1b2c3d4e5f6g7h8i9j0 whsec_n3wS3cr3tK3yG3n3r4t3d",
            ),
            ("FALLBACK_SECRET", "not base64!"),
        ]);
        assert_eq!(both.unwrap().len(), 2);
        assert_eq!(
            from(&[("PRIMARY_SECRET", "whsec_!!")]).unwrap_err(),
            SecretError::NotBase64
        );
        let unset = from(&[]).unwrap_err();
        assert_eq!(
            unset,
            SecretError::NotSet {
                vars: &["PRIMARY_SECRET", "FALLBACK_SECRET"]
            }
        );
        assert_eq!(
            unset.to_string(),
            "none of PRIMARY_SECRET, FALLBACK_SECRET is set"
        );
        let none = secrets_from_env_with::<Raw>(env(&[("PRIMARY_SECRET", ONE)])).unwrap_err();
        assert_eq!(none, SecretError::NotSet { vars: &[] });
        assert!(none.to_string().contains("names no environment variable"));
    }

    #[cfg(unix)]
    #[test]
    fn environment_not_unicode() {
        use std::os::unix::ffi::OsStringExt;
        let err = secrets_from_env_with::<Prefixed>(|name| {
            (name == "PRIMARY_SECRET").then(|| OsString::from_vec(vec![0xff, 0xfe]))
        })
        .unwrap_err();
        assert_eq!(
            err,
            SecretError::NotUnicode {
                var: "PRIMARY_SECRET"
            }
        );
        assert!(!err.to_string().contains('\u{fffd}'));
    }
}
