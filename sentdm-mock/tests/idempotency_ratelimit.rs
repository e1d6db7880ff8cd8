#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Idempotency-Key` replays and conflicts, and rate limiting.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::Api;
use reqwest::Method;
use sentdm_mock::{AccountTier, Fault, MockServer};
use serde_json::json;

async fn send_with_key(api: &Api, body: serde_json::Value, key: &str) -> common::Answer {
    api.call(
        Method::POST,
        "/v3/messages",
        Some(body),
        &[("Idempotency-Key", key)],
    )
    .await
}

#[tokio::test]
async fn same_key_replays_without_a_second_send() {
    let api = Api::new();
    let tid = api.template("t", "Hello").await;
    let body = json!({"to": ["+14155551234"], "template": {"id": tid}});
    let first = send_with_key(&api, body.clone(), "send-001").await;
    assert_eq!(first.status, 202);
    assert!(first.header("idempotent-replayed").is_none());
    let first_rid = first.header("x-request-id").unwrap();

    // A different body with the same key still gets the original response.
    let other = json!({"to": ["+14155559999"], "template": {"id": tid}});
    let replay = send_with_key(&api, other, "send-001").await;
    assert_eq!(replay.status, 202);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        replay.header("x-original-request-id"),
        Some(first_rid.clone())
    );
    let replay_rid = replay.header("x-request-id").unwrap();
    assert_ne!(replay_rid, first_rid);
    assert_eq!(replay.data(), first.data());
    assert_eq!(replay.json()["meta"]["request_id"], json!(first_rid));
    assert_eq!(api.server.send_count(), 1);
    assert_eq!(
        api.server.sends()[0].idempotency_key.as_deref(),
        Some("send-001")
    );

    // Another key is a new send.
    let third = send_with_key(&api, body, "send-002").await;
    assert!(third.header("idempotent-replayed").is_none());
    assert_eq!(api.server.send_count(), 2);
}

#[tokio::test]
async fn keys_are_scoped_per_api_key() {
    let server = MockServer::builder()
        .api_key("alpha")
        .api_key("beta")
        .require_known_templates(false)
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let body = json!({"to": ["+14155551234"], "template": {"name": "x"}});
    assert_eq!(send_with_key(&api, body.clone(), "k1").await.status, 202);
    api.key = Some("beta".into());
    let b = send_with_key(&api, body, "k1").await;
    assert!(b.header("idempotent-replayed").is_none());
    assert_eq!(api.server.send_count(), 2);
}

#[tokio::test]
async fn errors_are_not_cached() {
    let api = Api::new();
    let body = json!({"to": ["+14155551234"], "template": {"name": "later"}});
    let a = send_with_key(&api, body.clone(), "retry-me").await;
    assert_eq!(a.status, 404);
    api.template("later", "Hi").await;
    let b = send_with_key(&api, body, "retry-me").await;
    assert_eq!(b.status, 202);
    assert!(b.header("idempotent-replayed").is_none());
}

#[tokio::test]
async fn malformed_key_is_validation_007() {
    let api = Api::new();
    for key in ["has space", "dot.ted", &"x".repeat(256)] {
        let a = api
            .call(
                Method::POST,
                "/v3/contacts",
                Some(json!({"phone_number": "+14155550177"})),
                &[("Idempotency-Key", key)],
            )
            .await;
        assert_eq!(a.status, 400, "{key}");
        assert_eq!(a.code(), "VALIDATION_007");
        assert!(a.json()["error"]["details"]["Idempotency-Key"].is_array());
    }
    let long_ok = "y".repeat(255);
    let a = api
        .call(
            Method::POST,
            "/v3/contacts",
            Some(json!({"phone_number": "+14155550177"})),
            &[("Idempotency-Key", long_ok.as_str())],
        )
        .await;
    assert_eq!(a.status, 201);
}

#[tokio::test]
async fn concurrent_same_key_conflicts() {
    let api = Api::new();
    let tid = api.template("t", "Hello").await;
    api.server
        .fault(Fault::delay(Duration::from_millis(600)))
        .on("POST", "/v3/messages");
    let body = json!({"to": ["+14155551234"], "template": {"id": tid}});
    let slow = send_with_key(&api, body.clone(), "same-key");
    let quick = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        send_with_key(&api, body.clone(), "same-key").await
    };
    let (slow, quick) = tokio::join!(slow, quick);
    assert_eq!(slow.status, 202);
    assert_eq!(quick.status, 409);
    assert_eq!(quick.code(), "CONFLICT_001");
    assert_eq!(api.server.send_count(), 1);
    // Once the first finished, the key replays.
    let later = send_with_key(&api, body, "same-key").await;
    assert_eq!(later.status, 202);
    assert_eq!(later.header("idempotent-replayed").as_deref(), Some("true"));
}

fn header_u64(a: &common::Answer, name: &str) -> u64 {
    a.header(name).unwrap().parse().unwrap()
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let server = MockServer::builder()
        .rate_limit(5, Duration::from_secs(1))
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for i in 0..5u64 {
        let a = api.get("/v3/me").await;
        assert_eq!(a.status, 200);
        assert_eq!(header_u64(&a, "x-ratelimit-limit"), 5);
        assert_eq!(header_u64(&a, "x-ratelimit-remaining"), 4 - i);
        let reset = header_u64(&a, "x-ratelimit-reset");
        assert!(reset >= now && reset <= now + 3, "{reset} vs {now}");
    }
    let limited = api.get("/v3/me").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "BUSINESS_002");
    assert_eq!(header_u64(&limited, "retry-after"), 1);
    assert_eq!(header_u64(&limited, "x-ratelimit-remaining"), 0);
    assert!(limited.header("x-request-id").is_some());

    // Requests refused with 401 are not counted and do not count.
    let key = api.key.take();
    assert_eq!(api.get("/v3/me").await.status, 401);
    api.key = key;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = api.get("/v3/me").await;
    assert_eq!(again.status, 200);
    assert_eq!(header_u64(&again, "x-ratelimit-remaining"), 4);
}

#[tokio::test]
async fn keys_of_one_organization_share_a_pool_other_organizations_have_their_own() {
    let server = MockServer::builder()
        .api_key("a")
        .api_key("b")
        .organization_api_key("other", "0f0e0d0c-0b0a-4909-8807-060504030201")
        .rate_limit(2, Duration::from_secs(30))
        .start()
        .unwrap();
    let mut api = Api::with(server);
    api.get("/v3/me").await;
    api.key = Some("b".into());
    let b = api.get("/v3/me").await;
    assert_eq!(b.status, 200);
    assert_eq!(header_u64(&b, "x-ratelimit-remaining"), 0);
    let limited = api.get("/v3/me").await;
    assert_eq!(limited.status, 429);
    let after: u64 = header_u64(&limited, "retry-after");
    assert!((29..=30).contains(&after), "{after}");

    api.key = Some("other".into());
    let other = api.get("/v3/me").await;
    assert_eq!(other.status, 200);
    assert_eq!(header_u64(&other, "x-ratelimit-remaining"), 1);
}

#[tokio::test]
async fn documented_tiers_per_endpoint_group() {
    let api = Api::new();
    let webhook = "/v3/webhooks/d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";
    let limit_of = |a: &common::Answer| header_u64(a, "x-ratelimit-limit");

    // Standard endpoints: 200 a minute.
    assert_eq!(limit_of(&api.get("/v3/me").await), 200);
    assert_eq!(limit_of(&api.get("/v3/users").await), 200);
    // Sensitive ones: 10.
    for (path, body) in [
        (format!("{webhook}/rotate-secret"), json!({"sandbox": true})),
        (
            "/v3/users".to_owned(),
            json!({"email": "a@example.com", "role": "developer", "sandbox": true}),
        ),
        (
            "/v3/profiles/770e8400-e29b-41d4-a716-446655440002/complete".to_owned(),
            json!({"sandbox": true}),
        ),
    ] {
        let a = api.post(&path, body).await;
        assert!(a.status < 300, "{path}: {}", a.text);
        assert_eq!(limit_of(&a), 10, "{path}");
    }
    // Webhook tests: 60.
    let a = api
        .post(
            &format!("{webhook}/test"),
            json!({"event_type": "messages", "sandbox": true}),
        )
        .await;
    assert_eq!(limit_of(&a), 60);
    // Message sends: 60 on the Starter tier (the default).
    let send = json!({"to": ["+14155551234"], "template": {"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8"}, "sandbox": true});
    let a = api.post("/v3/messages", send.clone()).await;
    assert_eq!(a.status, 202);
    assert_eq!(limit_of(&a), 60);
    assert_eq!(header_u64(&a, "x-ratelimit-remaining"), 59);

    let growth = Api::with(
        MockServer::builder()
            .account_tier(AccountTier::Growth)
            .start()
            .unwrap(),
    );
    assert_eq!(
        limit_of(&growth.post("/v3/messages", send.clone()).await),
        300
    );
    let custom = Api::with(
        MockServer::builder()
            .account_tier(AccountTier::Enterprise(1000))
            .start()
            .unwrap(),
    );
    assert_eq!(limit_of(&custom.post("/v3/messages", send).await), 1000);
}

#[tokio::test]
async fn a_group_past_its_limit_leaves_the_others_alone() {
    let server = MockServer::builder()
        .organization_api_key("other", "0f0e0d0c-0b0a-4909-8807-060504030201")
        .start()
        .unwrap();
    let mut api = Api::with(server);
    let invite = |i: usize| json!({"email": format!("user{i}@example.com"), "role": "developer"});
    for i in 0..10 {
        let a = api.post("/v3/users", invite(i)).await;
        assert_eq!(a.status, 201, "{}", a.text);
        assert_eq!(header_u64(&a, "x-ratelimit-remaining"), 9 - i as u64);
    }
    let limited = api.post("/v3/users", invite(10)).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "BUSINESS_002");
    assert_eq!(header_u64(&limited, "x-ratelimit-limit"), 10);
    assert_eq!(header_u64(&limited, "x-ratelimit-remaining"), 0);
    let retry_after = header_u64(&limited, "retry-after");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset = header_u64(&limited, "x-ratelimit-reset");
    assert!(reset > now && reset <= now + 61, "{reset} vs {now}");

    // The standard pool is untouched, and so is another account's sensitive pool.
    let listed = api.get("/v3/users").await;
    assert_eq!(listed.status, 200);
    assert_eq!(header_u64(&listed, "x-ratelimit-remaining"), 199);
    api.key = Some("other".into());
    let theirs = api.post("/v3/users", invite(11)).await;
    assert_eq!(theirs.status, 201);
    assert_eq!(header_u64(&theirs, "x-ratelimit-remaining"), 9);
}
