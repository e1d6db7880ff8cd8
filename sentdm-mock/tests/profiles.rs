#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `x-profile-id`: only organization keys may use it, the profile must be the organization's,
//! and resources created under a profile are visible only under it.

mod common;

use std::time::Duration;

use common::{Answer, Api};
use reqwest::Method;
use sentdm_mock::MockServer;
use serde_json::{Value, json};

/// Profiles of the docs' organization, from the docs' examples.
const SALES: &str = "770e8400-e29b-41d4-a716-446655440002";
const MARKETING: &str = "660e8400-e29b-41d4-a716-446655440001";
const OTHER_ORGANIZATION: &str = "0f0e0d0c-0b0a-4909-8807-060504030201";

/// A page of contacts.
const CONTACTS: &str = "/v3/contacts?page=1&page_size=5";

async fn get_as(api: &Api, path: &str, profile: &str) -> Answer {
    api.call(Method::GET, path, None, &[("x-profile-id", profile)])
        .await
}

async fn post_as(api: &Api, path: &str, body: Value, profile: &str) -> Answer {
    api.call(Method::POST, path, Some(body), &[("x-profile-id", profile)])
        .await
}

fn phones(a: &Answer) -> Vec<String> {
    a.data()["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["phone_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn resources_created_under_a_profile_are_visible_only_under_it() {
    let api = Api::new();
    let created = post_as(
        &api,
        "/v3/contacts",
        json!({"phone_number": "+14155550142"}),
        SALES,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.data()["id"].as_str().unwrap().to_owned();
    let path = format!("/v3/contacts/{id}");

    let list = "/v3/contacts?page=1&page_size=20";
    let under_sales = get_as(&api, list, SALES).await;
    assert_eq!(phones(&under_sales), ["+14155550142"]);
    assert_eq!(get_as(&api, &path, SALES).await.status, 200);

    // Not in the organization's own scope, nor under another profile.
    let own = api.get(list).await;
    assert!(!phones(&own).contains(&"+14155550142".to_owned()));
    assert_eq!(phones(&own).len(), 2, "the docs' two contacts");
    let missing = api.get(&path).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "RESOURCE_001");
    let under_marketing = get_as(&api, list, MARKETING).await;
    assert!(phones(&under_marketing).is_empty());
    assert_eq!(get_as(&api, &path, MARKETING).await.status, 404);

    // The same number can be a contact of the organization too: another scope.
    let again = api
        .post("/v3/contacts", json!({"phone_number": "+14155550142"}))
        .await;
    assert_eq!(again.status, 201, "{}", again.text);

    // Sends see the profile's templates only.
    let hello = json!({"name": "sales_hello", "category": "UTILITY", "language": "en_US",
                       "definition": {"body": {"content": "Hello"}}});
    let template = post_as(&api, "/v3/templates", hello, SALES).await;
    assert_eq!(template.status, 201);
    let send = json!({"to": ["+14155550142"], "template": {"name": "sales_hello"}});
    let sent = post_as(&api, "/v3/messages", send.clone(), SALES).await;
    assert_eq!(sent.status, 202, "{}", sent.text);
    let message = sent.data()["recipients"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = get_as(&api, &format!("/v3/messages/{message}"), SALES).await;
    assert_eq!(read.data()["contact_id"], json!(id));
    assert_eq!(
        api.get(&format!("/v3/messages/{message}")).await.status,
        404
    );
    let elsewhere = api.post("/v3/messages", send).await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(elsewhere.code(), "RESOURCE_002");

    // Profiles themselves are the organization's, whatever the scope.
    let profiles = get_as(&api, "/v3/profiles", SALES).await;
    assert_eq!(profiles.data()["profiles"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_unknown_profile_is_not_found_or_forbidden_as_the_operation_documents() {
    let api = Api::new();
    let unknown = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    // GET /v3/contacts documents a 404: the catalog's RESOURCE_014.
    let a = get_as(&api, CONTACTS, unknown).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.code(), "RESOURCE_014");
    assert_eq!(a.json()["error"]["message"], json!("Profile not found"));
    assert!(a.json()["error"]["details"]["x-profile-id"].is_array());
    // GET /v3/templates documents none: 403 AUTH_004.
    let a = get_as(&api, "/v3/templates?page=1&page_size=5", unknown).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.code(), "AUTH_004");
    // Nothing was created under it.
    let a = post_as(
        &api,
        "/v3/contacts",
        json!({"phone_number": "+14155550143"}),
        unknown,
    )
    .await;
    assert_eq!(a.status, 403, "POST /v3/contacts documents no 404");
    assert_eq!(api.server.resource_counts()["/v3/contacts"], 2);
    // A deleted profile is unknown from then on.
    let profile = api
        .post("/v3/profiles", json!({"name": "Short lived"}))
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = CONTACTS;
    assert_eq!(get_as(&api, list, &profile).await.status, 200);
    assert_eq!(
        api.delete(&format!("/v3/profiles/{profile}")).await.status,
        204
    );
    assert_eq!(get_as(&api, list, &profile).await.status, 404);
}

#[tokio::test]
async fn another_organizations_profile_is_forbidden() {
    let server = MockServer::builder()
        .organization_api_key("other-org-key", OTHER_ORGANIZATION)
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let ours = api.key.clone();

    // The other organization starts empty and sees none of the docs' profiles.
    api.key = Some("other-org-key".into());
    assert_eq!(api.get("/v3/profiles").await.data()["profiles"], json!([]));
    assert_eq!(api.get(&format!("/v3/profiles/{SALES}")).await.status, 404);
    let theirs = api.post("/v3/profiles", json!({"name": "Theirs"})).await;
    assert_eq!(theirs.status, 201);
    assert_eq!(theirs.data()["organization_id"], json!(OTHER_ORGANIZATION));
    let theirs = theirs.data()["id"].as_str().unwrap().to_owned();
    let a = get_as(&api, CONTACTS, SALES).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.code(), "AUTH_004");

    api.key = ours;
    let a = get_as(&api, CONTACTS, &theirs).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.code(), "AUTH_004");
    assert_eq!(
        a.json()["error"]["message"],
        json!("You do not have access to this organization or profile")
    );
    assert!(a.json()["error"]["details"]["x-profile-id"].is_array());
}

#[tokio::test]
async fn only_organization_keys_may_use_the_header() {
    let server = MockServer::builder()
        .profile_api_key("sales-key", SALES)
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let org_key = api.key.clone();

    api.key = Some("sales-key".into());
    for profile in [SALES, MARKETING] {
        let a = get_as(&api, CONTACTS, profile).await;
        assert_eq!(a.status, 403);
        assert_eq!(a.code(), "AUTH_004");
        assert_eq!(
            a.json()["error"]["message"],
            json!("Insufficient permissions for this operation")
        );
        assert_eq!(
            a.json()["error"]["details"]["x-profile-id"][0],
            json!("Only organization API keys can use this header")
        );
    }

    // Without the header the profile key acts for its profile: what it creates is what the
    // organization key sees under that profile.
    let created = api
        .post("/v3/contacts", json!({"phone_number": "+14155550144"}))
        .await;
    assert_eq!(created.status, 201);
    api.key = org_key;
    let under_sales = get_as(&api, CONTACTS, SALES).await;
    assert_eq!(phones(&under_sales), ["+14155550144"]);
}

#[tokio::test]
async fn forbidden_profiles_do_not_count_against_the_rate_limit() {
    let server = MockServer::builder()
        .profile_api_key("sales-key", SALES)
        .rate_limit(3, Duration::from_secs(60))
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let org_key = api.key.clone();
    api.key = Some("sales-key".into());
    for _ in 0..5 {
        let a = get_as(&api, "/v3/me", SALES).await;
        assert_eq!(a.status, 403);
        assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("3"));
    }
    // A 404 for an unknown profile is not an authentication failure: it counts.
    api.key = org_key;
    let unknown = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let a = get_as(&api, CONTACTS, unknown).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("2"));
}

#[tokio::test]
async fn idempotency_keys_are_per_profile() {
    let api = Api::new();
    let body = json!({"phone_number": "+14155550145"});
    let first = api
        .call(
            Method::POST,
            "/v3/contacts",
            Some(body.clone()),
            &[("x-profile-id", SALES), ("Idempotency-Key", "create-145")],
        )
        .await;
    assert_eq!(first.status, 201);
    let other_profile = api
        .call(
            Method::POST,
            "/v3/contacts",
            Some(body),
            &[
                ("x-profile-id", MARKETING),
                ("Idempotency-Key", "create-145"),
            ],
        )
        .await;
    assert_eq!(other_profile.status, 201);
    assert!(other_profile.header("idempotent-replayed").is_none());
    assert_ne!(other_profile.data()["id"], first.data()["id"]);
}
