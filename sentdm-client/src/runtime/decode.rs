//! Turning a status, headers and body into a [`Response`] or an [`Error`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::encode::excerpt;
use super::error::{ApiError, DecodeError, Error};
use super::response::{Meta, REQUEST_ID_HEADER, Response, header_str};
use super::{Envelope, Operation, ResponseKind};

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
///
/// Never panics, whatever the input.
pub fn decode<T: DeserializeOwned>(
    op: &'static Operation,
    envelope: Option<&Envelope>,
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
        }
        .into());
    };
    if !is_success(op, status) {
        return Err(api_error(envelope, status, headers, &body, None).into());
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    if op.response == ResponseKind::Empty || blank {
        return decode_without_payload(envelope, status, headers, &body);
    }
    match envelope {
        Some(names) => decode_enveloped(names, status, headers, &body),
        None => match from_slice(&body, PhantomData::<T>) {
            Ok(data) => Ok(Response::new(
                data,
                Meta::default(),
                status,
                headers.clone(),
            )),
            Err((path, error)) => Err(decode_error(status, headers, &body, None, path, error)),
        },
    }
}

fn is_success(op: &Operation, status: StatusCode) -> bool {
    op.success.contains(&status.as_u16()) || status.is_success()
}

/// `T` from JSON `null`; the body, if any, only contributes metadata and failure reports.
fn decode_without_payload<T: DeserializeOwned>(
    envelope: Option<&Envelope>,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response<T>, Error> {
    let mut meta = Meta::default();
    if let Some(names) = envelope {
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            if reports_failure(names, &value) {
                return Err(api_error(envelope, status, headers, body, Some(&value)).into());
            }
            if let Some(m) = value.get(names.meta) {
                meta = Meta::from_json(m);
            }
        }
    }
    match T::deserialize(Value::Null) {
        Ok(data) => Ok(Response::new(data, meta, status, headers.clone())),
        Err(error) => {
            let request_id = meta.request_id.clone();
            Err(DecodeError {
                path: String::new(),
                message: format!("the response has no body, but one was expected ({error})"),
                status: Some(status),
                request_id: request_id
                    .or_else(|| header_str(headers, REQUEST_ID_HEADER).map(str::to_owned)),
                body_excerpt: excerpt(body),
                source: Some(error),
            }
            .into())
        }
    }
}

fn decode_enveloped<T: DeserializeOwned>(
    names: &Envelope,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response<T>, Error> {
    let seed = EnvelopeSeed::<T> {
        names,
        marker: PhantomData,
    };
    let parsed = match from_slice(body, seed) {
        Ok(parsed) => parsed,
        Err((path, error)) => {
            // A failure report whose `data` is null cannot decode as `T`; report the failure.
            let value = serde_json::from_slice::<Value>(body).ok();
            if let Some(value) = &value {
                if reports_failure(names, value) {
                    return Err(api_error(Some(names), status, headers, body, Some(value)).into());
                }
            }
            let meta = value
                .as_ref()
                .and_then(|v| v.get(names.meta))
                .map(Meta::from_json);
            return Err(decode_error(status, headers, body, meta, path, error));
        }
    };
    let failed = parsed.success == Some(false) || parsed.error.as_ref().is_some_and(is_present);
    if failed {
        let mut object = serde_json::Map::new();
        if let Some(success) = parsed.success {
            object.insert(names.success.to_owned(), Value::Bool(success));
        }
        if let Some(error) = parsed.error {
            object.insert(names.error.to_owned(), error);
        }
        if let Some(meta) = parsed.meta {
            object.insert(names.meta.to_owned(), meta);
        }
        let value = Value::Object(object);
        return Err(api_error(Some(names), status, headers, body, Some(&value)).into());
    }
    let meta = parsed
        .meta
        .as_ref()
        .map(Meta::from_json)
        .unwrap_or_default();
    let data = match parsed.data {
        Some(data) => data,
        None => match T::deserialize(Value::Null) {
            Ok(data) => data,
            Err(error) => {
                return Err(decode_error(
                    status,
                    headers,
                    body,
                    Some(meta),
                    names.data.to_owned(),
                    error,
                ));
            }
        },
    };
    Ok(Response::new(data, meta, status, headers.clone()))
}

/// Deserializes the whole body with `seed`, returning the JSON path of any failure.
fn from_slice<'de, S: DeserializeSeed<'de>>(
    body: &'de [u8],
    seed: S,
) -> Result<S::Value, (String, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let mut track = serde_path_to_error::Track::new();
    let result = seed.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    match result {
        Ok(value) => match de.end() {
            Ok(()) => Ok(value),
            Err(error) => Err((String::new(), error)),
        },
        Err(error) => {
            let path = track.path().to_string();
            let path = if path == "." { String::new() } else { path };
            Err((path, error))
        }
    }
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
        path,
        message: error.to_string(),
        status: Some(status),
        request_id,
        body_excerpt: excerpt(body),
        source: Some(error),
    }
    .into()
}

/// Whether an envelope value says the call failed.
fn reports_failure(names: &Envelope, value: &Value) -> bool {
    value.get(names.success).and_then(Value::as_bool) == Some(false)
        || value.get(names.error).is_some_and(is_present)
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

/// Builds the error for a failed response, reading whatever the body offers.
pub(crate) fn api_error(
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
    let error_name = envelope.map_or("error", |e| e.error);
    let meta_name = envelope.map_or("meta", |e| e.meta);
    let root = parsed.and_then(Value::as_object);
    let error_field = root.and_then(|r| r.get(error_name));
    let error_object = error_field.and_then(Value::as_object).or(root);

    let field = |key: &str| match error_object.and_then(|o| o.get(key)) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let code = field("code");
    let message = field("message")
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
        .and_then(|r| r.get(meta_name))
        .map(Meta::from_json)
        .unwrap_or_default();
    let request_id = meta
        .request_id
        .or_else(|| header_str(headers, REQUEST_ID_HEADER).map(str::to_owned));
    ApiError {
        status,
        code,
        message,
        details,
        doc_url,
        request_id,
        headers: headers.clone(),
        body_excerpt: excerpt(body),
        idempotency_key: None,
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

/// The envelope's fields, with the payload decoded as `T` and the rest kept as JSON.
struct Parsed<T> {
    success: Option<bool>,
    data: Option<T>,
    error: Option<Value>,
    meta: Option<Value>,
}

/// Deserializes an envelope whose field names are only known at run time.
struct EnvelopeSeed<'e, T> {
    names: &'e Envelope,
    marker: PhantomData<fn() -> T>,
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
        while let Some(key) = map.next_key::<String>()? {
            if key == self.names.data {
                if parsed.data.is_some() {
                    return Err(de::Error::duplicate_field(self.names.data));
                }
                parsed.data = Some(map.next_value::<T>()?);
            } else if key == self.names.success {
                parsed.success = map.next_value::<Value>()?.as_bool();
            } else if key == self.names.error {
                parsed.error = Some(map.next_value::<Value>()?);
            } else if key == self.names.meta {
                parsed.meta = Some(map.next_value::<Value>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use http::Method;
    use serde_json::json;

    static ENVELOPE: Envelope = Envelope {
        data: "data",
        error: "error",
        meta: "meta",
        success: "success",
    };

    static GET: Operation = Operation {
        id: "GetThing",
        name: "things.get",
        method: Method::GET,
        path: "/v1/things/{id}",
        success: &[200],
        response: ResponseKind::Json,
        body_fields: &[],
        header_params: &[],
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
            &GET,
            Some(&ENVELOPE),
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
            &GET,
            Some(&ENVELOPE),
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
            &GET,
            None,
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
        let err = decode::<Thing>(&GET, None, 1000, &HeaderMap::new(), Bytes::new()).unwrap_err();
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
                    &GET,
                    Some(&ENVELOPE),
                    status,
                    &HeaderMap::new(),
                    Bytes::from_static(input),
                );
                let _ = decode::<()>(
                    &GET,
                    None,
                    status,
                    &HeaderMap::new(),
                    Bytes::from_static(input),
                );
            }
        }
    }
}
