#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Requests shaped the way other clients send them: `null` for optional members they leave
//! unset; and validation errors that describe what actually failed.

mod common;

use common::Api;
use serde_json::json;

const TEMPLATE: &str = "/v3/templates/7ba7b820-9dad-11d1-80b4-00c04fd430c8";
const PROFILE: &str = "/v3/profiles/770e8400-e29b-41d4-a716-446655440002";

#[tokio::test]
async fn null_optional_members_are_absent() {
    let api = Api::new();

    // A profile update from a generated client: unset members as null; they stay unchanged.
    let before = api.get(PROFILE).await.data();
    let a = api
        .patch(
            PROFILE,
            json!({"name": "Sales EMEA", "icon": null, "description": null, "brand": null,
                   "billing_contact": null, "inherit_contacts": null, "sandbox": null}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let after = a.data();
    assert_eq!(after["name"], json!("Sales EMEA"));
    for member in [
        "icon",
        "description",
        "brand",
        "billing_contact",
        "inherit_contacts",
    ] {
        assert_eq!(after[member], before[member], "{member}");
    }
    assert_eq!(
        a.header("x-sandbox"),
        None,
        "sandbox: null is not sandbox mode"
    );

    // A template update with "language": null keeps the language.
    let a = api
        .put(
            TEMPLATE,
            json!({"name": "Welcome", "language": null, "category": null, "definition": null}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.data()["name"], json!("Welcome"));
    assert_eq!(a.data()["language"], json!("en_US"));
    assert_eq!(a.data()["category"], json!("MARKETING"));

    // Nested optional members too.
    let a = api
        .post(
            "/v3/messages",
            json!({"to": ["+14155551234"], "channel": null, "sandbox": null,
                   "template": {"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8",
                                "name": null, "parameters": null}}),
        )
        .await;
    assert_eq!(a.status, 202, "{}", a.text);
    assert_eq!(a.data()["recipients"][0]["channel"], json!("sms"));
    assert_eq!(api.server.send_count(), 1);

    let a = api
        .post(
            "/v3/webhooks",
            json!({"display_name": "Receipts", "endpoint_url": "https://example.com/hook",
                   "event_types": null, "retry_count": null, "timeout_seconds": null}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.data()["retry_count"], json!(3));
}

#[tokio::test]
async fn null_for_a_required_member_is_refused() {
    let api = Api::new();
    let a = api
        .post("/v3/profiles", json!({"name": null, "description": null}))
        .await;
    assert_eq!(a.status, 400);
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_001"));
    assert_eq!(e["message"], json!("'name' must be a string, not null"));
    assert_eq!(
        e["details"],
        json!({"name": ["'name' must be a string, not null"]})
    );
}

#[tokio::test]
async fn messages_and_details_describe_the_actual_failures() {
    let api = Api::new();
    // PUT /v3/templates/{id} documents a category failure; another failure is named as it is.
    let a = api.put(TEMPLATE, json!({"language": 5})).await;
    assert_eq!(a.status, 400);
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_001"));
    assert_eq!(
        e["message"],
        json!("'language' must be a string, not integer")
    );
    assert_eq!(
        e["details"],
        json!({"language": ["'language' must be a string, not integer"]})
    );

    // The documented one reads as documented, field by field.
    let a = api.put(TEMPLATE, json!({"category": "PROMO"})).await;
    let e = &a.json()["error"];
    assert_eq!(
        e["message"],
        json!("'category' must be one of: MARKETING, UTILITY, AUTHENTICATION")
    );
    assert_eq!(
        e["details"]["category"],
        json!(["'category' must be one of: MARKETING, UTILITY, AUTHENTICATION"])
    );

    // Several failures: the catalog's summary, each in the details.
    let a = api
        .put(TEMPLATE, json!({"category": "PROMO", "name": 1}))
        .await;
    let e = &a.json()["error"];
    assert_eq!(e["message"], json!("Request validation failed"));
    let details = e["details"].as_object().unwrap();
    assert_eq!(
        details.keys().collect::<Vec<_>>(),
        ["category", "name"],
        "{details:?}"
    );

    // A send keeps its documented code, VALIDATION_004, with the failure named.
    let a = api
        .post(
            "/v3/messages",
            json!({"to": ["+14155551234"], "template": {"id": "nope"}}),
        )
        .await;
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_004"));
    assert_eq!(e["message"], json!("'template.id' must be a valid UUID"));
    assert_eq!(
        e["details"],
        json!({"template.id": ["'template.id' must be a valid UUID"]})
    );

    // A page out of range keeps VALIDATION_005 and says which.
    let a = api.get("/v3/contacts?page=0&page_size=10").await;
    let e = &a.json()["error"];
    assert_eq!(e["code"], json!("VALIDATION_005"));
    assert_eq!(e["message"], json!("'page' must be at least 1"));
}
