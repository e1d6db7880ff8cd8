//! Reading the signature headers from whatever a web framework provides.

use std::fmt;
use std::marker::PhantomData;

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
}

impl fmt::Display for WebhookHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Request headers a delivery can be verified from.
///
/// Implemented for [`http::HeaderMap`] (axum, hyper, reqwest, …), for lists of
/// `(name, value)` pairs (slices, arrays and vectors, matched ignoring ASCII case), for
/// [`SignedHeaders`](super::SignedHeaders), and for a lookup function wrapped with
/// [`from_fn`].
///
/// HTTP allows a header line to be repeated, the values forming a list, so an implementation
/// returns every value. The verifier considers every `X-Webhook-Signature` value, and refuses
/// a delivery whose repeated `X-Webhook-ID` or `X-Webhook-Timestamp` lines differ.
pub trait WebhookHeaders {
    /// Every value of the header `name` (given in lowercase, for example [`ID_HEADER`]),
    /// found ignoring ASCII case, in the order received; empty when the header is absent.
    fn header_values(&self, name: &str) -> Vec<&[u8]>;
}

impl<T: WebhookHeaders + ?Sized> WebhookHeaders for &T {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        (**self).header_values(name)
    }
}

impl WebhookHeaders for http::HeaderMap {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        const ID: http::HeaderName = http::HeaderName::from_static(ID_HEADER);
        const TIMESTAMP: http::HeaderName = http::HeaderName::from_static(TIMESTAMP_HEADER);
        const SIGNATURE: http::HeaderName = http::HeaderName::from_static(SIGNATURE_HEADER);
        // The three names are prepared; others are parsed (and lowercased) by `HeaderMap`.
        let values = match name {
            ID_HEADER => self.get_all(&ID),
            TIMESTAMP_HEADER => self.get_all(&TIMESTAMP),
            SIGNATURE_HEADER => self.get_all(&SIGNATURE),
            other => self.get_all(other),
        };
        values.iter().map(http::HeaderValue::as_bytes).collect()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> WebhookHeaders for [(K, V)] {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.iter()
            .filter(|(key, _)| key.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> WebhookHeaders for [(K, V); N] {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.as_slice().header_values(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> WebhookHeaders for Vec<(K, V)> {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.as_slice().header_values(name)
    }
}

/// Headers read through a lookup function; see [`from_fn`].
pub struct FnHeaders<'h, F> {
    lookup: F,
    values: PhantomData<&'h str>,
}

impl<F> fmt::Debug for FnHeaders<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnHeaders").finish_non_exhaustive()
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
    FnHeaders {
        lookup,
        values: PhantomData,
    }
}

impl<'h, F> WebhookHeaders for FnHeaders<'h, F>
where
    F: Fn(&str) -> Option<&'h str>,
{
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        (self.lookup)(name).map(str::as_bytes).into_iter().collect()
    }
}
