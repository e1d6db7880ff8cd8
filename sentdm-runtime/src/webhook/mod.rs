//! Webhook deliveries signed with HMAC-SHA256: verification, signing and secrets, for any
//! API's signature scheme (feature `webhooks`).
//!
//! The APIs this runtime serves sign their deliveries alike but differ in the details: which
//! headers carry the signature, the timestamp and an id, what exactly is signed, how the tag
//! is written, what the secret looks like. A [`SignatureScheme`] records those details as the
//! API's documentation gives them, and a type implementing [`Scheme`] names it, so that
//! [`Verifier<S>`], [`Signer<S>`] and [`SigningSecret<S>`] work for that API alone.
//!
//! A client crate declares its scheme once and aliases the generic types:
//!
//! ```
//! use std::time::Duration;
//! use sentdm_runtime::webhook::{
//!     self, Scheme, SecretFormat, SignatureFormat, SignatureScheme, SignedPart, TagEncoding,
//! };
//!
//! /// Example's webhook signatures, as its documentation describes them:
//! /// `X-Example-Signature: sha256=<hex HMAC-SHA256 of "{X-Example-Timestamp}.{body}">`.
//! pub const SCHEME: SignatureScheme =
//!     SignatureScheme::new("X-Example-Signature", "X-Example-Timestamp")
//!         .id_header("X-Example-Delivery")
//!         .signed_content(&[SignedPart::Timestamp, SignedPart::Body])
//!         .signature_format(SignatureFormat::Prefixed { prefix: "sha256=" })
//!         .tag_encoding(TagEncoding::Hex)
//!         .secret_format(SecretFormat::Raw)
//!         .tolerance(Duration::from_secs(300))
//!         .secret_env(&["EXAMPLE_WEBHOOK_SECRET"]);
//! const _: () = assert!(SCHEME.is_valid());
//!
//! /// The Example API.
//! pub enum Example {}
//! impl Scheme for Example {
//!     const SCHEME: SignatureScheme = SCHEME;
//! }
//!
//! pub type Verifier = webhook::Verifier<Example>;
//! pub type Signer = webhook::Signer<Example>;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A receiver: the request's `http::HeaderMap` and its body as received.
//! let body = br#"{"event":"message.delivered"}"#;
//! let headers = Signer::new("s3cr3t")?.sign_now(Some("dlv_1"), body).to_header_map()?;
//!
//! let verifier = Verifier::new("s3cr3t")?; // or Verifier::from_env()
//! let delivery = verifier.verify(&headers, body)?;
//! assert_eq!(delivery.id.as_deref(), Some("dlv_1"));
//! # Ok(())
//! # }
//! ```
//!
//! Headers come from an [`http::HeaderMap`], a list of `(name, value)` pairs, or any lookup
//! function through [`from_fn`]; names are matched ignoring case. A verified body decodes into
//! any [`Payload`] (the client's event type, or [`Json`]) with
//! [`Verifier::verify_payload`]. With the `axum` feature, the `webhook::axum` module has
//! extractors that do all of this and answer 401 on failure.
//!
//! Secrets are parsed once, when the verifier is built (an invalid secret is an error then),
//! and never appear in `Debug` output or in error messages.

#[cfg(feature = "axum")]
pub mod axum;
mod delivery;
mod headers;
mod payload;
mod scheme;
mod secret;
mod sign;
mod verify;

pub use self::delivery::{Delivery, VerifyError};
pub use self::headers::{FnHeaders, WebhookHeaders, from_fn};
pub use self::payload::{Json, Payload, Verified, WebhookError};
pub use self::scheme::{
    DEFAULT_TOLERANCE, Header, HeaderRole, Scheme, SecretFormat, SignatureFormat, SignatureScheme,
    SignedPart, TagEncoding, TimestampUnit,
};
pub use self::secret::{SecretError, SigningSecret};
pub use self::sign::{SignedHeaders, Signer};
pub use self::verify::Verifier;
