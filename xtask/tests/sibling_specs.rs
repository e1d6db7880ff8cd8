//! The committed SendSeven and Sendivent specs: each parses with `openapiv3` and has what the
//! documents describe — the operations, the auth, the upload limits, the unions, pagination,
//! payload keys, error codes and webhook signing — in the shapes `spec/README.md` documents.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};
use serde_json::{Value, json};

fn load(api: &str) -> (OpenAPI, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../spec")
        .join(api)
        .join("openapi.json");
    let text = std::fs::read_to_string(&path).expect("committed spec");
    let spec: OpenAPI = serde_json::from_str(&text).expect("parses with openapiv3");
    assert_eq!(spec.openapi, "3.0.3");
    (spec, serde_json::from_str(&text).expect("JSON"))
}

/// `(METHOD path, operationId)` of every operation.
fn operations(spec: &OpenAPI) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            panic!("{path} is a reference")
        };
        for (method, op) in item.iter() {
            out.push((
                format!("{} {path}", method.to_uppercase()),
                op.operation_id.clone().unwrap_or_default(),
            ));
        }
    }
    out.sort();
    out
}

fn at<'v>(value: &'v Value, pointer: &str) -> &'v Value {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

#[test]
fn sendseven_has_the_documented_operations_and_auth() {
    let (spec, value) = load("sendseven");
    assert_eq!(
        operations(&spec),
        [
            ("POST /attachments".into(), "uploadAttachment".into()),
            ("POST /messages".into(), "sendMessage".into()),
        ]
    );
    assert_eq!(spec.servers[0].url, "https://api.sendseven.com/api/v1");
    assert!(value.get("x-envelope").is_none(), "no envelope");

    // Bearer token and tenant header, both required on every request.
    assert_eq!(
        value["security"],
        json!([{ "BearerToken": [], "TenantId": [] }])
    );
    let schemes = &spec
        .components
        .as_ref()
        .expect("components")
        .security_schemes;
    match schemes.get("BearerToken") {
        Some(ReferenceOr::Item(SecurityScheme::HTTP { scheme, .. })) => {
            assert_eq!(scheme, "bearer")
        }
        other => panic!("BearerToken: {other:?}"),
    }
    match schemes.get("TenantId") {
        Some(ReferenceOr::Item(SecurityScheme::APIKey { name, .. })) => {
            assert_eq!(name, "X-Tenant-ID")
        }
        other => panic!("TenantId: {other:?}"),
    }
    assert_eq!(
        at(&value, "/components/securitySchemes/BearerToken/x-pattern"),
        "^msgapi_[0-9a-fA-F]{64}$"
    );
    let env: Vec<&str> = at(&value, "/info/x-env")
        .as_array()
        .expect("x-env")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        env,
        [
            "SENDSEVEN_API_TOKEN",
            "SENDSEVEN_TENANT_ID",
            "SENDSEVEN_API_URL"
        ]
    );

    // Errors are {detail, status_code}.
    assert_eq!(
        at(&value, "/x-error-body"),
        &json!({ "schema": "Error", "message": "detail", "status": "status_code", "x-evidence": ["examples.md"] })
    );
    assert_eq!(
        at(&value, "/components/schemas/Error/required"),
        &json!(["detail", "status_code"])
    );
}

#[test]
fn sendseven_messages_are_a_union_and_uploads_have_limits() {
    let (_, value) = load("sendseven");
    let request = at(&value, "/components/schemas/SendMessageRequest");
    assert_eq!(request["oneOf"].as_array().map(Vec::len), Some(2));
    assert_eq!(request["discriminator"]["propertyName"], "message_type");
    assert_eq!(
        request["discriminator"]["mapping"]["image"],
        "#/components/schemas/MediaMessageRequest"
    );
    assert_eq!(
        at(&value, "/components/schemas/MediaMessageRequest/required"),
        &json!(["conversation_id", "message_type", "attachments"])
    );
    assert_eq!(
        at(
            &value,
            "/components/schemas/Message/properties/attachments/items/$ref"
        ),
        "#/components/schemas/Attachment"
    );

    let upload = at(&value, "/paths/~1attachments/post");
    let media = at(upload, "/requestBody/content/multipart~1form-data");
    assert!(
        media["encoding"]["file"]["contentType"]
            .as_str()
            .expect("content types")
            .contains("image/jpeg")
    );
    for status in ["413", "415"] {
        assert_eq!(
            upload["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error",
            "{status}"
        );
    }
    let file = at(
        &value,
        "/components/schemas/UploadAttachmentRequest/properties/file",
    );
    assert_eq!(file["format"], "binary");
    assert_eq!(file["maxLength"], 100 * 1024 * 1024);
    assert_eq!(file["x-max-bytes"]["image/jpeg"], 16 * 1024 * 1024);
    assert_eq!(file["x-max-bytes"]["application/pdf"], 100 * 1024 * 1024);
    assert_eq!(
        file["x-file-extensions"]["image/jpeg"],
        json!([".jpg", ".jpeg"])
    );
    assert_eq!(file["x-max-bytes"].as_object().map(|m| m.len()), Some(19));
}

#[test]
fn sendseven_webhooks_are_signed_as_documented() {
    let (_, value) = load("sendseven");
    let signature = at(&value, "/x-webhooks/signature");
    assert_eq!(signature["algorithm"], "HMAC-SHA256");
    assert_eq!(signature["header"], "X-Sendseven-Signature");
    assert_eq!(signature["prefix"], "sha256=");
    assert_eq!(signature["encoding"], "hex");
    assert_eq!(signature["timestamp_header"], "X-Sendseven-Timestamp");
    assert_eq!(signature["signed_content"], "{timestamp}.{payload}");
    assert_eq!(
        signature["undocumented"],
        json!(["tolerance_seconds", "secret_prefix"])
    );
    assert_eq!(
        at(&value, "/x-webhooks/undocumented"),
        &json!(["payload", "events"])
    );
}

#[test]
fn sendivent_has_the_documented_operations() {
    let (spec, _) = load("sendivent");
    let expected = [
        ("DELETE /v1/contacts/{identifier}", "deleteContact"),
        (
            "DELETE /v1/contacts/{identifier}/push-tokens",
            "removePushToken",
        ),
        ("DELETE /v1/webhooks/{uuid}", "deleteWebhook"),
        ("GET /v1/contacts", "listContacts"),
        ("GET /v1/contacts/{identifier}", "getContact"),
        ("GET /v1/deliveries", "listDeliveries"),
        ("GET /v1/deliveries/{uuid}/trace", "traceDelivery"),
        ("GET /v1/events", "listEvents"),
        ("GET /v1/events/{identifier}", "getEvent"),
        ("GET /v1/integrations", "listIntegrations"),
        ("GET /v1/webhooks", "getWebhook"),
        ("PATCH /v1/contacts/{identifier}", "updateContact"),
        ("PATCH /v1/webhooks/{uuid}", "updateWebhook"),
        ("POST /v1/contacts", "upsertContact"),
        ("POST /v1/contacts/{identifier}/push-tokens", "addPushToken"),
        ("POST /v1/send/{event}", "sendEvent"),
        ("POST /v1/send/{event}/{channel}", "sendEventToChannel"),
        ("POST /v1/webhooks", "createWebhook"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(operations(&spec), expected);
}

#[test]
fn sendivent_keys_pick_servers_with_their_rate_limits() {
    let (_, value) = load("sendivent");
    assert_eq!(value["security"], json!([{ "ApiKey": [] }]));
    let servers: Vec<(&str, &str, u64)> = value["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .map(|s| {
            (
                s["x-key-prefix"].as_str().expect("prefix"),
                s["url"].as_str().expect("url"),
                s["x-rate-limit"]["requests_per_second"]
                    .as_u64()
                    .expect("rps"),
            )
        })
        .collect();
    assert_eq!(
        servers,
        [
            ("live_", "https://api.sendivent.com", 100),
            ("test_", "https://api-sandbox.sendivent.com", 10),
        ]
    );
    assert!(
        value.pointer("/info/x-env").is_none(),
        "no env names documented"
    );
}

#[test]
fn sendivent_sends_take_a_union_an_enum_channel_and_an_idempotency_key() {
    let (_, value) = load("sendivent");
    let send = at(&value, "/paths/~1v1~1send~1{event}~1{channel}/post");
    let params = send["parameters"].as_array().expect("parameters");
    let channel = params
        .iter()
        .find(|p| p["name"] == "channel")
        .expect("channel");
    assert_eq!(channel["in"], "path");
    assert_eq!(
        at(&value, "/components/schemas/Channel/enum"),
        &json!([
            "email", "sms", "slack", "push", "telegram", "whatsapp", "discord"
        ])
    );
    let key = params
        .iter()
        .find(|p| p["name"] == "X-Idempotency-Key")
        .expect("idempotency key");
    assert_eq!(key["in"], "header");
    assert_eq!(key["x-idempotency-key"], true);

    let to = at(&value, "/components/schemas/Recipients/oneOf");
    assert_eq!(
        to,
        &json!([
            { "$ref": "#/components/schemas/RecipientIdentifier" },
            { "$ref": "#/components/schemas/ContactFields" },
            { "type": "array", "items": { "$ref": "#/components/schemas/ContactFields" } }
        ])
    );
    let kinds: Vec<&str> = at(
        &value,
        "/components/schemas/RecipientIdentifier/x-identifier-kinds",
    )
    .as_array()
    .expect("kinds")
    .iter()
    .map(|k| k["kind"].as_str().expect("kind"))
    .collect();
    assert_eq!(kinds, ["email", "phone", "uuid", "external_id"]);
    assert_eq!(
        at(
            &value,
            "/components/schemas/ContactFields/additionalProperties"
        ),
        true
    );
}

#[test]
fn sendivent_payloads_sit_under_their_keys() {
    let (_, value) = load("sendivent");
    let key = |pointer: &str| at(&value, pointer)["x-payload-key"].clone();
    assert_eq!(
        key("/paths/~1v1~1send~1{event}/post/responses/200"),
        "deliveries"
    );
    assert_eq!(key("/paths/~1v1~1contacts/get/responses/200"), "data");
    assert_eq!(key("/paths/~1v1~1webhooks/post/responses/201"), "webhook");
    assert_eq!(
        key("/paths/~1v1~1contacts~1{identifier}/delete/responses/2XX"),
        "deleted"
    );
    for (path, items, default) in [
        ("~1v1~1contacts", "contacts", 50),
        ("~1v1~1deliveries", "deliveries", 20),
    ] {
        let pagination = at(&value, &format!("/paths/{path}/get/x-pagination"));
        assert_eq!(pagination["style"], "offset");
        assert_eq!(pagination["offset"], "offset");
        assert_eq!(pagination["limit"], "limit");
        assert_eq!(pagination["items"], items);
        assert_eq!(pagination["total"], "total");
        assert_eq!(pagination["default_limit"], default);
    }
    let body = at(
        &value,
        "/paths/~1v1~1contacts~1{identifier}~1push-tokens/delete/requestBody",
    );
    assert_eq!(body["required"], true);
}

#[test]
fn sendivent_errors_and_webhooks_are_as_documented() {
    let (_, value) = load("sendivent");
    assert_eq!(
        at(&value, "/x-error-body"),
        &json!({ "schema": "ErrorResponse", "message": "error", "code": "code", "x-evidence": ["api-guide.md"] })
    );
    let codes = at(&value, "/x-error-codes").as_array().expect("codes");
    assert_eq!(codes.len(), 16);
    assert_eq!(
        codes[0],
        json!({ "code": "VALIDATION_ERROR", "status": 400, "message": "Missing or invalid parameters" })
    );
    assert!(
        codes
            .iter()
            .any(|c| c["code"] == "EVENT_NOT_FOUND" && c.get("status").is_none())
    );

    let webhooks = at(&value, "/x-webhooks");
    assert_eq!(webhooks["signature"]["secret_prefix"], "whsec_");
    let undocumented = webhooks["signature"]["undocumented"]
        .as_array()
        .expect("list");
    assert!(undocumented.contains(&json!("header")));
    assert!(webhooks["signature"].get("header").is_none());
    let events: Vec<&str> = webhooks["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        events,
        [
            "delivery.sent",
            "delivery.delivered",
            "delivery.failed",
            "delivery.bounced",
            "delivery.complained"
        ]
    );
    assert_eq!(
        webhooks["payload"]["$ref"],
        "#/components/schemas/WebhookEvent"
    );
    assert_eq!(
        at(
            &value,
            "/components/schemas/Webhook/properties/signing_secret/pattern"
        ),
        "^whsec_"
    );
}
