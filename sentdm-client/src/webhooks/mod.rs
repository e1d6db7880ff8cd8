//! Webhook deliveries: verification, typed events and signing.
//!
//! Sent.dm signs every delivery with the webhook's signing secret (the `whsec_…`
//! `signing_secret` returned when the webhook is created or its secret rotated):
//!
//! | Header | Value |
//! |---|---|
//! | `X-Webhook-ID` | the webhook's id |
//! | `X-Webhook-Timestamp` | when the delivery was sent, in seconds since the unix epoch |
//! | `X-Webhook-Signature` | `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">`, possibly several space-separated |
//!
//! A [`Verifier`] checks these against the raw body — before it is parsed — and rejects
//! deliveries whose timestamp is more than five minutes (configurable) from the clock; a
//! verified body decodes into a typed [`Event`]:
//!
//! ```
//! use sentdm_client::webhooks::{Event, Signer, Verifier, WebhookError};
//! use sentdm_client::types::MessageStatus;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let secret = "whsec_a1b2c3d4e5f6g7h8i9j0";
//! # let body = br#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"sms"}}"#;
//! # let headers = Signer::new(secret)?.sign_now("d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8", body).to_header_map()?;
//! // `headers`: the request's `http::HeaderMap`; `body`: its bytes as received.
//! let verifier = Verifier::new(secret)?; // or Verifier::from_env()
//! match verifier.verify_event(&headers, body) {
//!     Ok(delivery) => {
//!         if let Event::Message(status) = delivery.event {
//!             assert_eq!(status.message_status, Some(MessageStatus::Delivered));
//!         }
//!     }
//!     Err(WebhookError::Verify(reason)) => eprintln!("rejected: {reason}"), // answer 401
//!     Err(other) => eprintln!("authentic but not an event: {other}"),       // answer 400
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Headers come from an [`http::HeaderMap`], a list of `(name, value)` pairs, or any lookup
//! function through [`from_fn`]; names are matched ignoring case. With the `axum` feature,
//! [`WebhookEvent`] and `webhooks::axum::VerifiedWebhook` are axum extractors that do all of
//! this and answer 401 on failure (see the `webhooks::axum` module).
//!
//! A [`Signer`] produces the headers for a body, for tests of code that receives deliveries.
//!
//! Secrets are parsed once, when the verifier is built (an invalid secret is an error
//! then), and never appear in `Debug` output or in error messages; see [`SigningSecret`] for the
//! accepted encodings.

#[cfg(feature = "axum")]
pub mod axum;
mod event;
mod headers;
mod secret;
mod sign;
mod verify;

use sentdm_runtime::webhook::{
    Scheme, SecretFormat, SignatureFormat, SignatureScheme, SignedPart, TagEncoding, TimestampUnit,
};

pub use self::event::{Event, EventError, WebhookError, WebhookEvent};
pub use self::headers::{
    EVENT_TYPE_HEADER, FnHeaders, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookHeader,
    WebhookHeaders, from_fn,
};
pub use self::secret::{
    SECRET_ENV, SECRET_ENV_FALLBACK, SECRET_PREFIX, SecretError, SigningSecret,
};
pub use self::sign::{SignedHeaders, Signer};
pub use self::verify::{DEFAULT_TOLERANCE, Delivery, Verifier, VerifyError};

/// Sent.dm's webhook signature scheme, as the SDK pages document it; the types of this module
/// use it through [`SentScheme`].
///
/// | Part | Sent.dm |
/// |---|---|
/// | Signature header | `X-Webhook-Signature`: space-separated `v1,<base64>` entries |
/// | Signed content | `{X-Webhook-ID}.{X-Webhook-Timestamp}.{raw body}`, HMAC-SHA256 |
/// | Tag | padded standard base64 |
/// | Id header | `X-Webhook-ID`: the webhook's id (signed, so required) |
/// | Timestamp header | `X-Webhook-Timestamp`: seconds since the unix epoch |
/// | Event-type header | `X-Webhook-Event-Type`: `messages` or `templates` (not signed) |
/// | Secret | [`SECRET_PREFIX`] (`whsec_`), optional, then the base64 key |
/// | Tolerance | five minutes ([`DEFAULT_TOLERANCE`]) |
/// | Environment | [`SECRET_ENV`], then [`SECRET_ENV_FALLBACK`] |
///
/// The TypeScript SDK page: "`X-Webhook-Signature` | `v1,{base64}` — HMAC-SHA256 of
/// `{webhookId}.{timestamp}.{rawBody}`", and of the secret: "has a `whsec_` prefix. Strip it
/// and **base64-decode** the remainder to obtain the raw HMAC key."
pub const SENT: SignatureScheme =
    SignatureScheme::new("X-Webhook-Signature", "X-Webhook-Timestamp")
        .id_header("X-Webhook-ID")
        .event_type_header("X-Webhook-Event-Type")
        .signed_content(&[SignedPart::Id, SignedPart::Timestamp, SignedPart::Body])
        .signature_format(SignatureFormat::Versioned { version: "v1" })
        .tag_encoding(TagEncoding::Base64)
        .secret_format(SecretFormat::Base64 {
            prefix: SECRET_PREFIX,
        })
        .timestamp_unit(TimestampUnit::Seconds)
        .tolerance(DEFAULT_TOLERANCE)
        .secret_env(&[SECRET_ENV, SECRET_ENV_FALLBACK]);

const _: () = assert!(SENT.is_valid());

/// Sent.dm, as a [`Scheme`]: the runtime's generic webhook types for Sent.dm deliveries are
/// `sentdm_client::runtime::webhook::Verifier<SentScheme>` and so on, which this module's
/// types convert to and from.
#[derive(Debug)]
pub enum SentScheme {}

impl Scheme for SentScheme {
    const SCHEME: SignatureScheme = SENT;
}
