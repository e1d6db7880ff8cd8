//! Successful responses: the decoded payload plus metadata, status and headers.

use std::fmt;
use std::ops::Deref;

use http::{HeaderMap, HeaderValue, StatusCode};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::headers::{ORIGINAL_REQUEST_ID_HEADER, REPLAYED_HEADER, REQUEST_ID_HEADER, header_str};
use super::rate_limit::RateLimit;

/// Metadata the API returns beside the payload (the envelope's `meta` object).
///
/// Reading it never fails a response: missing or malformed fields are `None`, unknown fields
/// are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Meta {
    /// Server-assigned request id, such as `req_7X9zKp2jDw`.
    pub request_id: Option<String>,
    /// When the server produced the response (RFC 3339), if it sent a valid timestamp.
    pub timestamp: Option<OffsetDateTime>,
    /// The timestamp exactly as sent, also when it could not be parsed.
    pub timestamp_raw: Option<String>,
    /// API version that served the request, such as `v3`.
    pub version: Option<String>,
    /// Server processing time in milliseconds.
    pub response_time_ms: Option<u64>,
}

impl Meta {
    /// Reads metadata leniently from a JSON value; anything that is not an object gives the
    /// empty `Meta`.
    pub fn from_json(value: &Value) -> Meta {
        let Some(object) = value.as_object() else {
            return Meta::default();
        };
        let lenient = |key: &str| match object.get(key) {
            Some(Value::String(s)) => Lenient::Text(s.clone()),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Lenient::Unsigned(u),
                (None, Some(i), _) => Lenient::Signed(i),
                (None, None, Some(f)) => Lenient::Float(f),
                _ => Lenient::Nothing,
            },
            _ => Lenient::Nothing,
        };
        let mut meta = Meta {
            request_id: lenient("request_id").into_text(),
            version: lenient("version").into_text(),
            response_time_ms: lenient("response_time_ms").into_millis(),
            ..Meta::default()
        };
        meta.set_timestamp(lenient("timestamp").into_text());
        meta
    }

    /// Sets the timestamp as sent, and parsed when it is valid RFC 3339.
    pub(crate) fn set_timestamp(&mut self, raw: Option<String>) {
        self.timestamp = raw
            .as_deref()
            .and_then(|raw| OffsetDateTime::parse(raw, &Rfc3339).ok());
        self.timestamp_raw = raw;
    }
}

/// A decoded success response.
///
/// Dereferences to the payload, so fields of `T` can be read directly; [`Response::meta`],
/// [`Response::status`] and [`Response::headers`] give the rest.
#[derive(Debug, Clone)]
pub struct Response<T> {
    data: T,
    meta: Meta,
    status: StatusCode,
    headers: HeaderMap,
    idempotency_key: Option<HeaderValue>,
}

impl<T> Response<T> {
    /// Assembles a response (useful for tests and mocks).
    pub fn new(data: T, meta: Meta, status: StatusCode, headers: HeaderMap) -> Self {
        Response {
            data,
            meta,
            status,
            headers,
            idempotency_key: None,
        }
    }

    /// Records the `Idempotency-Key` the request was sent with (a key that is not a valid
    /// header value is not recorded).
    #[must_use]
    pub fn with_idempotency_key(self, key: Option<String>) -> Self {
        let key = key.and_then(|key| HeaderValue::try_from(key).ok());
        self.with_key_header(key)
    }

    /// Records the `Idempotency-Key` header the request was sent with.
    pub(crate) fn with_key_header(mut self, key: Option<HeaderValue>) -> Self {
        self.idempotency_key = key;
        self
    }

    /// The payload.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Consumes the response and returns the payload.
    pub fn into_data(self) -> T {
        self.data
    }

    /// Consumes the response and returns all of its parts.
    pub fn into_parts(self) -> (T, Meta, StatusCode, HeaderMap) {
        (self.data, self.meta, self.status, self.headers)
    }

    /// Response metadata (empty for APIs without an envelope).
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Server-assigned request id: `meta.request_id`, or else the `X-Request-Id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.meta
            .request_id
            .as_deref()
            .or_else(|| header_str(&self.headers, REQUEST_ID_HEADER))
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `Idempotency-Key` the request was sent with (the same on every attempt): the
    /// caller's, or the one the runtime generated for an operation that documents the header.
    /// Sending the same request again later with this key returns the stored response instead
    /// of repeating the operation.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_ref().and_then(|v| v.to_str().ok())
    }

    /// Whether the server answered with the stored response of an earlier request with the
    /// same `Idempotency-Key` (`Idempotent-Replayed: true`) instead of performing the operation
    /// again.
    pub fn idempotent_replayed(&self) -> bool {
        header_str(&self.headers, REPLAYED_HEADER).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether the server handled the request in sandbox mode (`X-Sandbox: true`): validated,
    /// but nothing sent, stored or changed.
    pub fn is_sandbox(&self) -> bool {
        header_str(&self.headers, "x-sandbox").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// For a replayed response, the request id of the original request
    /// (`X-Original-Request-Id`).
    pub fn original_request_id(&self) -> Option<&str> {
        header_str(&self.headers, ORIGINAL_REQUEST_ID_HEADER)
    }

    /// The rate limit this response advertises (`X-RateLimit-*`), if it carries any of those
    /// headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// Transforms the payload, keeping metadata, status, headers and idempotency key.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            meta: self.meta,
            status: self.status,
            headers: self.headers,
            idempotency_key: self.idempotency_key,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.data
    }
}

/// `meta`, read leniently: the fields of [`Meta`] when they have a usable type, everything
/// else skipped.
pub(crate) struct MetaDe(pub(crate) Meta);

impl<'de> Deserialize<'de> for MetaDe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<MetaDe, D::Error> {
        deserializer.deserialize_any(MetaVisitor)
    }
}

struct MetaVisitor;

impl<'de> Visitor<'de> for MetaVisitor {
    type Value = MetaDe;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response metadata")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetaDe, A::Error> {
        let mut meta = Meta::default();
        while let Some(key) = map.next_key::<MetaKey>()? {
            match key {
                MetaKey::RequestId => meta.request_id = map.next_value::<Lenient>()?.into_text(),
                MetaKey::Version => meta.version = map.next_value::<Lenient>()?.into_text(),
                MetaKey::Timestamp => {
                    meta.set_timestamp(map.next_value::<Lenient>()?.into_text());
                }
                MetaKey::ResponseTimeMs => {
                    meta.response_time_ms = map.next_value::<Lenient>()?.into_millis();
                }
                MetaKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(MetaDe(meta))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MetaDe, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MetaDe(Meta::default()))
    }

    fn visit_bool<E>(self, _: bool) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }

    fn visit_i64<E>(self, _: i64) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }

    fn visit_u64<E>(self, _: u64) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }

    fn visit_f64<E>(self, _: f64) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }

    fn visit_str<E>(self, _: &str) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }

    fn visit_unit<E>(self) -> Result<MetaDe, E> {
        Ok(MetaDe(Meta::default()))
    }
}

enum MetaKey {
    RequestId,
    Timestamp,
    Version,
    ResponseTimeMs,
    Other,
}

impl<'de> Deserialize<'de> for MetaKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<MetaKey, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = MetaKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<MetaKey, E> {
                Ok(match key {
                    "request_id" => MetaKey::RequestId,
                    "timestamp" => MetaKey::Timestamp,
                    "version" => MetaKey::Version,
                    "response_time_ms" => MetaKey::ResponseTimeMs,
                    _ => MetaKey::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Any JSON value, keeping only what a lenient reader can use: strings, numbers and booleans.
/// Arrays and objects are skipped without being built.
pub(crate) enum Lenient {
    Text(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Nothing,
}

impl Lenient {
    /// The value as text: strings as they are, numbers in decimal.
    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Lenient::Text(s) => Some(s),
            Lenient::Unsigned(n) => Some(n.to_string()),
            Lenient::Signed(n) => Some(n.to_string()),
            Lenient::Float(n) => serde_json::Number::from_f64(n).map(|n| n.to_string()),
            Lenient::Bool(_) | Lenient::Nothing => None,
        }
    }

    /// The value as a non-negative whole number of milliseconds (rounded; numeric strings
    /// accepted).
    pub(crate) fn into_millis(self) -> Option<u64> {
        match self {
            Lenient::Unsigned(n) => Some(n),
            Lenient::Signed(n) => u64::try_from(n).ok(),
            Lenient::Float(f) => {
                (f.is_finite() && f >= 0.0 && f < u64::MAX as f64).then(|| f.round() as u64)
            }
            Lenient::Text(s) => s.trim().parse().ok(),
            Lenient::Bool(_) | Lenient::Nothing => None,
        }
    }
}

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Lenient, D::Error> {
        deserializer.deserialize_any(LenientVisitor)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Lenient, E> {
        Ok(Lenient::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Lenient, E> {
        Ok(Lenient::Signed(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Lenient, E> {
        Ok(Lenient::Unsigned(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Lenient, E> {
        Ok(Lenient::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Lenient, E> {
        Ok(Lenient::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Lenient, E> {
        Ok(Lenient::Text(v))
    }

    fn visit_unit<E>(self) -> Result<Lenient, E> {
        Ok(Lenient::Nothing)
    }

    fn visit_none<E>(self) -> Result<Lenient, E> {
        Ok(Lenient::Nothing)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Lenient, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::Nothing)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lenient, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Nothing)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn meta_reads_documented_fields() {
        let meta = Meta::from_json(&json!({
            "request_id": "req_7X9zKp2jDw",
            "timestamp": "2026-04-08T15:54:52.2460263+00:00",
            "version": "v3",
            "response_time_ms": 45,
            "unknown": [1, 2, 3]
        }));
        assert_eq!(meta.request_id.as_deref(), Some("req_7X9zKp2jDw"));
        assert_eq!(meta.version.as_deref(), Some("v3"));
        assert_eq!(meta.response_time_ms, Some(45));
        let ts = meta.timestamp.unwrap();
        assert_eq!(ts.year(), 2026);
        assert_eq!(ts.nanosecond(), 246_026_300);
    }

    #[test]
    fn meta_tolerates_bad_values() {
        let meta = Meta::from_json(&json!({
            "request_id": null,
            "timestamp": "yesterday",
            "version": 3,
            "response_time_ms": "12"
        }));
        assert_eq!(meta.request_id, None);
        assert_eq!(meta.timestamp, None);
        assert_eq!(meta.timestamp_raw.as_deref(), Some("yesterday"));
        assert_eq!(meta.version.as_deref(), Some("3"));
        assert_eq!(meta.response_time_ms, Some(12));
        assert_eq!(Meta::from_json(&json!("nope")), Meta::default());
        assert_eq!(
            Meta::from_json(&json!({"response_time_ms": -4})).response_time_ms,
            None
        );
    }
}
