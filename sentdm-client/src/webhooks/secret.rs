//! Signing secrets: parsing `whsec_…` strings into HMAC keys.

use std::fmt;
use std::str::FromStr;

use sentdm_runtime::webhook;

use super::SentScheme;

/// Prefix of Sent.dm signing secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Environment variable holding the webhook signing secret.
pub const SECRET_ENV: &str = "SENT_DM_WEBHOOK_SECRET";

/// Environment variable read when [`SECRET_ENV`] is unset or empty (the name used by the SDK
/// pages).
pub const SECRET_ENV_FALLBACK: &str = "SENT_WEBHOOK_SECRET";

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

impl From<webhook::SecretError> for SecretError {
    fn from(err: webhook::SecretError) -> Self {
        match err {
            webhook::SecretError::Empty => SecretError::Empty,
            webhook::SecretError::MixedAlphabets => SecretError::MixedAlphabets,
            webhook::SecretError::NoSecret => SecretError::NoSecret,
            webhook::SecretError::NotSet { .. } => SecretError::NotSet,
            webhook::SecretError::NotUnicode { var } => SecretError::NotUnicode { var },
            // `NotBase64`, and whatever else makes a secret unusable.
            _ => SecretError::NotBase64,
        }
    }
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
    inner: webhook::SigningSecret<SentScheme>,
}

impl SigningSecret {
    /// Parses a `whsec_…` secret (see the type's documentation for what is accepted).
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        Ok(SigningSecret {
            inner: webhook::SigningSecret::new(secret)?,
        })
    }

    /// Uses raw key bytes (the already-decoded secret).
    pub fn from_key(key: &[u8]) -> Result<Self, SecretError> {
        Ok(SigningSecret {
            inner: webhook::SigningSecret::from_key(key)?,
        })
    }
}

impl From<SigningSecret> for webhook::SigningSecret<SentScheme> {
    fn from(secret: SigningSecret) -> Self {
        secret.inner
    }
}

impl From<webhook::SigningSecret<SentScheme>> for SigningSecret {
    fn from(inner: webhook::SigningSecret<SentScheme>) -> Self {
        SigningSecret { inner }
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::SENT;
    use super::*;

    #[test]
    fn the_scheme_reads_these_variables() {
        assert_eq!(SENT.secret_vars(), [SECRET_ENV, SECRET_ENV_FALLBACK]);
        assert_eq!(
            SENT.secret(),
            webhook::SecretFormat::Base64 {
                prefix: SECRET_PREFIX
            }
        );
    }

    #[test]
    fn runtime_errors_keep_their_meaning() {
        for (runtime, expected) in [
            (webhook::SecretError::Empty, SecretError::Empty),
            (webhook::SecretError::NotBase64, SecretError::NotBase64),
            (
                webhook::SecretError::MixedAlphabets,
                SecretError::MixedAlphabets,
            ),
            (webhook::SecretError::NoSecret, SecretError::NoSecret),
            (
                webhook::SecretError::NotSet {
                    vars: SENT.secret_vars(),
                },
                SecretError::NotSet,
            ),
            (
                webhook::SecretError::NotUnicode { var: SECRET_ENV },
                SecretError::NotUnicode { var: SECRET_ENV },
            ),
        ] {
            assert_eq!(SecretError::from(runtime), expected);
        }
    }

    #[test]
    fn docs_secrets() {
        for secret in [
            "whsec_a1b2c3d4e5f6g7h8i9j0",
            "whsec_n3wS3cr3tK3yG3n3r4t3d",
            "  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            SigningSecret::new(secret).unwrap();
        }
        assert_eq!(
            SigningSecret::new("whsec_+_-/").unwrap_err(),
            SecretError::MixedAlphabets
        );
        assert_eq!(
            SigningSecret::new("whsec_A").unwrap_err(),
            SecretError::Empty
        );
        assert_eq!(
            SigningSecret::new("whsec_abc!").unwrap_err(),
            SecretError::NotBase64
        );
        let secret = SigningSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
