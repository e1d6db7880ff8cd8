//! Turning a status, headers and body into a [`Response`] or an [`Error`].
//!
//! Success bodies are decoded in one pass with plain `serde_json`; only when that fails is
//! the body decoded again, tracking the JSON path, to say where it went wrong. The envelope's
//! own fields are read leniently: `meta` into [`Meta`] with unknown members skipped without
//! being built (however deeply nested), `error` kept as raw JSON until a failure needs it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::encode::excerpt;
use super::error::{ApiError, DecodeError, Error};
use super::headers::{REQUEST_ID_HEADER, header_str};
use super::response::{Lenient, Meta, MetaDe, Response};
use super::{ApiDescription, Envelope, Operation, ResponseKind};

/// Longest JSON path kept in a [`DecodeError`], in characters; longer paths keep their start
/// and end around an ellipsis.
const MAX_PATH_CHARS: usize = 160;

/// Decodes a response of `op`.
///
/// * A success status (one of `op.success`, or any other 2xx) is decoded as the payload `T`:
///   from the envelope's data field when `envelope` is given (with its meta object read into
///   [`Meta`]), from the whole body otherwise. [`ResponseKind::Empty`] responses, and success
///   responses with an empty body, decode `T` from JSON `null`, which suits `()` and `Option`.
/// * An envelope on a success status that says `success: false` or carries an error object
///   is an [`Error::Api`].
/// * Any other status is an [`Error::Api`] with the code, message, details, documentation
///   link and request id found in the body (any body is tolerated, HTML included).
/// * A success body that does not match `T` is an [`Error::Decode`] naming the JSON path of
///   the offending value, such as `data.recipients[0].message_id`.
/// * Members the payload type does not know, and anything in `meta` besides the fields of
///   [`Meta`], are skipped, however deeply nested.
///
/// Never panics, whatever the input.
pub fn decode<T: DeserializeOwned>(
    api: &ApiDescription,
    op: &'static Operation,
    status: u16,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response<T>, Error> {
    let Ok(status) = StatusCode::from_u16(status) else {
        return Err(DecodeError {
            path: String::new(),
            message: format!("invalid HTTP status code {status}"),
            status: None,
            request_id: header_str(headers, REQUEST_ID_HEADER).map(str::to_owned),
            body_excerpt: excerpt(&body),
            source: None,
            idempotency_key: None,
        }
        .into());
    };
    decode_parts(api, op, status, headers.clone(), body)
}

/// The envelope `op`'s responses come in: the API's, with the operation's payload key when it
/// names one; or, for an API without an envelope, an object holding just the payload under
/// the operation's payload key.
fn envelope_of(api: &ApiDescription, op: &Operation) -> Option<Envelope> {
    match (api.envelope, op.payload_key) {
        (Some(envelope), None) => Some(envelope),
        (Some(envelope), Some(key)) => Some(Envelope {
            data: key,
            ..envelope
        }),
        (None, Some(key)) => Some(Envelope {
            data: key,
            error: None,
            meta: None,
            success: None,
        }),
        (None, None) => None,
    }
}

/// [`decode`] for a response the runtime owns: the headers move into the [`Response`].
pub(crate) fn decode_parts<T: DeserializeOwned>(
    api: &ApiDescription,
    op: &'static Operation,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response<T>, Error> {
    let envelope = envelope_of(api, op);
    let envelope = envelope.as_ref();
    if !is_success(op, status) {
        return Err(api_error(api, envelope, status, &headers, &body, None).into());
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    if op.response == ResponseKind::Empty || blank {
        return decode_without_payload(api, envelope, status, headers, &body);
    }
    match envelope {
        Some(names) => decode_enveloped(api, names, status, headers, &body),
        None => match plain(&body, PhantomData::<T>) {
            Ok(data) => Ok(Response::new(data, Meta::default(), status, headers)),
            Err(error) => {
                let (path, error) = match tracked::<T>(&body) {
                    Err(found) => found,
                    // Cannot happen (the same input failed just now); report the first error.
                    Ok(_) => (String::new(), error),
                };
                Err(decode_error(status, &headers, &body, None, path, error))
            }
        },
    }
}

fn is_success(op: &Operation, status: StatusCode) -> bool {
    op.success.contains(&status.as_u16()) || status.is_success()
}

/// `T` from JSON `null`; the body, if any, only contributes metadata and failure reports.
fn decode_without_payload<T: DeserializeOwned>(
    api: &ApiDescription,
    envelope: Option<&Envelope>,
    status: StatusCode,
    headers: HeaderMap,
    body: &Bytes,
) -> Result<Response<T>, Error> {
    let mut meta = Meta::default();
    if let Some(names) = envelope {
        if let Ok(parsed) = plain(body, EnvelopeSeed::<IgnoredAny>::new(names)) {
            if parsed.failed() {
                return Err(api_error(api, envelope, status, &headers, body, None).into());
            }
            meta = parsed.meta.unwrap_or_default();
        }
    }
    match T::deserialize(Value::Null) {
        Ok(data) => Ok(Response::new(data, meta, status, headers)),
        Err(error) => {
            let request_id = meta.request_id.clone();
            Err(DecodeError {
                path: String::new(),
                message: format!("the response has no body, but one was expected ({error})"),
                status: Some(status),
                request_id: request_id
                    .or_else(|| header_str(&headers, REQUEST_ID_HEADER).map(str::to_owned)),
                body_excerpt: excerpt(body),
                source: Some(error),
                idempotency_key: None,
            }
            .into())
        }
    }
}

fn decode_enveloped<T: DeserializeOwned>(
    api: &ApiDescription,
    names: &Envelope,
    status: StatusCode,
    headers: HeaderMap,
    body: &Bytes,
) -> Result<Response<T>, Error> {
    let parsed = match plain(body, EnvelopeSeed::<T>::new(names)) {
        Ok(parsed) => parsed,
        Err(error) => {
            return Err(enveloped_failure::<T>(
                api, names, status, &headers, body, error,
            ));
        }
    };
    if parsed.failed() {
        return Err(api_error(api, Some(names), status, &headers, body, None).into());
    }
    let meta = parsed.meta.unwrap_or_default();
    let data = match parsed.data {
        Some(data) => data,
        None => match T::deserialize(Value::Null) {
            Ok(data) => data,
            Err(error) => {
                return Err(decode_error(
                    status,
                    &headers,
                    body,
                    Some(meta),
                    names.data.to_owned(),
                    error,
                ));
            }
        },
    };
    Ok(Response::new(data, meta, status, headers))
}

/// The error for an enveloped success body that did not decode: a failure report (whose
/// `data` is null and so cannot decode as `T`), or a decode error naming the path.
fn enveloped_failure<T: DeserializeOwned>(
    api: &ApiDescription,
    names: &Envelope,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Bytes,
    error: serde_json::Error,
) -> Error {
    // The envelope without its payload: does it report a failure, and what is its meta?
    let outline = plain(body, EnvelopeSeed::<IgnoredAny>::new(names)).ok();
    if outline.as_ref().is_some_and(Parsed::failed) {
        return api_error(api, Some(names), status, headers, body, None).into();
    }
    let path = RefCell::new(None);
    let seed = EnvelopeSeed::<T> {
        names,
        track: Some(&path),
        marker: PhantomData,
    };
    let (path, error) = match plain(body, seed) {
        Err(tracked_error) => {
            let data_path = path.into_inner();
            (data_path.unwrap_or_default(), tracked_error)
        }
        Ok(_) => (String::new(), error),
    };
    let meta = outline.and_then(|o| o.meta);
    decode_error(status, headers, body, meta, path, error)
}

/// Deserializes the whole body with `seed` using plain `serde_json`.
fn plain<'de, S: DeserializeSeed<'de>>(
    body: &'de [u8],
    seed: S,
) -> Result<S::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Deserializes the whole body as `T`, tracking the JSON path of a failure.
fn tracked<T: DeserializeOwned>(body: &[u8]) -> Result<T, (String, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => de.end().map(|()| value).map_err(|e| (String::new(), e)),
        Err(error) => {
            let path = path_text(&error.path().to_string(), None);
            Err((path, error.into_inner()))
        }
    }
}

/// A JSON path as shown in errors: `prefix.path`, without serde_path_to_error's `.` for the
/// root, and shortened to [`MAX_PATH_CHARS`].
fn path_text(path: &str, prefix: Option<&str>) -> String {
    let path = if path == "." { "" } else { path };
    let full = match (prefix, path) {
        (Some(prefix), "") => prefix.to_owned(),
        (Some(prefix), path) if path.starts_with('[') => format!("{prefix}{path}"),
        (Some(prefix), path) => format!("{prefix}.{path}"),
        (None, path) => path.to_owned(),
    };
    shorten(full)
}

/// Keeps the start and the end of an overlong path around an ellipsis.
fn shorten(path: String) -> String {
    let count = path.chars().count();
    if count <= MAX_PATH_CHARS {
        return path;
    }
    let head = MAX_PATH_CHARS / 3;
    let tail = MAX_PATH_CHARS - head - 1;
    let start: String = path.chars().take(head).collect();
    let end: String = path.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

fn decode_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    meta: Option<Meta>,
    path: String,
    error: serde_json::Error,
) -> Error {
    let request_id = meta
        .and_then(|m| m.request_id)
        .or_else(|| header_str(headers, REQUEST_ID_HEADER).map(str::to_owned));
    DecodeError {
        path: shorten(path),
        message: error.to_string(),
        status: Some(status),
        request_id,
        body_excerpt: excerpt(body),
        source: Some(error),
        idempotency_key: None,
    }
    .into()
}

/// Whether an error field carries anything (not `null`, `{}` or `""`).
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(map) => !map.is_empty(),
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
}

/// Whether a raw error field carries anything; one too deeply nested to read counts.
fn raw_is_present(raw: &RawValue) -> bool {
    let text = raw.get().trim();
    text != "null" && serde_json::from_str::<Value>(text).map_or(true, |v| is_present(&v))
}

/// Builds the error for a failed response, reading whatever the body offers: the members
/// the API's [`ErrorBody`](super::ErrorBody) names first, then the common alternatives.
pub(crate) fn api_error(
    api: &ApiDescription,
    envelope: Option<&Envelope>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    parsed: Option<&Value>,
) -> ApiError {
    let owned;
    let parsed = match parsed {
        Some(value) => Some(value),
        None => {
            owned = serde_json::from_slice::<Value>(body).ok();
            owned.as_ref()
        }
    };
    let error_name = envelope.map_or(Some("error"), |e| e.error);
    let meta_name = envelope.map_or(Some("meta"), |e| e.meta);
    let root = parsed.and_then(Value::as_object);
    let error_field = root.and_then(|r| r.get(error_name?));
    let error_object = error_field.and_then(Value::as_object).or(root);

    let field = |key: &str| match error_object.and_then(|o| o.get(key)) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let named = |key: Option<&str>| key.and_then(field);
    let code = named(api.error_body.code).or_else(|| field("code"));
    let message = named(api.error_body.message)
        .or_else(|| field("message"))
        .or_else(|| field("detail"))
        .or_else(|| field("title"))
        .or_else(|| match error_field {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_else(|| {
            if status.is_success() {
                "the response reports that the request failed".to_owned()
            } else {
                status
                    .canonical_reason()
                    .map_or_else(|| format!("HTTP status {}", status.as_u16()), str::to_owned)
            }
        });
    let details = error_object
        .and_then(|o| o.get("details").or_else(|| o.get("errors")))
        .map(details_map)
        .unwrap_or_default();
    let doc_url = field("doc_url");
    let meta = root
        .zip(meta_name)
        .and_then(|(r, name)| r.get(name))
        .map(Meta::from_json)
        .unwrap_or_default();
    let request_id = meta
        .request_id
        .or_else(|| header_str(headers, REQUEST_ID_HEADER).map(str::to_owned));
    ApiError {
        status,
        message,
        details,
        doc_url,
        request_id,
        headers: headers.clone(),
        body_excerpt: excerpt(body),
        idempotency_key: None,
        transient: code
            .as_deref()
            .is_some_and(|code| api.transient_error_codes.contains(&code)),
        code,
    }
}

fn details_map(value: &Value) -> BTreeMap<String, Vec<String>> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(field, messages)| (field.clone(), message_list(messages)))
            .collect(),
        other => {
            let messages = message_list(other);
            if messages.is_empty() {
                BTreeMap::new()
            } else {
                BTreeMap::from([(String::new(), messages)])
            }
        }
    }
}

fn message_list(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

/// The envelope's fields, with the payload decoded as `T`.
struct Parsed<T> {
    success: Option<bool>,
    data: Option<T>,
    error: Option<Box<RawValue>>,
    meta: Option<Meta>,
}

impl<T> Parsed<T> {
    /// Whether the envelope says the call failed.
    fn failed(&self) -> bool {
        self.success == Some(false) || self.error.as_deref().is_some_and(raw_is_present)
    }
}

/// Deserializes an envelope whose field names are only known at run time. With `track`, the
/// payload is decoded tracking the JSON path, and the path of a failure is stored there.
struct EnvelopeSeed<'e, T> {
    names: &'e Envelope,
    track: Option<&'e RefCell<Option<String>>>,
    marker: PhantomData<fn() -> T>,
}

impl<'e, T> EnvelopeSeed<'e, T> {
    fn new(names: &'e Envelope) -> Self {
        EnvelopeSeed {
            names,
            track: None,
            marker: PhantomData,
        }
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for EnvelopeSeed<'_, T> {
    type Value = Parsed<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Parsed<T>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeSeed<'_, T> {
    type Value = Parsed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a response envelope (an object with a `{}` field)",
            self.names.data
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed<T>, A::Error> {
        let mut parsed = Parsed {
            success: None,
            data: None,
            error: None,
            meta: None,
        };
        while let Some(key) = map.next_key_seed(KeySeed(self.names))? {
            match key {
                Key::Data => {
                    if parsed.data.is_some() {
                        return Err(de::Error::duplicate_field(self.names.data));
                    }
                    parsed.data = Some(match self.track {
                        None => map.next_value::<T>()?,
                        Some(slot) => map.next_value_seed(Tracked {
                            prefix: self.names.data,
                            slot,
                            marker: PhantomData,
                        })?,
                    });
                }
                Key::Success => {
                    parsed.success = match map.next_value::<Lenient>()? {
                        Lenient::Bool(b) => Some(b),
                        _ => None,
                    }
                }
                Key::Error => parsed.error = Some(map.next_value::<Box<RawValue>>()?),
                Key::Meta => parsed.meta = Some(map.next_value::<MetaDe>()?.0),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parsed)
    }
}

/// A member of the envelope, recognised without allocating.
enum Key {
    Data,
    Success,
    Error,
    Meta,
    Other,
}

struct KeySeed<'e>(&'e Envelope);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        let names = self.0;
        Ok(if key == names.data {
            Key::Data
        } else if names.success == Some(key) {
            Key::Success
        } else if names.error == Some(key) {
            Key::Error
        } else if names.meta == Some(key) {
            Key::Meta
        } else {
            Key::Other
        })
    }
}

/// Decodes the payload tracking the JSON path; stores the path of a failure in `slot`.
struct Tracked<'e, T> {
    prefix: &'e str,
    slot: &'e RefCell<Option<String>>,
    marker: PhantomData<fn() -> T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Tracked<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = path_text(&error.path().to_string(), Some(self.prefix));
            *self.slot.borrow_mut() = Some(path);
            error.into_inner()
        })
    }
}

/// Deserializes a collection (or anything with a `Default`) that may be absent or `null`,
/// reading `null` as the empty value. Generated types use it for arrays and maps, which are
/// never `Option`.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Deserializes a string enum (generated types with an `Unknown(String)` variant) from a JSON
/// string, without allocating for the documented values when the input can be borrowed.
pub fn deserialize_string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: From<String> + for<'a> From<&'a str>,
{
    struct StringEnum<T>(PhantomData<fn() -> T>);

    impl<T: From<String> + for<'a> From<&'a str>> Visitor<'_> for StringEnum<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(StringEnum(PhantomData))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::{ErrorBody, Idempotency};
    use http::Method;
    use serde_json::json;

    const fn api(envelope: Option<Envelope>, error_body: ErrorBody) -> ApiDescription {
        ApiDescription {
            title: "Test",
            version: "1",
            servers: &[],
            auth: &[],
            envelope,
            error_body,
            transient_error_codes: &["BUSY_1"],
            idempotency_header: None,
            idempotency_key_prefix: "",
        }
    }

    const NO_NAMES: ErrorBody = ErrorBody {
        code: None,
        message: None,
    };

    static ENVELOPE: ApiDescription = api(
        Some(Envelope {
            data: "data",
            error: Some("error"),
            meta: Some("meta"),
            success: Some("success"),
        }),
        NO_NAMES,
    );

    static PLAIN: ApiDescription = api(None, NO_NAMES);

    static GET: Operation = Operation {
        id: "GetThing",
        name: "things.get",
        method: Method::GET,
        path: "/v1/things/{id}",
        success: &[200],
        response: ResponseKind::Json,
        body_fields: &[],
        header_params: &[],
        payload_key: None,
        idempotency: Idempotency::None,
    };

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        id: String,
        count: u32,
    }

    fn body(value: Value) -> Bytes {
        Bytes::from(value.to_string())
    }

    #[test]
    fn envelope_data_and_meta_are_unwrapped() {
        let response = decode::<Thing>(
            &ENVELOPE,
            &GET,
            200,
            &HeaderMap::new(),
            body(json!({
                "success": true,
                "data": {"id": "a", "count": 2},
                "error": null,
                "meta": {"request_id": "req_1", "version": "v3"}
            })),
        )
        .unwrap();
        assert_eq!(
            response.data(),
            &Thing {
                id: "a".into(),
                count: 2
            }
        );
        assert_eq!(response.request_id(), Some("req_1"));
        assert_eq!(response.meta().version.as_deref(), Some("v3"));
    }

    #[test]
    fn failure_report_with_null_data_is_an_api_error() {
        let err = decode::<Thing>(
            &ENVELOPE,
            &GET,
            200,
            &HeaderMap::new(),
            body(json!({
                "success": false,
                "data": null,
                "error": {"code": "X_1", "message": "nope"},
                "meta": {"request_id": "req_2"}
            })),
        )
        .unwrap_err();
        assert_eq!(err.code(), Some("X_1"));
        assert_eq!(err.request_id(), Some("req_2"));
        assert_eq!(err.status(), Some(StatusCode::OK));
    }

    #[test]
    fn trailing_garbage_is_a_decode_error() {
        let err = decode::<Thing>(
            &PLAIN,
            &GET,
            200,
            &HeaderMap::new(),
            Bytes::from_static(br#"{"id":"a","count":1} {"#),
        )
        .unwrap_err();
        let decode = err.as_decode().unwrap();
        assert!(decode.message().contains("trailing"), "{decode}");
    }

    #[test]
    fn invalid_status_code_is_reported_not_panicked() {
        let err = decode::<Thing>(&PLAIN, &GET, 1000, &HeaderMap::new(), Bytes::new()).unwrap_err();
        assert!(err.to_string().contains("invalid HTTP status code 1000"));
    }

    #[test]
    fn details_tolerate_any_shape() {
        assert_eq!(
            details_map(&json!({"a": ["x", 1, null], "b": "y", "c": {"k": true}})),
            BTreeMap::from([
                ("a".to_owned(), vec!["x".to_owned(), "1".to_owned()]),
                ("b".to_owned(), vec!["y".to_owned()]),
                ("c".to_owned(), vec![r#"{"k":true}"#.to_owned()]),
            ])
        );
        assert_eq!(
            details_map(&json!(["one", "two"])),
            BTreeMap::from([(String::new(), vec!["one".to_owned(), "two".to_owned()])])
        );
        assert!(details_map(&Value::Null).is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"null",
            b"[]",
            b"\xff\xfe",
            b"{\"data\":",
            b"{\"data\": {\"id\": \"a\", \"count\": -1}}",
            b"{\"success\": \"yes\", \"error\": 5, \"meta\": []}",
            b"<html>",
        ];
        for input in inputs {
            for status in [200, 204, 400, 500] {
                let _ = decode::<Thing>(
                    &ENVELOPE,
                    &GET,
                    status,
                    &HeaderMap::new(),
                    Bytes::from_static(input),
                );
                let _ = decode::<()>(
                    &PLAIN,
                    &GET,
                    status,
                    &HeaderMap::new(),
                    Bytes::from_static(input),
                );
            }
        }
    }

    static KEYED: Operation = Operation {
        id: "GetWebhook",
        name: "webhook.get",
        method: Method::GET,
        path: "/v1/webhook",
        success: &[200],
        response: ResponseKind::Json,
        body_fields: &[],
        header_params: &[],
        payload_key: Some("webhook"),
        idempotency: Idempotency::None,
    };

    #[test]
    fn a_payload_key_unwraps_its_member_without_an_envelope() {
        let response = decode::<Thing>(
            &PLAIN,
            &KEYED,
            200,
            &HeaderMap::new(),
            body(json!({"success": true, "webhook": {"id": "w", "count": 1}})),
        )
        .unwrap();
        assert_eq!(response.data().id, "w");

        let err = decode::<Thing>(
            &PLAIN,
            &KEYED,
            200,
            &HeaderMap::new(),
            body(json!({"success": true, "data": {"id": "w", "count": 1}})),
        )
        .unwrap_err();
        assert_eq!(err.as_decode().unwrap().path(), "webhook", "{err}");
    }

    #[test]
    fn a_payload_key_overrides_the_envelope_data_member() {
        let response = decode::<Vec<String>>(
            &ENVELOPE,
            &KEYED,
            200,
            &HeaderMap::new(),
            body(json!({"success": true, "webhook": ["a"], "data": null})),
        )
        .unwrap();
        assert_eq!(response.data(), &["a".to_owned()]);
    }

    #[test]
    fn error_bodies_are_read_by_the_documented_names() {
        static DETAIL: ApiDescription = api(
            None,
            ErrorBody {
                code: None,
                message: Some("detail"),
            },
        );
        static ERROR_CODE: ApiDescription = api(
            None,
            ErrorBody {
                code: Some("code"),
                message: Some("error"),
            },
        );
        static RENAMED: ApiDescription = api(
            None,
            ErrorBody {
                code: Some("kind"),
                message: Some("why"),
            },
        );
        let err = decode::<Thing>(
            &DETAIL,
            &GET,
            413,
            &HeaderMap::new(),
            body(json!({"detail": "File too large", "status_code": 413})),
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(StatusCode::PAYLOAD_TOO_LARGE));
        assert_eq!(err.as_api().unwrap().message(), "File too large");
        assert_eq!(err.code(), None);

        let err = decode::<Thing>(
            &ERROR_CODE,
            &GET,
            404,
            &HeaderMap::new(),
            body(json!({"error": "Contact not found", "code": "CONTACT_NOT_FOUND"})),
        )
        .unwrap_err();
        assert_eq!(err.as_api().unwrap().message(), "Contact not found");
        assert_eq!(err.code(), Some("CONTACT_NOT_FOUND"));

        let err = decode::<Thing>(
            &RENAMED,
            &GET,
            400,
            &HeaderMap::new(),
            body(json!({"why": "bad", "kind": "K", "message": "other", "code": "C"})),
        )
        .unwrap_err();
        assert_eq!(err.as_api().unwrap().message(), "bad");
        assert_eq!(err.code(), Some("K"));
    }

    #[test]
    fn transient_codes_make_an_error_retryable_whatever_its_status() {
        let transient = decode::<Thing>(
            &PLAIN,
            &GET,
            409,
            &HeaderMap::new(),
            body(json!({"code": "BUSY_1", "message": "still processing"})),
        )
        .unwrap_err();
        let Error::Api(api_error) = &transient else {
            panic!("{transient:?}")
        };
        assert!(api_error.is_retryable());
        let other = decode::<Thing>(
            &PLAIN,
            &GET,
            409,
            &HeaderMap::new(),
            body(json!({"code": "DUPLICATE", "message": "exists"})),
        )
        .unwrap_err();
        let Error::Api(api_error) = &other else {
            panic!("{other:?}")
        };
        assert!(!api_error.is_retryable());
    }
}
