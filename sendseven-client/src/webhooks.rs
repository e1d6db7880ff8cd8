//! Webhook deliveries from SendSeven: signature verification, and signing for tests.
//!
//! SendSeven signs every delivery with HMAC-SHA256, as its documentation says
//! (`spec/sendseven/docs/examples.md`, "Webhook Security"):
//!
//! | Header | Value |
//! |---|---|
//! | `X-Sendseven-Timestamp` | when the delivery was sent, Unix time in seconds |
//! | `X-Sendseven-Signature` | `sha256=<hex HMAC-SHA256 of "{timestamp}.{raw body}">` |
//!
//! The documentation says no more: it names no delivery-id header, does not describe the events
//! or their bodies, does not say where the signing secret comes from or what it looks like (its
//! bytes are the HMAC key, as given), and gives no timestamp tolerance (deliveries more than five
//! minutes from the clock are refused; see [`Verifier::tolerance`](sentdm_runtime::webhook::Verifier::tolerance)).
//! A verified body is therefore JSON of no documented shape: decode it into your own type, or
//! [`serde_json::Value`]:
//!
//! ```
//! use sendseven_client::webhooks::{Json, Signer, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let body = br#"{"event":"message.received","data":{"text":"hi"}}"#;
//! # let headers = Signer::new("your-webhook-secret")?.sign_now(None, body).to_header_map()?;
//! // `headers`: the request's `http::HeaderMap`; `body`: its bytes as received.
//! let verifier = Verifier::new("your-webhook-secret")?;
//! let verified = verifier.verify_payload::<Json<serde_json::Value>, _>(&headers, body)?;
//! println!("sent at {}: {}", verified.delivery.timestamp, verified.payload.0);
//! # Ok(())
//! # }
//! ```
//!
//! With the `axum` feature, `sentdm_runtime::webhook::axum` has extractors that verify a
//! request with a [`Verifier`] from the router's state and answer 401 on failure.

use sentdm_runtime::webhook::{
    self, DEFAULT_TOLERANCE, Scheme, SecretFormat, SignatureFormat, SignatureScheme, SignedPart,
    TagEncoding, TimestampUnit,
};

pub use sentdm_runtime::webhook::{
    Delivery, Json, Payload, SecretError, SignedHeaders, Verified, VerifyError, WebhookError,
    WebhookHeaders, from_fn,
};

/// SendSeven's signature scheme, as documented: "Webhooks are signed with HMAC-SHA256",
/// "`X-Sendseven-Signature: sha256=<hex_digest>`", "`X-Sendseven-Timestamp: <unix_timestamp>`",
/// "Message format for signature: `{timestamp}.{json_payload}`".
pub const SENDSEVEN: SignatureScheme =
    SignatureScheme::new("X-Sendseven-Signature", "X-Sendseven-Timestamp")
        .signed_content(&[SignedPart::Timestamp, SignedPart::Body])
        .signature_format(SignatureFormat::Prefixed { prefix: "sha256=" })
        .tag_encoding(TagEncoding::Hex)
        .secret_format(SecretFormat::Raw)
        .timestamp_unit(TimestampUnit::Seconds)
        .tolerance(DEFAULT_TOLERANCE);

const _: () = assert!(SENDSEVEN.is_valid());

/// The SendSeven API, as a [`Scheme`] for the runtime's generic webhook types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendSeven {}

impl Scheme for SendSeven {
    const SCHEME: SignatureScheme = SENDSEVEN;
}

/// Verifies SendSeven deliveries (several secrets for rotation; constant-time comparison).
pub type Verifier = webhook::Verifier<SendSeven>;
/// Signs bodies as SendSeven does, for tests of code that receives deliveries.
pub type Signer = webhook::Signer<SendSeven>;
/// A SendSeven webhook signing secret; never shown in `Debug` output.
pub type SigningSecret = webhook::SigningSecret<SendSeven>;
