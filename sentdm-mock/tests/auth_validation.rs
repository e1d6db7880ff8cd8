#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Authentication, routing, validation details and request ids, over HTTP.

mod common;

use common::Api;
use reqwest::Method;
use sentdm_mock::{DEFAULT_API_KEY, MockServer};
use serde_json::json;

#[tokio::test]
async fn missing_key_is_auth_001_and_unknown_key_is_auth_002() {
    let mut api = Api::new();
    assert_eq!(api.server.api_key(), DEFAULT_API_KEY);
    api.key = None;
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 401);
    assert_eq!(a.code(), "AUTH_001");
    let body = a.json();
    assert_eq!(body["success"], json!(false));
    assert_eq!(body["data"], json!(null));
    assert_eq!(
        body["error"]["doc_url"],
        json!("https://docs.sent.dm/reference/api/authentication")
    );

    api.key = Some("not-a-key".into());
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 401);
    assert_eq!(a.code(), "AUTH_002");

    api.key = Some(String::new());
    assert_eq!(api.get("/v3/me").await.code(), "AUTH_002");

    api.key = Some(DEFAULT_API_KEY.into());
    let a = api.get("/v3/me").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["success"], json!(true));
    assert!(a.data()["channels"]["sms"].is_object());
}

#[tokio::test]
async fn configured_and_added_keys() {
    let server = MockServer::builder()
        .api_key("key-one")
        .api_key("key-two")
        .start()
        .unwrap();
    let mut api = Api::with(server);
    assert_eq!(api.server.api_key(), "key-one");
    api.key = Some("key-two".into());
    assert_eq!(api.get("/v3/me").await.status, 200);
    api.key = Some(DEFAULT_API_KEY.into());
    assert_eq!(api.get("/v3/me").await.status, 401);
    api.server.add_api_key("key-three");
    api.key = Some("key-three".into());
    assert_eq!(api.get("/v3/me").await.status, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let api = Api::new();
    let a = api.get("/v3/nothing-here").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.json()["success"], json!(false));
    assert!(a.header("x-request-id").is_some());

    let a = api.call(Method::PATCH, "/v3/messages", None, &[]).await;
    assert_eq!(a.status, 405);
    assert_eq!(a.header("allow").as_deref(), Some("POST"));

    // A literal segment wins over a parameter.
    let a = api.get("/v3/webhooks/event-types").await;
    assert_eq!(a.status, 200);
    assert!(a.data()["event_types"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn send_validation_uses_validation_004_with_field_details() {
    let api = Api::new();
    let a = api
        .post("/v3/messages", json!({"to": [], "channel": ["fax"]}))
        .await;
    assert_eq!(a.status, 400);
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_004"));
    assert_eq!(e["message"], json!("Request validation failed"));
    assert!(
        e["details"]["to"][0]
            .as_str()
            .unwrap()
            .contains("at least one")
    );
    assert!(
        e["details"]["template"][0]
            .as_str()
            .unwrap()
            .contains("required")
    );
    assert!(e["details"]["channel[0]"].is_array());

    let a = api
        .post(
            "/v3/messages",
            json!({"to": ["0044"], "template": {"id": "not-a-uuid"}}),
        )
        .await;
    assert_eq!(a.status, 400);
    let d = &a.json()["error"]["details"];
    assert!(d["to[0]"].is_array(), "{d}");
    assert!(d["template.id"][0].as_str().unwrap().contains("UUID"));
}

#[tokio::test]
async fn nested_fields_are_named_with_dots() {
    let api = Api::new();
    let a = api
        .post(
            "/v3/profiles",
            json!({"short_name": "x", "payment_details": {"expiry": "13/27"}}),
        )
        .await;
    assert_eq!(a.status, 400);
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_001"));
    let d = &e["details"];
    assert!(d["name"].is_array());
    assert!(d["short_name"].is_array());
    assert!(d["payment_details.expiry"].is_array());
}

#[tokio::test]
async fn query_and_body_types_ranges_and_enums() {
    let api = Api::new();
    let a = api.get("/v3/templates?page=1&page_size=500").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.code(), "VALIDATION_001");
    assert!(a.json()["error"]["details"]["page_size"].is_array());

    let a = api.get("/v3/contacts?page=0&page_size=10").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.code(), "VALIDATION_005");

    let a = api.get("/v3/contacts?page=abc&page_size=10").await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]["details"]["page"].is_array());

    let a = api.get("/v3/contacts").await;
    assert_eq!(a.status, 400);
    let d = &a.json()["error"]["details"];
    assert!(d["page"].is_array() && d["page_size"].is_array());

    let a = api
        .get("/v3/templates?page=1&page_size=5&status=LIVE")
        .await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]["details"]["status"].is_array());

    let a = api
        .post(
            "/v3/webhooks",
            json!({"display_name": "x", "endpoint_url": "ftp://example.com", "retry_count": 9}),
        )
        .await;
    assert_eq!(a.status, 400);
    let d = &a.json()["error"]["details"];
    assert!(
        d["endpoint_url"].is_array() && d["retry_count"].is_array(),
        "{d}"
    );

    let a = api
        .post("/v3/users", json!({"email": "nobody", "role": "owner"}))
        .await;
    assert_eq!(a.status, 400);
    let d = &a.json()["error"]["details"];
    assert!(d["email"].is_array() && d["role"].is_array(), "{d}");

    let a = api
        .call(
            Method::POST,
            "/v3/contacts",
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(a.status, 400);
    assert!(a.json()["error"]["details"]["body"].is_array());

    let a = api
        .call(
            Method::POST,
            "/v3/contacts",
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn malformed_json_body_is_a_validation_error() {
    let api = Api::new();
    let resp = api
        .http
        .post(api.url("/v3/contacts"))
        .header("x-api-key", api.server.api_key())
        .header("content-type", "application/json")
        .body("{\"phone_number\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert!(v["error"]["details"]["body"].is_array());
}

#[tokio::test]
async fn only_documented_statuses_for_malformed_ids() {
    let api = Api::new();
    // GET /v3/contacts/{id} documents 400 (VALIDATION_003 in its example).
    let a = api.get("/v3/contacts/not-a-uuid").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.code(), "VALIDATION_003");
    // GET /v3/profiles/{profileId} documents no 400: its 404 answers.
    let a = api.get("/v3/profiles/not-a-uuid").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.code(), "RESOURCE_014");
    assert!(a.json()["error"]["details"]["profileId"].is_array());
    // GET /v3/me documents neither 400 nor 404: a malformed x-profile-id is refused with 403,
    // and so is a well-formed id that names no profile (a contact's); the organization's
    // profile (from the docs' examples) is accepted.
    for (profile, status) in [
        ("nope", 403),
        ("6ba7b810-9dad-11d1-80b4-00c04fd430c8", 403),
        ("770e8400-e29b-41d4-a716-446655440002", 200),
    ] {
        let a = api
            .call(Method::GET, "/v3/me", None, &[("x-profile-id", profile)])
            .await;
        assert_eq!(a.status, status, "{profile}: {}", a.text);
        if status == 403 {
            assert_eq!(a.code(), "AUTH_004");
        }
    }
}

#[tokio::test]
async fn request_ids_and_standard_headers_on_every_response() {
    let mut api = Api::new();
    let ok = api.get("/v3/contacts?page=1&page_size=5").await;
    let bad = api.get("/v3/contacts?page=0&page_size=5").await;
    api.key = None;
    let unauth = api.get("/v3/contacts?page=1&page_size=5").await;
    let mut seen = std::collections::HashSet::new();
    for a in [&ok, &bad, &unauth] {
        let rid = a.header("x-request-id").unwrap();
        assert!(rid.starts_with("req_") && rid.len() == 14, "{rid}");
        assert_eq!(a.json()["meta"]["request_id"], json!(rid));
        assert_eq!(a.json()["meta"]["version"], json!("v3"));
        assert!(seen.insert(rid));
        assert_eq!(a.header("x-api-version").as_deref(), Some("v3"));
        assert!(a.header("x-ratelimit-limit").is_some());
        assert!(a.header("x-ratelimit-remaining").is_some());
        assert!(a.header("x-ratelimit-reset").is_some());
        assert_eq!(
            a.header("content-type").as_deref(),
            Some("application/json")
        );
    }
    let log = api.server.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].status, Some(200));
    assert_eq!(log[1].status, Some(400));
    assert_eq!(log[2].status, Some(401));
    assert_eq!(log[0].query.as_deref(), Some("page=1&page_size=5"));
}
