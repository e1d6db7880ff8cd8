#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The Sendivent mock over loopback HTTP with a plain client: every operation with a success
//! and a documented failure, keys per environment, idempotency, pagination, rate limits.

use reqwest::Method;
use sendivent_mock::{DEFAULT_LIVE_KEY, DEFAULT_TEST_KEY, Environment, Fault, MockServer};
use serde_json::{Value, json};

const SPEC: &str = include_str!("../openapi.json");

struct Answer {
    status: u16,
    body: Value,
}

async fn call_with(
    server: &MockServer,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = http.request(method, format!("{}{path}", server.url()));
    let mut authorized = false;
    for (name, value) in headers {
        authorized |= name.eq_ignore_ascii_case("authorization");
        req = req.header(*name, *value);
    }
    if !authorized {
        req = req.bearer_auth(server.api_key());
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let response = req.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn call(server: &MockServer, method: Method, path: &str, body: Option<Value>) -> Answer {
    call_with(server, method, path, body, &[]).await
}

fn assert_error(answer: &Answer, status: u16, code: &str, says: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.body["code"], code, "{:?}", answer.body);
    let message = answer.body["error"].as_str().unwrap();
    assert!(message.contains(says), "{message:?} lacks {says:?}");
}

#[tokio::test]
async fn keys_must_belong_to_the_environment_the_mock_plays() {
    let live = MockServer::start().unwrap();
    assert_eq!(live.environment(), Environment::Production);
    assert_eq!(live.api_key(), DEFAULT_LIVE_KEY);
    let cases = [
        (None, "Missing API key"),
        (Some("Basic abc"), "Missing API key"),
        (
            Some("Bearer test_0123456789abcdef0123456789abcdef"),
            "This is a sandbox key (test_…); the production API takes live_ keys",
        ),
        (Some("Bearer sk_123"), "production keys start with live_"),
        (Some("Bearer live_unknown"), "Invalid API key"),
    ];
    for (auth, says) in cases {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut req = http.get(format!("{}/v1/events", live.url()));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let response = req.send().await.unwrap();
        let answer = Answer {
            status: response.status().as_u16(),
            body: response.json().await.unwrap(),
        };
        assert_error(&answer, 401, "UNAUTHORIZED", says);
    }
    let sandbox = MockServer::builder()
        .environment(Environment::Sandbox)
        .start()
        .unwrap();
    assert_eq!(sandbox.api_key(), DEFAULT_TEST_KEY);
    assert_eq!(sandbox.key_prefix(), "test_");
    let refused = call_with(
        &sandbox,
        Method::GET,
        "/v1/events",
        None,
        &[("Authorization", &format!("Bearer {DEFAULT_LIVE_KEY}"))],
    )
    .await;
    assert_error(
        &refused,
        401,
        "UNAUTHORIZED",
        "production key (live_…); the sandbox API takes test_ keys",
    );
    assert_eq!(
        call(&sandbox, Method::GET, "/v1/events", None).await.status,
        200
    );
}

#[tokio::test]
async fn the_docs_list_examples_are_answered_verbatim() {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let server = MockServer::start().unwrap();
    for path in ["/v1/events", "/v1/integrations"] {
        let answer = call(&server, Method::GET, path, None).await;
        assert_eq!(answer.status, 200);
        let documented = &spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
            ["example"];
        assert_eq!(answer.body, *documented, "{path}");
    }
    let event = call(&server, Method::GET, "/v1/events/user.welcome", None).await;
    assert_eq!(event.status, 200);
    assert_eq!(event.body["data"]["channels"], json!(["email", "slack"]));
    let missing = call(&server, Method::GET, "/v1/events/order.shipped", None).await;
    assert_error(
        &missing,
        404,
        "EVENT_NOT_FOUND",
        "Event 'order.shipped' not found",
    );
    let email = call(&server, Method::GET, "/v1/integrations?channel=email", None).await;
    assert_eq!(email.body["data"]["integrations"][0]["provider"], "ses");
    let none = call(&server, Method::GET, "/v1/integrations?channel=sms", None).await;
    assert_eq!(none.body["data"]["integrations"], json!([]));
    let bad = call(&server, Method::GET, "/v1/integrations?channel=fax", None).await;
    assert_error(
        &bad,
        400,
        "VALIDATION_ERROR",
        "'channel' must be one of: email, sms",
    );
}

#[tokio::test]
async fn a_send_delivers_per_channel_and_explains_what_it_could_not() {
    let server = MockServer::start().unwrap();
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    // The documented request body, to the docs' event: email is delivered; slack has no
    // integration.
    let example = spec["paths"]["/v1/send/{event}"]["post"]["requestBody"]["content"]["application/json"]["example"].clone();
    let sent = call(
        &server,
        Method::POST,
        "/v1/send/user.welcome",
        Some(example.clone()),
    )
    .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["success"], true);
    let email_id = sent.body["deliveries"][0]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sent.body["errors"],
        json!([{"code": "INTEGRATION_MISSING", "message": "No slack integration configured"}])
    );
    // The recipient became a contact; the delivery can be listed and traced.
    let contact = call(&server, Method::GET, "/v1/contacts/user@example.com", None).await;
    assert_eq!(contact.status, 200);
    let deliveries = call(
        &server,
        Method::GET,
        "/v1/deliveries?event=user.welcome&channel=email&status=sent",
        None,
    )
    .await;
    assert_eq!(deliveries.body["data"]["total"], 1);
    assert_eq!(
        deliveries.body["data"]["deliveries"][0]["uuid"],
        email_id.as_str()
    );
    let trace = call(
        &server,
        Method::GET,
        &format!("/v1/deliveries/{email_id}/trace"),
        None,
    )
    .await;
    assert_eq!(trace.status, 200);
    assert_eq!(
        trace.body["data"]["content"]["payload"],
        json!({"orderNumber": "ORD-123"})
    );
    assert_eq!(
        trace.body["data"]["content"]["overrides"]["subject"],
        "Custom subject"
    );
    let unknown_trace = call(
        &server,
        Method::GET,
        "/v1/deliveries/6ba7b810-9dad-11d1-80b4-00c04fd430c8/trace",
        None,
    )
    .await;
    assert_error(&unknown_trace, 404, "NOT_FOUND", "No delivery");
    let bad_trace = call(&server, Method::GET, "/v1/deliveries/nope/trace", None).await;
    assert_error(
        &bad_trace,
        400,
        "VALIDATION_ERROR",
        "'uuid' must be a valid UUID",
    );

    // Forced onto slack only: nothing is sent, as the docs' failure example shows.
    let slack = call(
        &server,
        Method::POST,
        "/v1/send/user.welcome/slack",
        Some(json!({"to": "user@example.com"})),
    )
    .await;
    assert_eq!(slack.status, 200);
    assert_eq!(
        slack.body,
        json!({"success": false, "deliveries": [], "errors": [{"code": "INTEGRATION_MISSING", "message": "No slack integration configured"}]})
    );
    let bad_channel = call(
        &server,
        Method::POST,
        "/v1/send/user.welcome/fax",
        Some(json!({"to": "a@example.com"})),
    )
    .await;
    assert_error(
        &bad_channel,
        400,
        "VALIDATION_ERROR",
        "'channel' must be one of",
    );

    // Documented failures of the request as a whole.
    let cases = [
        (
            "/v1/send/order.shipped",
            json!({"to": "a@example.com"}),
            404,
            "EVENT_NOT_FOUND",
            "Event 'order.shipped' not found",
        ),
        (
            "/v1/send/user.welcome",
            json!({}),
            400,
            "VALIDATION_ERROR",
            "'to' is required",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": 5}),
            400,
            "VALIDATION_ERROR",
            "'to' must be a string",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": "user@nowhere"}),
            400,
            "INVALID_EMAIL",
            "'to' is not a valid email address",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": "+0123"}),
            400,
            "INVALID_PHONE",
            "E.164",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": [{"email": "ok@example.com"}, {"phone": "555"}]}),
            400,
            "INVALID_PHONE",
            "'to[1].phone'",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": [{"name": "Nobody"}]}),
            400,
            "VALIDATION_ERROR",
            "'to[0]' needs at least one identifier",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": "ext_user_123"}),
            404,
            "NOT_FOUND",
            "no contact with external id 'ext_user_123'",
        ),
        (
            "/v1/send/user.welcome",
            json!({"to": "a@example.com", "from": "x@evil.example"}),
            400,
            "UNVERIFIED_SENDER",
            "Sender 'x@evil.example' is not verified",
        ),
    ];
    for (path, body, status, code, says) in cases {
        assert_error(
            &call(&server, Method::POST, path, Some(body)).await,
            status,
            code,
            says,
        );
    }
    assert_eq!(server.send_count(), 2);
}

#[tokio::test]
async fn to_may_be_a_string_an_object_or_an_array() {
    let server = MockServer::builder()
        .event("order.confirmed", "Order Confirmed", &["email", "sms"])
        .integration("sms", "twilio")
        .start()
        .unwrap();
    // An object: a new contact, with unknown members in meta.
    let one = call(&server, Method::POST, "/v1/send/order.confirmed", Some(json!({"to": {"email": "ann@example.com", "phone": "+14155551234", "name": "Ann", "favorite_color": "green"}}))).await;
    assert_eq!(
        one.body["deliveries"].as_array().unwrap().len(),
        2,
        "{:?}",
        one.body
    );
    assert!(one.body.get("errors").is_none());
    let ann = call(&server, Method::GET, "/v1/contacts/+14155551234", None).await;
    assert_eq!(ann.body["data"]["name"], "Ann");
    assert_eq!(ann.body["data"]["meta"], json!({"favoriteColor": "green"}));
    // An array: one delivery per recipient and channel, or an error for what is missing.
    let many = call(
        &server,
        Method::POST,
        "/v1/send/order.confirmed/email",
        Some(json!({"to": [{"email": "b@example.com"}, {"email": "c@example.com"}]})),
    )
    .await;
    assert_eq!(many.body["deliveries"].as_array().unwrap().len(), 2);
    let no_phone = call(
        &server,
        Method::POST,
        "/v1/send/order.confirmed/sms",
        Some(json!({"to": "b@example.com"})),
    )
    .await;
    assert_eq!(no_phone.body["success"], false);
    assert_eq!(no_phone.body["errors"][0]["code"], "MISSING_IDENTIFIER");
    // A UUID or an external id names an existing contact.
    let uuid = ann.body["data"]["uuid"].as_str().unwrap().to_owned();
    let by_uuid = call(
        &server,
        Method::POST,
        "/v1/send/order.confirmed/email",
        Some(json!({"to": uuid})),
    )
    .await;
    assert_eq!(by_uuid.body["success"], true);
    let sends = server.sends();
    assert_eq!(sends.len(), 4);
    assert_eq!(sends[1].channel.as_deref(), Some("email"));
    assert_eq!(sends[1].event, "order.confirmed");
    assert_eq!(server.contacts().len(), 3);

    // Without the SMS add-on.
    let server = MockServer::builder()
        .event("otp", "OTP", &["sms"])
        .integration("sms", "twilio")
        .sms_addon(false)
        .start()
        .unwrap();
    let refused = call(
        &server,
        Method::POST,
        "/v1/send/otp",
        Some(json!({"to": "+14155551234"})),
    )
    .await;
    assert_eq!(refused.body["errors"][0]["code"], "ADDON_NOT_ENABLED");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let server = MockServer::start().unwrap();
    let key = [("X-Idempotency-Key", "order-42")];
    let body = json!({"to": "user@example.com"});
    let first = call_with(
        &server,
        Method::POST,
        "/v1/send/user.welcome/email",
        Some(body.clone()),
        &key,
    )
    .await;
    let again = call_with(
        &server,
        Method::POST,
        "/v1/send/user.welcome/email",
        Some(body.clone()),
        &key,
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(again.body, first.body);
    assert_eq!(server.send_count(), 1);
    assert_eq!(
        server.sends()[0].idempotency_key.as_deref(),
        Some("order-42")
    );
    // Another endpoint, or no key, is another send.
    let other = call_with(
        &server,
        Method::POST,
        "/v1/send/user.welcome",
        Some(body.clone()),
        &key,
    )
    .await;
    assert_ne!(other.body, first.body);
    call(
        &server,
        Method::POST,
        "/v1/send/user.welcome/email",
        Some(body.clone()),
    )
    .await;
    assert_eq!(server.send_count(), 3);
    // A failure is not kept: the retry is handled anew.
    let failed = call_with(
        &server,
        Method::POST,
        "/v1/send/nope",
        Some(body.clone()),
        &[("X-Idempotency-Key", "k2")],
    )
    .await;
    assert_eq!(failed.status, 404);
    server.add_event("nope", "Nope", &["email"]);
    let retried = call_with(
        &server,
        Method::POST,
        "/v1/send/nope",
        Some(body),
        &[("X-Idempotency-Key", "k2")],
    )
    .await;
    assert_eq!(retried.status, 200);
}

#[tokio::test]
async fn contacts_can_be_created_read_paged_searched_updated_and_deleted() {
    let server = MockServer::builder().seeded(false).start().unwrap();
    let created = call(&server, Method::POST, "/v1/contacts", Some(json!({"email": "ann@example.com", "name": "Ann", "externalId": "ext_1", "Plan Tier": "gold"}))).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let uuid = created.body["data"]["uuid"].as_str().unwrap().to_owned();
    assert_eq!(created.body["data"]["meta"], json!({"planTier": "gold"}));
    // The same identifier updates.
    let upserted = call(
        &server,
        Method::POST,
        "/v1/contacts",
        Some(json!({"email": "ann@example.com", "phone": "+14155550100"})),
    )
    .await;
    assert_eq!(upserted.status, 200);
    assert_eq!(upserted.body["data"]["uuid"], uuid.as_str());
    assert_eq!(upserted.body["data"]["name"], "Ann");
    // Found by each kind of identifier.
    for identifier in [uuid.as_str(), "ann@example.com", "+14155550100", "ext_1"] {
        let found = call(
            &server,
            Method::GET,
            &format!("/v1/contacts/{identifier}"),
            None,
        )
        .await;
        assert_eq!(found.body["data"]["uuid"], uuid.as_str(), "{identifier}");
    }
    assert_error(
        &call(
            &server,
            Method::GET,
            "/v1/contacts/nobody@example.com",
            None,
        )
        .await,
        404,
        "NOT_FOUND",
        "No contact with identifier 'nobody@example.com'",
    );
    // Failures of a write.
    assert_error(
        &call(&server, Method::POST, "/v1/contacts", Some(json!({}))).await,
        400,
        "VALIDATION_ERROR",
        "at least one member",
    );
    assert_error(
        &call(
            &server,
            Method::POST,
            "/v1/contacts",
            Some(json!({"name": "X"})),
        )
        .await,
        400,
        "VALIDATION_ERROR",
        "at least one identifier",
    );
    assert_error(
        &call(
            &server,
            Method::POST,
            "/v1/contacts",
            Some(json!({"email": "bad"})),
        )
        .await,
        400,
        "INVALID_EMAIL",
        "'email'",
    );
    assert_error(
        &call(
            &server,
            Method::POST,
            "/v1/contacts",
            Some(json!({"phone": "0155"})),
        )
        .await,
        400,
        "INVALID_PHONE",
        "E.164",
    );

    // Pages and search.
    for i in 0..4 {
        let body = json!({"email": format!("user{i}@example.com"), "name": format!("User {i}")});
        assert_eq!(
            call(&server, Method::POST, "/v1/contacts", Some(body))
                .await
                .status,
            201
        );
    }
    let page = call(&server, Method::GET, "/v1/contacts?limit=2&offset=1", None).await;
    assert_eq!(page.body["data"]["total"], 5);
    assert_eq!(page.body["data"]["limit"], 2);
    assert_eq!(page.body["data"]["offset"], 1);
    let emails: Vec<&str> = page.body["data"]["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["user0@example.com", "user1@example.com"]);
    let defaults = call(&server, Method::GET, "/v1/contacts", None).await;
    assert_eq!(defaults.body["data"]["limit"], 50);
    assert_eq!(
        defaults.body["data"]["contacts"].as_array().unwrap().len(),
        5
    );
    let search = call(&server, Method::GET, "/v1/contacts?search=USER%203", None).await;
    assert_eq!(search.body["data"]["total"], 1);
    assert_error(
        &call(&server, Method::GET, "/v1/contacts?limit=101", None).await,
        400,
        "VALIDATION_ERROR",
        "'limit' must be between 1 and 100",
    );

    // Update, with a conflict.
    let patched = call(
        &server,
        Method::PATCH,
        "/v1/contacts/ext_1",
        Some(json!({"name": "Ann B", "tier": 2})),
    )
    .await;
    assert_eq!(patched.body["data"]["name"], "Ann B");
    assert_eq!(
        patched.body["data"]["meta"],
        json!({"planTier": "gold", "tier": 2})
    );
    assert_error(
        &call(
            &server,
            Method::PATCH,
            "/v1/contacts/ext_1",
            Some(json!({"email": "user0@example.com"})),
        )
        .await,
        409,
        "CONFLICT",
        "Another contact has email 'user0@example.com'",
    );
    assert_error(
        &call(
            &server,
            Method::PATCH,
            "/v1/contacts/ext_9",
            Some(json!({"name": "x"})),
        )
        .await,
        404,
        "NOT_FOUND",
        "ext_9",
    );

    // Push tokens: added, and removed with a body on DELETE.
    let path = format!("/v1/contacts/{uuid}/push-tokens");
    let token = json!({"token": "ExponentPushToken[abc]"});
    assert_eq!(
        call(&server, Method::POST, &path, Some(token.clone()))
            .await
            .body,
        json!({"success": true})
    );
    let read = call(&server, Method::GET, &format!("/v1/contacts/{uuid}"), None).await;
    assert_eq!(
        read.body["data"]["push_tokens"],
        json!(["ExponentPushToken[abc]"])
    );
    assert_eq!(
        call(&server, Method::DELETE, &path, Some(token.clone()))
            .await
            .status,
        200
    );
    assert_error(
        &call(&server, Method::DELETE, &path, Some(token)).await,
        404,
        "NOT_FOUND",
        "no push token",
    );
    assert_error(
        &call(&server, Method::DELETE, &path, None).await,
        400,
        "VALIDATION_ERROR",
        "JSON request body is required",
    );
    assert_error(
        &call(
            &server,
            Method::POST,
            "/v1/contacts/ghost/push-tokens",
            Some(json!({"token": "t"})),
        )
        .await,
        404,
        "NOT_FOUND",
        "ghost",
    );

    // Delete.
    let deleted = call(
        &server,
        Method::DELETE,
        "/v1/contacts/ann@example.com",
        None,
    )
    .await;
    assert_eq!(deleted.body, json!({"success": true, "deleted": true}));
    assert_error(
        &call(
            &server,
            Method::DELETE,
            "/v1/contacts/ann@example.com",
            None,
        )
        .await,
        404,
        "NOT_FOUND",
        "ann@example.com",
    );
    assert_eq!(server.contacts().len(), 4);
}

#[tokio::test]
async fn the_contact_quota_is_enforced() {
    let server = MockServer::builder().contact_quota(1).start().unwrap();
    assert_eq!(
        call(
            &server,
            Method::POST,
            "/v1/contacts",
            Some(json!({"email": "a@example.com"}))
        )
        .await
        .status,
        201
    );
    let over = call(
        &server,
        Method::POST,
        "/v1/contacts",
        Some(json!({"email": "b@example.com"})),
    )
    .await;
    assert_error(&over, 402, "QUOTA_EXCEEDED", "allows 1 contacts");
    // Updating the one there is still works.
    assert_eq!(
        call(
            &server,
            Method::POST,
            "/v1/contacts",
            Some(json!({"email": "a@example.com", "name": "A"}))
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn deliveries_are_paged_newest_first() {
    let server = MockServer::start().unwrap();
    for i in 0..3 {
        let body = json!({"to": format!("u{i}@example.com")});
        call(
            &server,
            Method::POST,
            "/v1/send/user.welcome/email",
            Some(body),
        )
        .await;
    }
    let all = server.deliveries();
    let page = call(&server, Method::GET, "/v1/deliveries?limit=2", None).await;
    assert_eq!(page.body["data"]["total"], 3);
    assert_eq!(page.body["data"]["limit"], 2);
    assert_eq!(page.body["data"]["deliveries"][0], all[2]);
    let rest = call(
        &server,
        Method::GET,
        "/v1/deliveries?limit=2&offset=2",
        None,
    )
    .await;
    assert_eq!(rest.body["data"]["deliveries"], json!([all[0]]));
    assert_eq!(
        call(&server, Method::GET, "/v1/deliveries", None)
            .await
            .body["data"]["limit"],
        20
    );
    let failed = call(&server, Method::GET, "/v1/deliveries?status=failed", None).await;
    assert_eq!(failed.body["data"]["total"], 0);
    assert_error(
        &call(&server, Method::GET, "/v1/deliveries?status=lost", None).await,
        400,
        "VALIDATION_ERROR",
        "'status' must be one of",
    );
}

#[tokio::test]
async fn one_webhook_endpoint_per_application() {
    let server = MockServer::start().unwrap();
    assert_error(
        &call(&server, Method::GET, "/v1/webhooks", None).await,
        404,
        "NOT_FOUND",
        "No webhook endpoint",
    );
    let body = json!({"url": "https://yourapp.com/webhooks/sendivent", "enabled_events": ["delivery.sent", "delivery.failed"], "description": "Production webhook"});
    let created = call(&server, Method::POST, "/v1/webhooks", Some(body.clone())).await;
    assert_eq!(created.status, 201);
    let webhook = &created.body["webhook"];
    let secret = webhook["signing_secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(server.webhook_secret().as_deref(), Some(secret));
    assert_eq!(webhook["is_active"], true);
    assert_eq!(webhook["enabled_events"], body["enabled_events"]);
    let uuid = webhook["uuid"].as_str().unwrap().to_owned();
    assert_error(
        &call(&server, Method::POST, "/v1/webhooks", Some(body)).await,
        409,
        "CONFLICT",
        &uuid,
    );
    let read = call(&server, Method::GET, "/v1/webhooks", None).await;
    assert_eq!(read.body["webhook"]["uuid"], uuid.as_str());
    assert!(read.body["webhook"].get("signing_secret").is_none());
    // Update.
    let path = format!("/v1/webhooks/{uuid}");
    assert_eq!(
        call(
            &server,
            Method::PATCH,
            &path,
            Some(json!({"is_active": false, "enabled_events": ["delivery.bounced"]}))
        )
        .await
        .body,
        json!({"success": true})
    );
    let read = call(&server, Method::GET, "/v1/webhooks", None).await;
    assert_eq!(read.body["webhook"]["is_active"], false);
    assert_eq!(
        read.body["webhook"]["enabled_events"],
        json!(["delivery.bounced"])
    );
    assert_error(
        &call(
            &server,
            Method::PATCH,
            &path,
            Some(json!({"enabled_events": ["delivery.lost"]})),
        )
        .await,
        400,
        "VALIDATION_ERROR",
        "'enabled_events[0]' must be one of",
    );
    assert_error(
        &call(
            &server,
            Method::PATCH,
            &path,
            Some(json!({"url": "ftp://x"})),
        )
        .await,
        400,
        "VALIDATION_ERROR",
        "absolute http or https URL",
    );
    let other = "/v1/webhooks/6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    assert_error(
        &call(
            &server,
            Method::PATCH,
            other,
            Some(json!({"is_active": true})),
        )
        .await,
        404,
        "NOT_FOUND",
        "No webhook endpoint",
    );
    // Delete, then another can be made; every event type by default.
    assert_error(
        &call(&server, Method::DELETE, other, None).await,
        404,
        "NOT_FOUND",
        "No webhook endpoint",
    );
    assert_eq!(
        call(&server, Method::DELETE, &path, None).await.body,
        json!({"success": true})
    );
    assert_error(
        &call(&server, Method::GET, "/v1/webhooks", None).await,
        404,
        "NOT_FOUND",
        "No webhook endpoint",
    );
    assert_error(
        &call(
            &server,
            Method::POST,
            "/v1/webhooks",
            Some(json!({"description": "x"})),
        )
        .await,
        400,
        "VALIDATION_ERROR",
        "'url' is required",
    );
    let again = call(
        &server,
        Method::POST,
        "/v1/webhooks",
        Some(json!({"url": "http://127.0.0.1:9/hook"})),
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(
        again.body["webhook"]["enabled_events"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn rate_limits_are_per_environment_and_replaceable() {
    let sandbox = MockServer::builder()
        .environment(Environment::Sandbox)
        .start()
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(call(&sandbox, Method::GET, "/v1/events", None).await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
    let limited = call(&sandbox, Method::GET, "/v1/events", None).await;
    assert_error(
        &limited,
        429,
        "RATE_LIMITED",
        "the sandbox environment allows 10 a second",
    );
    // Sends a day.
    let server = MockServer::builder().rate_limits(1000, 2).start().unwrap();
    for _ in 0..2 {
        let ok = call(
            &server,
            Method::POST,
            "/v1/send/user.welcome/email",
            Some(json!({"to": "a@example.com"})),
        )
        .await;
        assert_eq!(ok.status, 200);
    }
    let over = call(
        &server,
        Method::POST,
        "/v1/send/user.welcome/email",
        Some(json!({"to": "a@example.com"})),
    )
    .await;
    assert_error(&over, 429, "RATE_LIMITED", "allows 2 sends a day");
    server.reset();
    assert_eq!(
        call(
            &server,
            Method::POST,
            "/v1/send/user.welcome/email",
            Some(json!({"to": "a@example.com"}))
        )
        .await
        .status,
        200
    );
    let unlimited = MockServer::builder()
        .environment(Environment::Sandbox)
        .unlimited()
        .start()
        .unwrap();
    for _ in 0..20 {
        assert_eq!(
            call(&unlimited, Method::GET, "/v1/events", None)
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn routing_faults_and_unknown_events() {
    let server = MockServer::builder()
        .require_known_events(false)
        .start()
        .unwrap();
    assert_error(
        &call(&server, Method::GET, "/v1/nothing", None).await,
        404,
        "NOT_FOUND",
        "No endpoint",
    );
    let wrong = call(&server, Method::PUT, "/v1/contacts", None).await;
    assert_eq!(wrong.status, 405);
    server
        .fault(Fault::status(502))
        .on("POST", "/v1/send/{event}");
    let failed = call(
        &server,
        Method::POST,
        "/v1/send/anything",
        Some(json!({"to": "a@example.com"})),
    )
    .await;
    assert_error(
        &failed,
        502,
        "PROVIDER_ERROR",
        "Third-party provider failed",
    );
    let sent = call(
        &server,
        Method::POST,
        "/v1/send/anything",
        Some(json!({"to": "a@example.com"})),
    )
    .await;
    assert_eq!(
        sent.body["deliveries"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["email"]
    );
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn the_shipped_spec_is_the_workspace_spec() {
    let workspace =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/sendivent/openapi.json");
    if let Ok(text) = std::fs::read_to_string(&workspace) {
        assert!(
            text == SPEC,
            "sendivent-mock/openapi.json differs from spec/sendivent/openapi.json: copy it over"
        );
    }
}
