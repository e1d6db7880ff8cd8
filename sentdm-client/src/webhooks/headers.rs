//! Reading the signature headers from whatever a web framework provides.

use std::fmt;

use sentdm_runtime::webhook::{self, HeaderRole};
pub use sentdm_runtime::webhook::{FnHeaders, WebhookHeaders};

/// Name of the header carrying the webhook's id (`X-Webhook-ID`), in lowercase.
pub const ID_HEADER: &str = "x-webhook-id";
/// Name of the header carrying the delivery's unix timestamp in seconds (`X-Webhook-Timestamp`).
pub const TIMESTAMP_HEADER: &str = "x-webhook-timestamp";
/// Name of the header carrying the signatures (`X-Webhook-Signature`), in lowercase.
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";
/// Name of the header naming the kind of event (`X-Webhook-Event-Type`). It is not signed: use
/// the `field` of the verified body instead.
pub const EVENT_TYPE_HEADER: &str = "x-webhook-event-type";

/// One of the three signed-delivery headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookHeader {
    /// `X-Webhook-ID`
    Id,
    /// `X-Webhook-Timestamp`
    Timestamp,
    /// `X-Webhook-Signature`
    Signature,
}

impl WebhookHeader {
    /// The header's name as the docs spell it (`X-Webhook-ID`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookHeader::Id => "X-Webhook-ID",
            WebhookHeader::Timestamp => "X-Webhook-Timestamp",
            WebhookHeader::Signature => "X-Webhook-Signature",
        }
    }

    /// The header's name in lowercase, as passed to [`WebhookHeaders::header_values`].
    pub fn lowercase(self) -> &'static str {
        match self {
            WebhookHeader::Id => ID_HEADER,
            WebhookHeader::Timestamp => TIMESTAMP_HEADER,
            WebhookHeader::Signature => SIGNATURE_HEADER,
        }
    }

    /// The header a runtime error names.
    pub(crate) fn from_runtime(header: webhook::Header) -> Self {
        match header.role() {
            HeaderRole::Id => WebhookHeader::Id,
            HeaderRole::Timestamp => WebhookHeader::Timestamp,
            // The scheme has no other headers.
            _ => WebhookHeader::Signature,
        }
    }
}

impl fmt::Display for WebhookHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Headers read through a lookup function, for frameworks without [`http::HeaderMap`].
///
/// The function is called with lowercase names ([`ID_HEADER`], [`TIMESTAMP_HEADER`],
/// [`SIGNATURE_HEADER`]) and must find them ignoring case, as HTTP header names are
/// case-insensitive. It gives one value per header; where the framework keeps repeated
/// header lines apart, implement [`WebhookHeaders`] to return them all. It can also map other names, for example those of the
/// [Standard Webhooks](https://www.standardwebhooks.com) scheme:
///
/// ```
/// use sentdm_client::webhooks::{self, Signer, Verifier};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let body = br#"{"field":"messages","payload":{}}"#;
/// let signed = Signer::new(secret)?.sign_now("msg_1", body);
/// let (id, timestamp, signature) = (signed.webhook_id(), signed.timestamp(), signed.signature());
///
/// let headers = webhooks::from_fn(|name| match name {
///     webhooks::ID_HEADER => Some(id),
///     webhooks::TIMESTAMP_HEADER => Some(timestamp),
///     webhooks::SIGNATURE_HEADER => Some(signature),
///     _ => None,
/// });
/// Verifier::new(secret)?.verify(&headers, body)?;
/// # Ok(())
/// # }
/// ```
pub fn from_fn<'h, F>(lookup: F) -> FnHeaders<'h, F>
where
    F: Fn(&str) -> Option<&'h str>,
{
    webhook::from_fn(lookup)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::SENT;
    use super::*;

    #[test]
    fn names_are_the_scheme_s() {
        let headers = [
            (WebhookHeader::Id, SENT.id().unwrap()),
            (WebhookHeader::Timestamp, SENT.timestamp()),
            (WebhookHeader::Signature, SENT.signature()),
        ];
        for (header, runtime) in headers {
            assert_eq!(header.as_str(), runtime.name());
            assert_eq!(header.lowercase(), runtime.name().to_ascii_lowercase());
            assert_eq!(WebhookHeader::from_runtime(runtime), header);
        }
        assert_eq!(
            Some(EVENT_TYPE_HEADER.to_owned()),
            SENT.event_type().map(str::to_ascii_lowercase)
        );
    }
}
