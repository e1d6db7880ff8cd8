//! Reading the signature headers from whatever a web framework provides.

use std::fmt;
use std::marker::PhantomData;

/// Request headers a delivery can be verified from.
///
/// Implemented for [`http::HeaderMap`] (axum, hyper, reqwest, …), for lists of
/// `(name, value)` pairs (slices, arrays and vectors, matched ignoring ASCII case), for
/// [`SignedHeaders`](super::SignedHeaders), and for a lookup function wrapped with
/// [`from_fn`].
///
/// HTTP allows a header line to be repeated, the values forming a list, so an implementation
/// returns every value. The verifier considers every value of the signature header, and
/// refuses a delivery whose repeated id or timestamp lines differ.
pub trait WebhookHeaders {
    /// Every value of the header `name` (given in lowercase, for example `x-webhook-id`),
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
        self.get_all(name)
            .iter()
            .map(http::HeaderValue::as_bytes)
            .collect()
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
/// The function is called with the scheme's header names in lowercase and must find them
/// ignoring case, as HTTP header names are case-insensitive. It gives one value per header;
/// where the framework keeps repeated header lines apart, implement [`WebhookHeaders`] to
/// return them all. It can also map other names onto the scheme's:
///
/// ```
/// use sentdm_runtime::webhook::{self, Scheme, SignatureScheme, Signer, Verifier};
///
/// enum Example {}
/// impl Scheme for Example {
///     const SCHEME: SignatureScheme = SignatureScheme::new("X-Example-Signature", "X-Example-Timestamp");
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let body = br#"{"event":"ping"}"#;
/// let signed = Signer::<Example>::new("s3cr3t")?.sign_now(None, body);
/// let (timestamp, signature) = (signed.timestamp(), signed.signature());
///
/// // A framework that renamed the headers on the way in.
/// let headers = webhook::from_fn(|name| match name {
///     "x-example-timestamp" => Some(timestamp),
///     "x-example-signature" => Some(signature),
///     _ => None,
/// });
/// Verifier::<Example>::new("s3cr3t")?.verify(&headers, body)?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_source_finds_every_value_ignoring_case() {
        let mut map = http::HeaderMap::new();
        map.append("X-Sig", http::HeaderValue::from_static("a"));
        map.append("x-sig", http::HeaderValue::from_static("b"));
        assert_eq!(map.header_values("x-sig"), [b"a", b"b"]);
        assert!(map.header_values("x-other").is_empty());
        assert!(map.header_values("").is_empty());

        let pairs = vec![("X-SIG", "a"), ("Other", "c"), ("x-Sig", "b")];
        assert_eq!(pairs.header_values("x-sig"), [b"a", b"b"]);
        assert_eq!(pairs.as_slice().header_values("other"), [b"c"]);
        let array = [("x-sig", b"\xff".as_slice())];
        assert_eq!(array.header_values("x-sig"), [b"\xff"]);
        assert_eq!((&&array).header_values("x-sig"), [b"\xff"]);

        let lookup = from_fn(|name| (name == "x-sig").then_some("v"));
        assert_eq!(lookup.header_values("x-sig"), [b"v"]);
        assert!(lookup.header_values("x-other").is_empty());
        assert_eq!(format!("{lookup:?}"), "FnHeaders { .. }");
    }
}
