#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A fresh mock holds what the docs' examples show: every id in the spec's success examples
//! can be read back, by `GET` on its item where the API has one, and the `GET` examples are
//! answered as documented.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::Api;
use sentdm_mock::MockServer;
use serde_json::{Value, json};

const SPEC: &str = include_str!("../openapi.json");

/// A UUID in its hyphenated form, as the examples write ids.
fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// Where an id appears in an example.
#[derive(Debug, Clone)]
struct Occurrence {
    method: String,
    template: String,
    /// JSON pointer inside `data`.
    pointer: String,
    /// The member holding the id (`id`, `template_id`, `brandId`, …).
    member: String,
}

fn uuids(value: &Value, pointer: &str, member: &str, out: &mut Vec<(String, String, String)>) {
    match value {
        Value::String(s) if is_uuid(s) => {
            out.push((s.clone(), pointer.to_owned(), member.to_owned()));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                uuids(v, &format!("{pointer}/{i}"), member, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                uuids(v, &format!("{pointer}/{k}"), k, out);
            }
        }
        _ => {}
    }
}

/// Every `(member, string value)` pair anywhere in a JSON value.
fn pairs(value: &Value, member: &str, out: &mut BTreeSet<(String, String)>) {
    match value {
        Value::String(s) => {
            out.insert((member.to_owned(), s.clone()));
        }
        Value::Array(items) => items.iter().for_each(|v| pairs(v, member, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| pairs(v, k, out)),
        _ => {}
    }
}

/// The success examples' `data` of every operation: (method, template, data).
fn success_examples(spec: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in responses {
                if !status.starts_with('2') {
                    continue;
                }
                if let Some(data) = response.pointer("/content/application~1json/example/data") {
                    out.push((method.to_uppercase(), template.clone(), data.clone()));
                }
            }
        }
    }
    out
}

/// A `GET` operation of the spec.
struct Get {
    template: String,
    /// Path parameters, and whether each is a UUID.
    path: Vec<(String, bool)>,
    /// Required query parameters.
    query: Vec<String>,
}

/// The `GET` operations of the spec.
fn gets(spec: &Value) -> Vec<Get> {
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let path: Vec<(String, bool)> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                let name = p["name"].as_str().unwrap().to_owned();
                (name, p["schema"]["format"] == "uuid")
            })
            .collect();
        let query: Vec<String> = params
            .iter()
            .filter(|p| p["in"] == "query" && p["required"] == true)
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        out.push(Get {
            template: template.clone(),
            path,
            query,
        });
    }
    out
}

/// The item `GET` template for ids held in `member` of an example of `template`: the
/// operation's own items for `id`, `/v3/<name>s/{…}` for `<name>_id` and `<name>Id`.
fn item_get_for(
    templates: &BTreeSet<String>,
    occurrence: &Occurrence,
    items_at: &str,
) -> Option<String> {
    let collection = if occurrence.member == "id" {
        // Only an item's own id: `/id`, `/<list>/<n>/id` or `/<n>/id`.
        if occurrence.pointer != items_at {
            return None;
        }
        let t = occurrence.template.as_str();
        match t.rsplit_once('/') {
            Some((parent, last)) if last.starts_with('{') => parent.to_owned(),
            _ => t.to_owned(),
        }
    } else {
        let name = occurrence
            .member
            .strip_suffix("_id")
            .or_else(|| occurrence.member.strip_suffix("Id"))?;
        format!("/v3/{name}s")
    };
    templates
        .iter()
        .find(|t| {
            t.strip_prefix(&collection)
                .and_then(|rest| rest.strip_prefix("/{"))
                .is_some_and(|rest| rest.ends_with('}') && !rest.contains('/'))
        })
        .cloned()
}

#[tokio::test]
async fn every_example_id_resolves_on_a_fresh_mock() {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    // Enough room for the crawl under one uniform limit.
    let api = Api::with(
        MockServer::builder()
            .rate_limit(100_000, Duration::from_secs(60))
            .start()
            .unwrap(),
    );

    // Every id of every success example, and where it appears.
    let mut ids: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
    let examples = success_examples(&spec);
    for (method, template, data) in &examples {
        let mut found = Vec::new();
        uuids(data, "", "", &mut found);
        for (id, pointer, member) in found {
            ids.entry(id).or_default().push(Occurrence {
                method: method.clone(),
                template: template.clone(),
                pointer,
                member,
            });
        }
    }
    assert!(ids.len() >= 15, "only {} ids in the examples", ids.len());

    // Every GET of the API, addressed with every example id.
    let get_templates = gets(&spec);
    let mut answers: Vec<(String, String, Value)> = Vec::new();
    for Get {
        template,
        path,
        query,
    } in &get_templates
    {
        if path.iter().any(|(_, uuid)| !uuid) {
            // `/v3/numbers/lookup/{phoneNumber}` is addressed by a phone number, not an id.
            continue;
        }
        let candidates: Vec<&String> = if path.is_empty() {
            Vec::new()
        } else {
            ids.keys().collect()
        };
        let query = query
            .iter()
            .map(|q| format!("{q}={}", if q == "page" { 1 } else { 20 }))
            .collect::<Vec<_>>()
            .join("&");
        let urls: Vec<(String, String)> = if path.is_empty() {
            vec![(template.clone(), String::new())]
        } else {
            candidates
                .into_iter()
                .map(|id| {
                    let mut url = template.clone();
                    for (name, _) in path {
                        url = url.replace(&format!("{{{name}}}"), id);
                    }
                    (url, id.clone())
                })
                .collect()
        };
        for (url, id) in urls {
            let url = if query.is_empty() {
                url
            } else {
                format!("{url}?{query}")
            };
            let a = api.get(&url).await;
            if a.status == 200 {
                answers.push((template.clone(), id, a.data()));
            } else {
                assert!(
                    a.status == 404 || a.status == 403,
                    "{url}: {} {}",
                    a.status,
                    a.text
                );
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (_, _, data) in &answers {
        pairs(data, "", &mut seen);
    }

    // 1. Every id is in the mock's answers, held by the member the example holds it in.
    // 2. Ids of items the API reads one by one are read back by that GET.
    let templates: BTreeSet<String> = get_templates.iter().map(|g| g.template.clone()).collect();
    let mut by_get = BTreeSet::new();
    let mut missing = Vec::new();
    for (id, occurrences) in &ids {
        for o in occurrences {
            if !seen.contains(&(o.member.clone(), id.clone())) {
                missing.push(format!(
                    "{id} as {} ({} {} {})",
                    o.member, o.method, o.template, o.pointer
                ));
            }
            // The item an id belongs to: the data itself, or an entry of its list.
            let items_at = {
                let parts: Vec<&str> = o.pointer.split('/').collect();
                match parts.as_slice() {
                    ["", "id"] => "/id".to_owned(),
                    ["", n, "id"] if n.parse::<usize>().is_ok() => format!("/{n}/id"),
                    ["", list, n, "id"] if n.parse::<usize>().is_ok() => format!("/{list}/{n}/id"),
                    _ => String::new(),
                }
            };
            let Some(item_get) = item_get_for(&templates, o, &items_at) else {
                continue;
            };
            let read = answers
                .iter()
                .any(|(t, used, data)| *t == item_get && used == id && data["id"] == json!(id));
            if read {
                by_get.insert(id.clone());
            } else {
                missing.push(format!(
                    "{id}: GET {item_get} (named in {} {})",
                    o.method, o.template
                ));
            }
        }
    }
    assert!(missing.is_empty(), "not resolved:\n{}", missing.join("\n"));

    // 3. Every GET addressed by an id answers its documented example as it is.
    let mut verbatim = 0;
    for (method, template, data) in &examples {
        if method != "GET" || !template.contains('{') || template.contains("lookup") {
            continue;
        }
        let same = answers
            .iter()
            .any(|(t, _, answer)| t == template && answer == data);
        assert!(
            same,
            "GET {template}: the documented example is not answered"
        );
        verbatim += 1;
    }

    println!(
        "checked {} example ids ({} occurrences in {} success examples): all in the answers \
         of {} GET requests, {} read back by GET on their item; {verbatim} GET examples \
         answered verbatim",
        ids.len(),
        ids.values().map(Vec::len).sum::<usize>(),
        examples.len(),
        api.server.requests().len(),
        by_get.len(),
    );
    assert!(by_get.len() >= 12, "only {} ids read by GET", by_get.len());
    assert!(verbatim >= 9, "only {verbatim} GET examples checked");
}

#[tokio::test]
async fn the_seeded_resources_per_collection() {
    let api = Api::new();
    let counts = api.server.resource_counts();
    println!("seeded resources: {counts:?}");
    let expected: BTreeMap<String, usize> = [
        ("/v3/contacts", 2),
        ("/v3/messages", 4),
        ("/v3/messages/{id}/activities", 4),
        ("/v3/profiles", 2),
        ("/v3/profiles/{profileId}/campaigns", 2),
        ("/v3/templates", 1),
        ("/v3/users", 3),
        ("/v3/webhooks", 1),
        ("/v3/webhooks/{id}/events", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(counts, expected);

    let empty = Api::empty();
    assert!(empty.server.resource_counts().is_empty());
    let list = empty.get("/v3/contacts?page=1&page_size=20").await;
    assert_eq!(list.data()["contacts"], json!([]));
}

#[tokio::test]
async fn related_resources_are_linked() {
    let api = Api::new();
    // The message of the GET example names its template and a contact by id.
    let m = api
        .get("/v3/messages/8ba7b830-9dad-11d1-80b4-00c04fd430c8")
        .await
        .data();
    let contact = api
        .get(&format!(
            "/v3/contacts/{}",
            m["contact_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(contact.status, 200);
    assert_eq!(contact.data()["phone_number"], m["phone"]);
    let template = api
        .get(&format!(
            "/v3/templates/{}",
            m["template_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(template.data()["name"], m["template_name"]);

    // The messages the send example queued: to its recipients, on its channels, with its
    // template; the one to a known contact's number names that contact.
    let queued = api
        .get("/v3/messages/8ba7b831-9dad-11d1-80b4-00c04fd430c8")
        .await
        .data();
    assert_eq!(queued["channel"], json!("whatsapp"));
    assert_eq!(queued["phone"], json!("+14155551234"));
    assert_eq!(queued["contact_id"], m["contact_id"]);
    assert_eq!(queued["template_id"], m["template_id"]);
    assert_eq!(
        queued["message_body"]["content"],
        json!("Hi John Doe, your order #12345 has been confirmed.")
    );
    let other = api
        .get("/v3/messages/9ba7b840-9dad-11d1-80b4-00c04fd430c8")
        .await
        .data();
    assert_eq!(other["phone"], json!("+14155555678"));
    assert_eq!(other["contact_id"], json!(null));

    // The campaign belongs to the profiles whose brand it names.
    for profile in [
        "660e8400-e29b-41d4-a716-446655440001",
        "770e8400-e29b-41d4-a716-446655440002",
    ] {
        let p = api.get(&format!("/v3/profiles/{profile}")).await.data();
        let campaigns = api.get(&format!("/v3/profiles/{profile}/campaigns")).await;
        assert_eq!(campaigns.data()[0]["brandId"], p["brand"]["id"]);
        assert_eq!(p["organization_id"], json!(api.server.organization_id()));
    }

    // A documented call works as it is: send the docs' template to the docs' contact.
    let sent = api
        .post(
            "/v3/messages",
            json!({
                "to": ["+14155551234"],
                "template": {"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8",
                             "parameters": {"name": "John Doe"}},
            }),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text);
    assert_eq!(sent.data()["template_name"], json!("Welcome Message"));
    let id = sent.data()["recipients"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = api.get(&format!("/v3/messages/{id}")).await.data();
    assert_eq!(read["contact_id"], m["contact_id"]);

    // The webhook signs with the secret its creation example returned; rotating replaces it.
    let rotated = api
        .post(
            "/v3/webhooks/d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8/rotate-secret",
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200);
    assert_ne!(
        rotated.data()["signing_secret"],
        json!("whsec_a1b2c3d4e5f6g7h8i9j0")
    );
}
