#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Resources kept in memory: create, read, list, update, delete, pagination, sends, sandbox.

mod common;

use common::Api;
use reqwest::Method;
use sentdm_mock::MockServer;
use serde_json::{Value, json};

fn is_uuid(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4)
}

#[tokio::test]
async fn contacts_crud() {
    let api = Api::new();
    let a = api
        .post("/v3/contacts", json!({"phone_number": "+14155550123"}))
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let c = a.data();
    assert!(is_uuid(&c["id"]));
    assert_ne!(c["id"], json!("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    assert_eq!(c["phone_number"], json!("+14155550123"));
    assert_eq!(c["format_e164"], json!("+14155550123"));
    assert_eq!(c["country_code"], json!("1"));
    assert_eq!(c["region_code"], json!("US"));
    assert!(c["created_at"].as_str().unwrap().ends_with("+00:00"));
    let id = c["id"].as_str().unwrap().to_owned();

    let dup = api
        .post("/v3/contacts", json!({"phone_number": "+14155550123"}))
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "RESOURCE_007");

    let got = api.get(&format!("/v3/contacts/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.data(), c);

    let upd = api
        .patch(
            &format!("/v3/contacts/{id}"),
            json!({"default_channel": "whatsapp", "opt_out": true}),
        )
        .await;
    assert_eq!(upd.status, 200);
    assert_eq!(upd.data()["default_channel"], json!("whatsapp"));
    assert_eq!(upd.data()["opt_out"], json!(true));
    assert!(upd.data()["updated_at"].is_string());
    assert_eq!(
        api.get(&format!("/v3/contacts/{id}")).await.data()["default_channel"],
        json!("whatsapp")
    );

    let found = api
        .get("/v3/contacts?page=1&page_size=10&phone=%2B14155550123")
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.data()["contacts"][0]["id"], json!(id));
    let missing = api
        .get("/v3/contacts?page=1&page_size=10&phone=%2B14155550000")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "RESOURCE_001");

    let del = api.delete(&format!("/v3/contacts/{id}")).await;
    assert_eq!(del.status, 204);
    assert!(del.text.is_empty());
    let gone = api.get(&format!("/v3/contacts/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.code(), "RESOURCE_001");
    assert_eq!(api.delete(&format!("/v3/contacts/{id}")).await.status, 404);
}

#[tokio::test]
async fn pagination_walks_pages() {
    let api = Api::empty();
    for i in 0..7 {
        let a = api
            .post(
                "/v3/contacts",
                json!({"phone_number": format!("+1415555000{i}")}),
            )
            .await;
        assert_eq!(a.status, 201);
    }
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let a = api
            .get(&format!("/v3/contacts?page={page}&page_size=3"))
            .await;
        assert_eq!(a.status, 200);
        let d = a.data();
        let p = &d["pagination"];
        assert_eq!(p["page"], json!(page));
        assert_eq!(p["page_size"], json!(3));
        assert_eq!(p["total_count"], json!(7));
        assert_eq!(p["total_pages"], json!(3));
        assert_eq!(p["cursors"], json!(null));
        for c in d["contacts"].as_array().unwrap() {
            seen.push(c["phone_number"].as_str().unwrap().to_owned());
        }
        if p["has_more"] == json!(false) {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 3);
    assert_eq!(seen.len(), 7);
    assert_eq!(seen[0], "+14155550000");
    assert_eq!(seen[6], "+14155550006");
    let beyond = api.get("/v3/contacts?page=9&page_size=3").await;
    assert_eq!(beyond.data()["contacts"], json!([]));
    assert_eq!(beyond.data()["pagination"]["has_more"], json!(false));

    // Any integer is a page number, even one beyond 64 bits.
    let huge = api
        .get("/v3/contacts?page=336366515697818009600&page_size=3")
        .await;
    assert_eq!(huge.status, 200, "{}", huge.text);
    assert_eq!(huge.data()["contacts"], json!([]));

    let searched = api
        .get("/v3/contacts?page=1&page_size=10&search=5550003")
        .await;
    assert_eq!(searched.data()["pagination"]["total_count"], json!(1));
}

#[tokio::test]
async fn templates_crud_and_variables() {
    let api = Api::empty();
    let a = api
        .post(
            "/v3/templates",
            json!({
                "name": "order_confirmation",
                "category": "UTILITY",
                "language": "en_US",
                "channels": ["sms"],
                "definition": {"body": {"content": "Hi {{name}}, order {{order}} shipped"}},
            }),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let t = a.data();
    assert_eq!(t["status"], json!("DRAFT"));
    assert_eq!(t["channels"], json!(["sms"]));
    assert_eq!(t["variables"], json!(["name", "order"]));
    let id = t["id"].as_str().unwrap().to_owned();

    let upd = api
        .put(
            &format!("/v3/templates/{id}"),
            json!({"name": "renamed", "definition": {"body": {"content": "Hello {{first}}"}}}),
        )
        .await;
    assert_eq!(upd.status, 200);
    assert_eq!(upd.data()["name"], json!("renamed"));
    assert_eq!(upd.data()["variables"], json!(["first"]));

    let list = api
        .get("/v3/templates?page=1&page_size=10&category=UTILITY")
        .await;
    assert_eq!(list.data()["templates"].as_array().unwrap().len(), 1);
    let list = api
        .get("/v3/templates?page=1&page_size=10&category=MARKETING")
        .await;
    assert_eq!(list.data()["templates"].as_array().unwrap().len(), 0);

    assert_eq!(api.delete(&format!("/v3/templates/{id}")).await.status, 204);
    let gone = api.get(&format!("/v3/templates/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.code(), "RESOURCE_002");
}

#[tokio::test]
async fn webhooks_secret_only_on_create_and_rotate() {
    let api = Api::empty();
    let a = api
        .post(
            "/v3/webhooks",
            json!({"display_name": "Orders", "endpoint_url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let w = a.data();
    let secret = w["signing_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(w["retry_count"], json!(3));
    assert_eq!(w["timeout_seconds"], json!(30));
    assert_eq!(w["is_active"], json!(true));
    let id = w["id"].as_str().unwrap().to_owned();

    let got = api.get(&format!("/v3/webhooks/{id}")).await;
    assert_eq!(got.data()["signing_secret"], json!(null));
    let list = api.get("/v3/webhooks?page=1&page_size=10").await;
    assert_eq!(list.data()["webhooks"][0]["signing_secret"], json!(null));

    let rotated = api
        .post(&format!("/v3/webhooks/{id}/rotate-secret"), json!({}))
        .await;
    assert_eq!(rotated.status, 200);
    let new_secret = rotated.data()["signing_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(new_secret.starts_with("whsec_"));
    assert_ne!(new_secret, secret);

    let toggled = api
        .patch(&format!("/v3/webhooks/{id}/toggle-status"), json!({}))
        .await;
    assert_eq!(toggled.data()["is_active"], json!(false));
    let inactive = api
        .get("/v3/webhooks?page=1&page_size=10&is_active=false")
        .await;
    assert_eq!(inactive.data()["webhooks"].as_array().unwrap().len(), 1);
    let active = api
        .get("/v3/webhooks?page=1&page_size=10&is_active=true")
        .await;
    assert_eq!(active.data()["webhooks"].as_array().unwrap().len(), 0);

    let upd = api
        .put(&format!("/v3/webhooks/{id}"), json!({"retry_count": 5}))
        .await;
    assert_eq!(upd.data()["retry_count"], json!(5));
    assert_eq!(upd.data()["signing_secret"], json!(null));

    let missing = api
        .post(
            "/v3/webhooks/6ba7b810-9dad-11d1-80b4-00c04fd430c8/rotate-secret",
            json!({}),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "RESOURCE_008");
    assert_eq!(api.delete(&format!("/v3/webhooks/{id}")).await.status, 204);
}

#[tokio::test]
async fn users_and_profiles_with_campaigns() {
    let api = Api::empty();
    let u = api
        .post(
            "/v3/users",
            json!({"email": "dev@example.com", "role": "developer"}),
        )
        .await;
    assert_eq!(u.status, 201, "{}", u.text);
    assert_eq!(u.data()["status"], json!("invited"));
    assert_eq!(u.data()["name"], json!(null));
    let dup = api
        .post(
            "/v3/users",
            json!({"email": "dev@example.com", "role": "admin"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    let uid = u.data()["id"].as_str().unwrap().to_owned();
    let upd = api
        .patch(&format!("/v3/users/{uid}"), json!({"role": "billing"}))
        .await;
    assert_eq!(upd.data()["role"], json!("billing"));
    assert_eq!(
        api.get("/v3/users").await.data()["users"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(api.delete(&format!("/v3/users/{uid}")).await.status, 204);
    assert_eq!(
        api.get(&format!("/v3/users/{uid}")).await.code(),
        "RESOURCE_006"
    );

    let p = api
        .post(
            "/v3/profiles",
            json!({"name": "Sales", "short_name": "SALES"}),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.text);
    assert_eq!(p.data()["name"], json!("Sales"));
    assert_eq!(p.data()["status"], json!("incomplete"));
    assert_eq!(p.data()["brand"], json!(null));
    let pid = p.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        api.get("/v3/profiles").await.data()["profiles"][0]["id"],
        json!(pid)
    );
    let upd = api
        .patch(&format!("/v3/profiles/{pid}"), json!({"name": "Sales 2"}))
        .await;
    assert_eq!(upd.data()["name"], json!("Sales 2"));

    let c = api
        .post(
            &format!("/v3/profiles/{pid}/campaigns"),
            json!({"name": "Alerts", "useCases": [{"messagingUseCaseUs": "ACCOUNT_NOTIFICATION", "sampleMessages": ["Hi"]}]}),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.text);
    let cid = c.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(c.data()["useCases"][0]["campaignId"], json!(cid));
    // The docs guarantee a campaign's description and type: left out of the request, they keep
    // the documented example's values rather than turning null.
    for guaranteed in ["description", "type"] {
        assert!(
            c.data()[guaranteed].is_string(),
            "{guaranteed} in {}",
            c.text
        );
    }
    let listed = api.get(&format!("/v3/profiles/{pid}/campaigns")).await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    let put = api
        .put(
            &format!("/v3/profiles/{pid}/campaigns/{cid}"),
            json!({"name": "Alerts 2", "useCases": [{"messagingUseCaseUs": "MARKETING", "sampleMessages": ["Yo"]}]}),
        )
        .await;
    assert_eq!(put.data()["name"], json!("Alerts 2"));

    let other = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let no_parent = api.get(&format!("/v3/profiles/{other}/campaigns")).await;
    assert_eq!(no_parent.status, 404);
    assert_eq!(no_parent.code(), "RESOURCE_009");
    let no_campaign = api
        .delete(&format!("/v3/profiles/{pid}/campaigns/{other}"))
        .await;
    assert_eq!(no_campaign.code(), "RESOURCE_010");

    let done = api
        .post(&format!("/v3/profiles/{pid}/complete"), json!({}))
        .await;
    assert_eq!(done.status, 202);
    assert_eq!(
        api.get(&format!("/v3/profiles/{pid}")).await.data()["status"],
        json!("pending_review")
    );

    assert_eq!(
        api.delete(&format!("/v3/profiles/{pid}/campaigns/{cid}"))
            .await
            .status,
        204
    );
    assert_eq!(api.delete(&format!("/v3/profiles/{pid}")).await.status, 204);
    assert_eq!(
        api.get(&format!("/v3/profiles/{pid}")).await.code(),
        "RESOURCE_014"
    );
}

#[tokio::test]
async fn sends_are_recorded_and_readable() {
    let api = Api::new();
    let tid = api.template("welcome", "Hi {{name}}, welcome!").await;
    let body = json!({
        "to": ["+14155551234", "+442071838750"],
        "template": {"id": tid, "parameters": {"name": "Ann"}},
        "channel": ["sms", "whatsapp"],
    });
    let a = api.post("/v3/messages", body.clone()).await;
    assert_eq!(a.status, 202, "{}", a.text);
    let d = a.data();
    assert_eq!(d["status"], json!("QUEUED"));
    assert_eq!(d["template_id"], json!(tid));
    assert_eq!(d["template_name"], json!("welcome"));
    let recipients = d["recipients"].as_array().unwrap();
    assert_eq!(recipients.len(), 4);
    assert_eq!(recipients[0]["body"], json!("Hi Ann, welcome!"));
    assert_eq!(recipients[1]["channel"], json!("whatsapp"));

    assert_eq!(api.server.send_count(), 1);
    let sends = api.server.sends();
    assert_eq!(sends[0].body, body);
    assert_eq!(sends[0].message_ids.len(), 4);
    assert_eq!(sends[0].api_key, api.server.api_key());
    assert_eq!(sends[0].request_id, a.header("x-request-id").unwrap());

    let mid = recipients[2]["message_id"].as_str().unwrap();
    let m = api.get(&format!("/v3/messages/{mid}")).await;
    assert_eq!(m.status, 200);
    assert_eq!(m.data()["phone"], json!("+442071838750"));
    assert_eq!(m.data()["region_code"], json!("GB"));
    assert_eq!(m.data()["status"], json!("QUEUED"));
    assert_eq!(m.data()["template_category"], json!("UTILITY"));
    let acts = api.get(&format!("/v3/messages/{mid}/activities")).await;
    assert_eq!(acts.data()["message_id"], json!(mid));
    assert_eq!(acts.data()["activities"][0]["status"], json!("QUEUED"));

    let unknown = api
        .get("/v3/messages/6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "RESOURCE_003");

    let by_name = api
        .post(
            "/v3/messages",
            json!({"to": ["+14155551234"], "template": {"name": "welcome"}}),
        )
        .await;
    assert_eq!(by_name.status, 202);
    assert_eq!(by_name.data()["recipients"][0]["channel"], json!("sms"));
    assert_eq!(api.server.send_count(), 2);
}

#[tokio::test]
async fn unknown_templates_are_404_unless_configured() {
    let api = Api::new();
    let body =
        json!({"to": ["+14155551234"], "template": {"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}});
    let a = api.post("/v3/messages", body.clone()).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.code(), "RESOURCE_002");
    assert_eq!(api.server.send_count(), 0);

    let lenient = Api::with(
        MockServer::builder()
            .require_known_templates(false)
            .start()
            .unwrap(),
    );
    let a = lenient.post("/v3/messages", body).await;
    assert_eq!(a.status, 202);
    assert_eq!(lenient.server.send_count(), 1);
}

#[tokio::test]
async fn sandbox_changes_nothing() {
    let api = Api::empty();
    let a = api
        .post(
            "/v3/contacts",
            json!({"phone_number": "+14155551234", "sandbox": true}),
        )
        .await;
    assert_eq!(a.status, 201);
    assert_eq!(a.header("x-sandbox").as_deref(), Some("true"));
    assert!(is_uuid(&a.data()["id"]));
    let list = api.get("/v3/contacts?page=1&page_size=10").await;
    assert_eq!(list.data()["pagination"]["total_count"], json!(0));
    assert!(list.header("x-sandbox").is_none());

    let tid = api.template("t", "Hello").await;
    let send = api
        .post(
            "/v3/messages",
            json!({"to": ["+14155551234"], "template": {"id": tid}, "sandbox": true}),
        )
        .await;
    assert_eq!(send.status, 202);
    assert_eq!(send.header("x-sandbox").as_deref(), Some("true"));
    assert_eq!(api.server.send_count(), 0);
    let mid = send.data()["recipients"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(api.get(&format!("/v3/messages/{mid}")).await.status, 404);

    let del = api
        .call(
            Method::DELETE,
            &format!("/v3/templates/{tid}"),
            Some(json!({"sandbox": true})),
            &[],
        )
        .await;
    assert_eq!(del.status, 204);
    assert_eq!(del.header("x-sandbox").as_deref(), Some("true"));
    assert_eq!(api.get(&format!("/v3/templates/{tid}")).await.status, 200);

    // Validation still runs in sandbox mode.
    let bad = api
        .post(
            "/v3/contacts",
            json!({"phone_number": "nope", "sandbox": true}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn number_lookup_and_reset() {
    let api = Api::new();
    let a = api.get("/v3/numbers/lookup/%2B14155551234").await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.data()["phone_number"], json!("+14155551234"));
    assert_eq!(a.data()["country_code"], json!("US"));
    let bad = api.get("/v3/numbers/lookup/12345").await;
    assert_eq!(bad.status, 400);

    // A reset goes back to the resources the mock started with: the docs' examples.
    let example = "/v3/contacts/6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    api.post("/v3/contacts", json!({"phone_number": "+14155550123"}))
        .await;
    assert_eq!(api.delete(example).await.status, 204);
    api.server.reset();
    assert!(api.server.requests().is_empty());
    let list = api.get("/v3/contacts?page=1&page_size=10").await;
    assert_eq!(list.data()["pagination"]["total_count"], json!(2));
    assert_eq!(api.get(example).await.status, 200);

    let empty = Api::empty();
    empty
        .post("/v3/contacts", json!({"phone_number": "+14155550123"}))
        .await;
    empty.server.reset();
    let list = empty.get("/v3/contacts?page=1&page_size=10").await;
    assert_eq!(list.data()["pagination"]["total_count"], json!(0));
}
