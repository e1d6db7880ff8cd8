//! The generator on an API that is not Sent.dm (`fixtures/petstore-bearer.json`: bearer auth,
//! no response envelope, plain error bodies, names derived from paths), run over loopback HTTP
//! on the same runtime. Nothing Sent-specific is needed for it to work.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sentdm_client::runtime::{Auth, Runtime};
use sentdm_tests::petstore::{self, types::PetStatus};
use serde_json::{Value, json};

const TOKEN: &str = "petstore-token-7d1c";
const PET: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

type Log = Arc<Mutex<Vec<String>>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn list(
    State(log): State<Log>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> impl IntoResponse {
    log.lock().expect("lock").push(format!("list {q:?}"));
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "code": 401, "message": "bad token" })),
        )
            .into_response();
    }
    Json(json!([{ "id": PET, "name": "Rex", "status": "available", "tag": null, "birthDate": "2021-06-01T00:00:00Z" }])).into_response()
}

async fn create(State(log): State<Log>, headers: HeaderMap, body: String) -> impl IntoResponse {
    log.lock().expect("lock").push(format!("create {body}"));
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let reply = json!({ "id": PET, "name": request["name"], "status": request.get("status").unwrap_or(&json!("available")), "tags": request["tags"] });
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string();
    (
        StatusCode::CREATED,
        [("x-request-id", request_id)],
        Json(reply),
    )
}

async fn get_pet(Path(id): Path<String>) -> impl IntoResponse {
    if id == PET {
        Json(json!({ "id": PET, "name": "Rex", "status": "sold", "unknownField": 1 }))
            .into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "code": 404, "message": "no such pet" })),
        )
            .into_response()
    }
}

async fn delete_pet(Path(_id): Path<String>) -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn start() -> (petstore::Client, Log) {
    start_with(TOKEN).await
}

async fn start_with(credential: &str) -> (petstore::Client, Log) {
    let log: Log = Arc::default();
    let app = Router::new()
        .route("/v1/pets", get(list).post(create))
        .route("/v1/pets/{id}", get(get_pet).delete(delete_pet))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let runtime = Runtime::builder(&petstore::API)
        .base_url(format!("http://{addr}"))
        .credential(credential)
        .build()
        .expect("runtime");
    (petstore::Client::from_runtime(runtime), log)
}

#[test]
fn the_description_comes_from_the_fixture() {
    assert!(matches!(petstore::API.auth, [Auth::Bearer]));
    assert!(petstore::API.envelope.is_none());
    assert_eq!(
        petstore::API.default_base_url(),
        "https://petstore.example.com"
    );
}

#[tokio::test]
async fn plain_bodies_bearer_auth_and_typed_models() {
    let (client, log) = start().await;

    let pets = client
        .pets()
        .list()
        .limit(10)
        .status(PetStatus::Available)
        .await
        .expect("list");
    assert_eq!(pets.len(), 1);
    assert_eq!(pets[0].name, "Rex");
    assert_eq!(pets[0].tag, None);
    assert_eq!(pets[0].birth_date.map(|d| d.year()), Some(2021));
    assert_eq!(pets.meta().request_id, None, "no envelope, no meta");

    let created = client
        .pets()
        .create("Fido")
        .tags(["good", "dog"])
        .request_id("req-42")
        .await
        .expect("create");
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.name, "Fido");
    assert_eq!(created.request_id(), Some("req-42"));

    let id = uuid::Uuid::parse_str(PET).expect("uuid");
    let pet = client.pets().get(id).await.expect("get");
    assert_eq!(pet.status, PetStatus::Sold);

    let missing = client.pets().get(uuid::Uuid::nil()).await.expect_err("404");
    let api = missing.as_api().expect("API error");
    assert_eq!(api.status().as_u16(), 404);
    assert_eq!(api.message(), "no such pet");

    client.pets().delete(id).await.expect("delete");

    let log = log.lock().expect("lock");
    assert_eq!(log[0], r#"list [("limit", "10"), ("status", "available")]"#);
    assert_eq!(log[1], r#"create {"name":"Fido","tags":["good","dog"]}"#);
}

#[tokio::test]
async fn fixture_constraints_are_checked_before_sending() {
    let (client, log) = start().await;
    let error = client
        .pets()
        .list()
        .limit(0)
        .await
        .expect_err("limit below 1");
    assert!(
        matches!(error, sentdm_client::Error::InvalidRequest { ref field, .. } if field == "limit"),
        "{error}"
    );
    let error = client.pets().create("").await.expect_err("empty name");
    assert!(
        matches!(error, sentdm_client::Error::InvalidRequest { ref field, .. } if field == "name"),
        "{error}"
    );
    assert!(log.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_an_api_error() {
    let (client, _) = start_with("wrong-token").await;
    let error = client.pets().list().await.expect_err("401");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(!format!("{error:?}").contains("wrong-token"));
}
