//! `decode` on its own: envelopes, error shapes and tolerance of odd bodies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};
use sentdm_client::runtime::{
    ApiDescription, Envelope, Error, ErrorBody, Idempotency, Meta, Method, Operation, Response,
    ResponseKind, decode,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// An API described with `envelope` and nothing else of note.
const fn api(envelope: Option<Envelope>) -> ApiDescription {
    ApiDescription {
        title: "Decode",
        version: "1",
        servers: &[],
        auth: &[],
        envelope,
        error_body: ErrorBody {
            code: None,
            message: None,
        },
        transient_error_codes: &[],
        idempotency_header: None,
        idempotency_key_prefix: "",
    }
}

static ENVELOPE: ApiDescription = api(Some(Envelope {
    data: "data",
    error: Some("error"),
    meta: Some("meta"),
    success: Some("success"),
}));

/// An envelope with unusual field names, to show the names come from the description.
static CUSTOM: ApiDescription = api(Some(Envelope {
    data: "result",
    error: Some("problem"),
    meta: Some("info"),
    success: Some("ok"),
}));

/// No envelope: the body is the payload.
static PLAIN: ApiDescription = api(None);

static GET: Operation = Operation {
    id: "GetTemplate",
    name: "templates.get",
    method: Method::GET,
    path: "/v3/templates/{id}",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static CREATE: Operation = Operation {
    id: "CreateTemplate",
    name: "templates.create",
    method: Method::POST,
    path: "/v3/templates",
    success: &[201],
    response: ResponseKind::Json,
    body_fields: &["name"],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static DELETE: Operation = Operation {
    id: "DeleteTemplate",
    name: "templates.delete",
    method: Method::DELETE,
    path: "/v3/templates/{id}",
    success: &[204],
    response: ResponseKind::Empty,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

#[derive(Debug, Deserialize, PartialEq)]
struct Template {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

fn json_body(value: Value) -> Bytes {
    Bytes::from(value.to_string())
}

fn headers_with_request_id(id: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", HeaderValue::from_static(id));
    headers
}

#[test]
fn envelope_field_names_come_from_the_description() {
    let response: Response<Template> = decode(
        &CUSTOM,
        &GET,
        200,
        &HeaderMap::new(),
        json_body(json!({"ok": true, "result": {"id": "t_1"}, "problem": null, "info": {"request_id": "r1"}})),
    )
    .unwrap();
    assert_eq!(response.id, "t_1");
    assert_eq!(response.request_id(), Some("r1"));

    let error = decode::<Template>(
        &CUSTOM,
        &GET,
        200,
        &HeaderMap::new(),
        json_body(
            json!({"ok": false, "result": null, "problem": {"code": "E1", "message": "bad"}}),
        ),
    )
    .unwrap_err();
    assert_eq!(error.code(), Some("E1"));
}

#[test]
fn a_bad_meta_never_fails_the_response() {
    let response: Response<Template> = decode(
        &ENVELOPE,
        &GET,
        200,
        &headers_with_request_id("hdr-1"),
        json_body(json!({
            "success": true,
            "data": {"id": "t_1"},
            "meta": {"timestamp": "08/04/2026 15:54", "response_time_ms": "fast", "request_id": 5}
        })),
    )
    .unwrap();
    let meta = response.meta();
    assert_eq!(meta.timestamp, None);
    assert_eq!(meta.timestamp_raw.as_deref(), Some("08/04/2026 15:54"));
    assert_eq!(meta.response_time_ms, None);
    assert_eq!(response.request_id(), Some("5"));

    let response: Response<Template> = decode(
        &ENVELOPE,
        &GET,
        200,
        &headers_with_request_id("hdr-1"),
        json_body(json!({"success": true, "data": {"id": "t_1"}, "meta": "garbage"})),
    )
    .unwrap();
    assert_eq!(response.meta(), &Meta::default());
    assert_eq!(response.request_id(), Some("hdr-1"));
}

#[test]
fn undocumented_2xx_is_still_success() {
    let response: Response<Template> = decode(
        &ENVELOPE,
        &CREATE,
        200,
        &HeaderMap::new(),
        json_body(json!({"success": true, "data": {"id": "t_2", "name": "Welcome"}})),
    )
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.name.as_deref(), Some("Welcome"));
}

#[test]
fn empty_operations_decode_unit_and_still_see_failures() {
    let response: Response<()> =
        decode(&ENVELOPE, &DELETE, 204, &HeaderMap::new(), Bytes::new()).unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // An envelope on an empty operation contributes its meta.
    let response: Response<()> = decode(
        &ENVELOPE,
        &DELETE,
        200,
        &HeaderMap::new(),
        json_body(json!({"success": true, "data": null, "meta": {"request_id": "req_d"}})),
    )
    .unwrap();
    assert_eq!(response.request_id(), Some("req_d"));

    let error = decode::<()>(
        &ENVELOPE,
        &DELETE,
        200,
        &HeaderMap::new(),
        json_body(json!({"success": false, "error": {"code": "RESOURCE_001", "message": "gone"}})),
    )
    .unwrap_err();
    assert_eq!(error.code(), Some("RESOURCE_001"));
}

#[test]
fn empty_body_where_json_was_expected() {
    let response: Response<Option<Template>> = decode(
        &ENVELOPE,
        &GET,
        200,
        &HeaderMap::new(),
        Bytes::from_static(b"  \n"),
    )
    .unwrap();
    assert_eq!(response.into_data(), None);

    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        200,
        &headers_with_request_id("req_empty"),
        Bytes::new(),
    )
    .unwrap_err();
    let decode_error = error.as_decode().unwrap();
    assert!(decode_error.message().contains("no body"), "{error}");
    assert_eq!(decode_error.request_id(), Some("req_empty"));
}

#[test]
fn missing_or_null_data_names_the_data_field() {
    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        200,
        &HeaderMap::new(),
        json_body(json!({"success": true, "meta": {"request_id": "req_m"}})),
    )
    .unwrap_err();
    assert_eq!(error.as_decode().unwrap().path(), "data");
    assert_eq!(error.request_id(), Some("req_m"));

    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        200,
        &HeaderMap::new(),
        json_body(json!({"success": true, "data": null})),
    )
    .unwrap_err();
    assert_eq!(error.as_decode().unwrap().path(), "data");
}

#[test]
fn non_object_envelope_is_a_decode_error() {
    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        200,
        &HeaderMap::new(),
        Bytes::from_static(b"[1, 2, 3]"),
    )
    .unwrap_err();
    let decode_error = error.as_decode().unwrap();
    assert_eq!(decode_error.path(), "");
    assert!(
        decode_error.message().contains("response envelope"),
        "{error}"
    );
    assert_eq!(
        error.to_string().split(": ").next(),
        Some("could not decode the response (200 OK)")
    );
}

#[test]
fn error_bodies_without_an_envelope() {
    // RFC 9457 problem details.
    let error = decode::<Template>(
        &PLAIN,
        &GET,
        404,
        &headers_with_request_id("req_p"),
        json_body(
            json!({"type": "about:blank", "title": "Not Found", "detail": "no template t_9"}),
        ),
    )
    .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.message(), "no template t_9");
    assert_eq!(api.code(), None);
    assert_eq!(api.request_id(), Some("req_p"));

    // A bare `{"error": "..."}`.
    let error = decode::<Template>(
        &PLAIN,
        &GET,
        401,
        &HeaderMap::new(),
        json_body(json!({"error": "token expired"})),
    )
    .unwrap_err();
    assert_eq!(error.as_api().unwrap().message(), "token expired");

    // ASP.NET validation problem details keep their per-field errors.
    let error = decode::<Template>(
        &PLAIN,
        &GET,
        400,
        &HeaderMap::new(),
        json_body(json!({"title": "One or more validation errors occurred.", "errors": {"Name": ["The Name field is required."]}})),
    )
    .unwrap_err();
    assert_eq!(
        error.as_api().unwrap().details().get("Name").unwrap(),
        &vec!["The Name field is required.".to_owned()]
    );
}

#[test]
fn odd_error_details_are_stringified() {
    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        422,
        &HeaderMap::new(),
        json_body(json!({
            "success": false,
            "error": {
                "code": 4001,
                "message": "Invalid",
                "details": {"to": [{"index": 0, "reason": "landline"}], "count": 3, "note": null}
            }
        })),
    )
    .unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.code(), Some("4001"));
    assert_eq!(
        api.details().get("to").unwrap(),
        &vec![r#"{"index":0,"reason":"landline"}"#.to_owned()]
    );
    assert_eq!(api.details().get("count").unwrap(), &vec!["3".to_owned()]);
    assert!(api.details().get("note").unwrap().is_empty());

    let error = decode::<Template>(
        &ENVELOPE,
        &GET,
        400,
        &HeaderMap::new(),
        json_body(json!({"success": false, "error": {"message": "x", "details": "free text"}})),
    )
    .unwrap_err();
    assert_eq!(
        error.as_api().unwrap().details().get("").unwrap(),
        &vec!["free text".to_owned()]
    );
}

#[test]
fn long_and_binary_bodies_are_excerpted_safely() {
    let long = format!("<html>{}</html>", "ü".repeat(5_000));
    let error =
        decode::<Template>(&ENVELOPE, &GET, 503, &HeaderMap::new(), Bytes::from(long)).unwrap_err();
    let api = error.as_api().unwrap();
    assert_eq!(api.message(), "Service Unavailable");
    assert_eq!(api.body_excerpt().chars().count(), 200);
    assert!(api.body_excerpt().ends_with('…'));

    let error = decode::<Template>(
        &PLAIN,
        &GET,
        200,
        &HeaderMap::new(),
        Bytes::from_static(&[0x00, 0x9f, 0x92, 0x96, b'{']),
    )
    .unwrap_err();
    assert!(matches!(error, Error::Decode(_)));
}

#[test]
fn unknown_status_codes_have_a_readable_message() {
    let error = decode::<Template>(&PLAIN, &GET, 599, &HeaderMap::new(), Bytes::new()).unwrap_err();
    assert_eq!(error.as_api().unwrap().message(), "HTTP status 599");
    assert_eq!(error.to_string(), "API error 599: HTTP status 599");
}

#[test]
fn response_parts() {
    let response: Response<Template> = decode(
        &ENVELOPE,
        &GET,
        200,
        &headers_with_request_id("req_parts"),
        json_body(json!({"success": true, "data": {"id": "t_1"}})),
    )
    .unwrap();
    let (data, meta, status, headers) = response.into_parts();
    assert_eq!(data.id, "t_1");
    assert_eq!(meta, Meta::default());
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("x-request-id").unwrap(), "req_parts");
}
