//! The client-wide sandbox switch, profile scoping, and page streams, against loopback
//! servers, through the generated Sent.dm client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod runtime_support;

use futures_util::{StreamExt, TryStreamExt};
use runtime_support::{
    KEY, Reply, Seen, Server, client, contact_json, fast_retries, pagination_json, sent_message,
    template_json,
};
use sentdm_client::Client;
use sentdm_client::runtime::Page;
use sentdm_client::types::TemplateRef;
use serde_json::{Value, json};
use uuid::Uuid;

const TO: &str = "+14155551234";

fn sandbox_client(server: &Server) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .retry_policy(fast_retries())
        .sandbox(true)
        .build()
        .unwrap()
}

fn template() -> TemplateRef {
    TemplateRef::by_name("welcome")
}

/// Answers sends, creates and deletes on one server.
async fn mutation_server() -> Server {
    Server::start(|_, seen: &Seen| match seen.method.as_str() {
        "DELETE" => Reply::empty(204),
        "GET" => Reply::ok(contact_json(Uuid::from_u128(7), TO)),
        _ if seen.path == "/v3/messages" => Reply::ok(sent_message()),
        _ => Reply::ok(contact_json(Uuid::from_u128(8), TO)),
    })
    .await
}

fn sandbox_flag(seen: &Seen) -> Option<&Value> {
    seen.body.as_ref().and_then(|body| body.get("sandbox"))
}

#[tokio::test]
async fn sandbox_switch_marks_every_mutation_body() {
    let server = mutation_server().await;
    let client = sandbox_client(&server);
    client.messages().send([TO], template()).await.unwrap();
    client.contacts().create(TO).await.unwrap();
    client.contacts().update(Uuid::from_u128(8)).await.unwrap();
    client.contacts().delete(Uuid::from_u128(8)).await.unwrap();
    client.contacts().get(Uuid::from_u128(7)).await.unwrap();
    client.webhooks().delete(Uuid::from_u128(9)).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 6);
    for request in &seen[..3] {
        assert_eq!(sandbox_flag(request), Some(&json!(true)), "{request:?}");
    }
    // The send body keeps its own fields beside the flag.
    assert_eq!(seen[0].body.as_ref().unwrap()["to"], json!([TO]));
    // An optional body that was not set becomes just the flag.
    assert_eq!(seen[3].method, "DELETE");
    assert_eq!(seen[3].body, Some(json!({"sandbox": true})));
    assert_eq!(seen[3].header("content-type"), Some("application/json"));
    // Operations without a `sandbox` body field are left alone.
    assert_eq!(seen[4].body, None);
    assert_eq!(seen[5].path, format!("/v3/webhooks/{}", Uuid::from_u128(9)));
    assert_eq!(seen[5].body, None);
}

#[tokio::test]
async fn a_request_that_sets_sandbox_keeps_its_value() {
    let server = mutation_server().await;
    let client = sandbox_client(&server);
    client
        .messages()
        .send([TO], template())
        .sandbox(false)
        .await
        .unwrap();
    client
        .contacts()
        .delete(Uuid::from_u128(8))
        .sandbox(false)
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(sandbox_flag(&seen[0]), Some(&json!(false)));
    assert_eq!(seen[1].body, Some(json!({"sandbox": false})));
}

#[tokio::test]
async fn without_the_switch_bodies_are_untouched() {
    let server = mutation_server().await;
    let live = client(&server);
    live.messages().send([TO], template()).await.unwrap();
    live.contacts().delete(Uuid::from_u128(8)).await.unwrap();
    live.messages()
        .send([TO], template())
        .sandbox(true)
        .await
        .unwrap();
    // Turning the switch on and off again leaves it off.
    let toggled = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .sandbox(true)
        .sandbox(false)
        .build()
        .unwrap();
    toggled.contacts().create(TO).await.unwrap();

    let seen = server.seen();
    assert_eq!(sandbox_flag(&seen[0]), None);
    assert_eq!(seen[1].body, None);
    assert_eq!(sandbox_flag(&seen[2]), Some(&json!(true)));
    assert_eq!(sandbox_flag(&seen[3]), None);
}

#[tokio::test]
async fn per_request_profile_wins_over_the_client_wide_one() {
    let server = mutation_server().await;
    let client_wide = Uuid::from_u128(0xA);
    let per_request = Uuid::from_u128(0xB);
    let scoped = Client::builder()
        .api_key(KEY)
        .base_url(&server.base)
        .profile_id(client_wide)
        .build()
        .unwrap();
    scoped.contacts().get(Uuid::from_u128(7)).await.unwrap();
    scoped
        .contacts()
        .get(Uuid::from_u128(7))
        .profile_id(per_request)
        .await
        .unwrap();
    scoped
        .messages()
        .send([TO], template())
        .profile_id(per_request)
        .await
        .unwrap();
    let unscoped = client(&server);
    unscoped.contacts().get(Uuid::from_u128(7)).await.unwrap();
    unscoped
        .contacts()
        .get(Uuid::from_u128(7))
        .profile_id(per_request)
        .await
        .unwrap();

    let profiles: Vec<Vec<String>> = server
        .seen()
        .iter()
        .map(|seen| {
            seen.headers
                .get_all("x-profile-id")
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        profiles,
        vec![
            vec![client_wide.to_string()],
            vec![per_request.to_string()],
            vec![per_request.to_string()],
            vec![],
            vec![per_request.to_string()],
        ]
    );
}

/// A contacts list of `pages` pages of `per_page` contacts each; contact ids count from 1.
/// Page `fail_on`, if any, answers 400.
async fn contacts_server(pages: i64, fail_on: Option<i64>) -> Server {
    Server::start(move |_, seen: &Seen| {
        let page: i64 = seen.query_param("page").unwrap().parse().unwrap();
        let size: i64 = seen.query_param("page_size").unwrap().parse().unwrap();
        if Some(page) == fail_on {
            return Reply::error(400, "VALIDATION_002", "Bad page");
        }
        let contacts: Vec<Value> = if page <= pages {
            (1..=size)
                .map(|i| contact_json(Uuid::from_u128(((page - 1) * size + i) as u128), TO))
                .collect()
        } else {
            Vec::new()
        };
        Reply::ok(json!({
            "contacts": contacts,
            "pagination": pagination_json(page, size, pages)
        }))
    })
    .await
}

fn pages_requested(server: &Server) -> Vec<String> {
    server
        .seen()
        .iter()
        .map(|seen| seen.query_param("page").unwrap())
        .collect()
}

#[tokio::test]
async fn items_walks_every_page_with_the_same_filters() {
    let server = contacts_server(4, None).await;
    let contacts: Vec<_> = client(&server)
        .contacts()
        .list()
        .page_size(2)
        .search("ann")
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<Uuid> = contacts.iter().map(|c| c.id.uuid()).collect();
    assert_eq!(ids, (1..=8u128).map(Uuid::from_u128).collect::<Vec<_>>());
    assert_eq!(pages_requested(&server), ["1", "2", "3", "4"]);
    for seen in server.seen() {
        assert_eq!(seen.query_param("page_size").as_deref(), Some("2"));
        assert_eq!(seen.query_param("search").as_deref(), Some("ann"));
    }
}

#[tokio::test]
async fn pages_are_fetched_only_when_polled() {
    let server = contacts_server(5, None).await;
    let client = client(&server);

    let mut pages = client.contacts().list().page_size(3).pages();
    assert_eq!(server.count(), 0, "nothing is sent before the first poll");
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.items().len(), 3);
    assert!(first.has_more());
    assert_eq!(first.request_id(), Some("req_ok"));
    assert_eq!(server.count(), 1);
    drop(pages);

    let two: Vec<_> = client
        .contacts()
        .list()
        .page_size(3)
        .pages()
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(
        pages_requested(&server),
        ["1", "1", "2"],
        "page 3 was never fetched"
    );

    let three: Vec<_> = client
        .contacts()
        .list()
        .page_size(2)
        .items()
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(three.len(), 3);
    assert_eq!(pages_requested(&server), ["1", "1", "2", "1", "2"]);
}

#[tokio::test]
async fn streams_start_at_the_builders_page_and_stop_at_the_last() {
    let server = contacts_server(4, None).await;
    let pages: Vec<_> = client(&server)
        .contacts()
        .list()
        .page(3)
        .page_size(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert!(!pages[1].has_more());
    assert_eq!(pages_requested(&server), ["3", "4"]);
}

#[tokio::test]
async fn an_empty_page_ends_the_stream_even_if_more_is_promised() {
    let server = Server::start(|_, _| {
        Reply::ok(json!({"contacts": [], "pagination": pagination_json(1, 20, 2)}))
    })
    .await;
    let items: Vec<_> = client(&server)
        .contacts()
        .list()
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(items.is_empty());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_error_is_yielded_once_and_ends_the_stream() {
    let server = contacts_server(4, Some(2)).await;
    let results: Vec<_> = client(&server)
        .contacts()
        .list()
        .page_size(2)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    let error = results[2].as_ref().unwrap_err();
    assert_eq!(error.code(), Some("VALIDATION_002"));
    assert_eq!(pages_requested(&server), ["1", "2"]);

    // Invalid input fails before anything is sent, as an error item.
    let server = contacts_server(4, None).await;
    let results: Vec<_> = client(&server)
        .contacts()
        .list()
        .page_size(500)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert!(
        results[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("page_size")
    );
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn page_streams_are_send_and_retry_each_page() {
    fn assert_send<T: Send + 'static>(_: &T) {}
    let server = Server::start(|n, seen: &Seen| {
        // The first attempt at page 2 fails once; the retry succeeds.
        if n == 1 {
            return Reply::error(503, "SERVICE_001", "Down");
        }
        let page: i64 = seen.query_param("page").unwrap().parse().unwrap();
        Reply::ok(json!({
            "templates": [template_json(Uuid::from_u128(page as u128), &format!("t{page}"))],
            "pagination": pagination_json(page, 1, 3)
        }))
    })
    .await;
    let stream = client(&server).templates().list().items();
    assert_send(&stream);
    let templates: Vec<_> = tokio::spawn(stream.try_collect::<Vec<_>>())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(templates.len(), 3);
    assert_eq!(pages_requested(&server), ["1", "2", "2", "3"]);
}
