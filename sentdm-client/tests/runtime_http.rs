//! The runtime against real HTTP servers on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use sentdm_client::runtime::Server as ApiServer;
use sentdm_client::runtime::{
    ApiDescription, Auth, Error, ErrorBody, HeaderParam, Idempotency, JsonBody, Method, Operation,
    OperationRequest, RequestOptions, Response, ResponseKind, Runtime, encode_path_segment,
};
use serde::Deserialize;
use serde_json::{Value, json};

const KEY: &str = "sk_live_7c1f4e0b-secret";

/// The description the Sent client ships, generated from the spec.
static SENT: &ApiDescription = &sentdm_client::API;

static PLAIN: ApiDescription = ApiDescription {
    title: "Petstore",
    version: "1.0.0",
    servers: &[ApiServer {
        url: "https://petstore.example.com/v1",
        description: "",
        key_prefix: None,
    }],
    auth: &[Auth::Bearer],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static BASIC: ApiDescription = ApiDescription {
    title: "Basic",
    version: "1",
    servers: &[ApiServer {
        url: "https://basic.example.com",
        description: "",
        key_prefix: None,
    }],
    auth: &[Auth::Basic],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static QUERY_KEY: ApiDescription = ApiDescription {
    title: "QueryKey",
    version: "1",
    servers: &[ApiServer {
        url: "https://query.example.com",
        description: "",
        key_prefix: None,
    }],
    auth: &[Auth::ApiKeyQuery { name: "api_key" }],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static GET_CONTACT: Operation = Operation {
    id: "SentDmServicesEndpointsCustomerAPIv3ContactsGetContactEndpoint",
    name: "contacts.get",
    method: Method::GET,
    path: "/v3/contacts/{phone}",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &[],
    header_params: &[HeaderParam::new("x-profile-id")],
    payload_key: None,
    idempotency: Idempotency::None,
};

static LIST_ITEMS: Operation = Operation {
    id: "ListItems",
    name: "items.list",
    method: Method::GET,
    path: "/v3/items",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static SEND_MESSAGE: Operation = Operation {
    id: "SendMessage",
    name: "messages.send",
    method: Method::POST,
    path: "/v3/messages",
    success: &[202],
    response: ResponseKind::Json,
    body_fields: &["to", "template"],
    header_params: &[
        HeaderParam::new("x-profile-id"),
        HeaderParam::new("idempotency-key"),
    ],
    payload_key: None,
    idempotency: Idempotency::Header("idempotency-key"),
};

static DELETE_CONTACT: Operation = Operation {
    id: "DeleteContact",
    name: "contacts.delete",
    method: Method::DELETE,
    path: "/v3/contacts/{id}",
    success: &[204],
    response: ResponseKind::Empty,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static GET_PET: Operation = Operation {
    id: "getPet",
    name: "pets.get",
    method: Method::GET,
    path: "/pets/{petId}",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &[],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

#[derive(Debug, Deserialize, PartialEq)]
struct Contact {
    id: String,
    phone_number: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ItemList {
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    id: String,
    count: u32,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Pet {
    id: i64,
    name: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Accepted {
    message_id: String,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

/// What the server answers.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: Bytes,
    delay: Option<Duration>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json")],
            body: Bytes::from(body.to_string()),
            delay: None,
        }
    }

    fn raw(status: u16, content_type: &'static str, body: &'static str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type)],
            body: Bytes::from_static(body.as_bytes()),
            delay: None,
        }
    }

    fn header(mut self, name: &'static str, value: &'static str) -> Reply {
        self.headers.push((name, value));
        self
    }

    fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

/// A loopback server answering every request with one reply and recording what it saw.
/// Stops when dropped.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(reply: Reply) -> Server {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let router = Router::new().fallback(move |request: Request| {
            let reply = reply.clone();
            let record = record.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                record.lock().unwrap().push(Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    query: parts.uri.query().map(str::to_owned),
                    headers: parts.headers,
                    body,
                });
                if let Some(delay) = reply.delay {
                    tokio::time::sleep(delay).await;
                }
                let mut response = http::Response::builder().status(reply.status);
                for (name, value) in &reply.headers {
                    response = response.header(*name, *value);
                }
                response.body(Body::from(reply.body.clone())).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Server { base, seen, task }
    }

    fn only_request(&self) -> Seen {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "expected exactly one request, got {seen:?}");
        seen[0].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A runtime for `server` that sends every request once (retries are covered by
/// `runtime_retry.rs`).
fn sent_runtime(server: &Server) -> Runtime {
    Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .max_retries(0)
        .build()
        .unwrap()
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.get(name).map(|v| v.to_str().unwrap())
}

fn contact_envelope() -> Value {
    json!({
        "success": true,
        "data": {"id": "c_1", "phone_number": "+14155551234"},
        "error": null,
        "meta": {
            "request_id": "req_7X9zKp2jDw",
            "timestamp": "2026-04-08T15:54:52.2460263+00:00",
            "version": "v3",
            "response_time_ms": 45
        }
    })
}

#[tokio::test]
async fn api_key_header_is_sent_and_envelope_is_unwrapped() {
    let server = Server::start(
        Reply::json(200, contact_envelope())
            .header("x-request-id", "req_from_header")
            .header("x-api-version", "v3"),
    )
    .await;
    let runtime = sent_runtime(&server);
    let path = format!("/v3/contacts/{}", encode_path_segment("+14155551234"));
    let response: Response<Contact> = runtime
        .execute(OperationRequest::new(&GET_CONTACT, path))
        .await
        .unwrap();

    let seen = server.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(header(&seen, "x-api-key"), Some(KEY));
    assert_eq!(header(&seen, "accept"), Some("application/json"));
    assert!(
        header(&seen, "user-agent")
            .unwrap()
            .starts_with("sentdm-runtime/")
    );
    assert_eq!(
        header(&seen, "content-type"),
        None,
        "no body, no content type"
    );
    assert_eq!(header(&seen, "authorization"), None);
    assert!(seen.body.is_empty());

    assert_eq!(
        response.data(),
        &Contact {
            id: "c_1".into(),
            phone_number: "+14155551234".into()
        }
    );
    assert_eq!(
        response.phone_number, "+14155551234",
        "Deref to the payload"
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.request_id(),
        Some("req_7X9zKp2jDw"),
        "meta wins over header"
    );
    let meta = response.meta();
    assert_eq!(meta.version.as_deref(), Some("v3"));
    assert_eq!(meta.response_time_ms, Some(45));
    let timestamp = meta.timestamp.unwrap();
    assert_eq!(
        (timestamp.year(), timestamp.hour(), timestamp.second()),
        (2026, 15, 52)
    );
    assert_eq!(response.headers().get("x-api-version").unwrap(), "v3");

    let mapped = response.map(|contact| contact.id);
    assert_eq!(mapped.data(), "c_1");
    assert_eq!(mapped.request_id(), Some("req_7X9zKp2jDw"));
    assert_eq!(mapped.into_data(), "c_1");
}

#[tokio::test]
async fn bearer_token_and_plain_bodies() {
    let server = Server::start(
        Reply::json(200, json!({"id": 7, "name": "Rex"})).header("x-request-id", "hdr-42"),
    )
    .await;
    let runtime = Runtime::builder(&PLAIN)
        .base_url(format!("{}/v1/", server.base))
        .credential("tok_abc")
        .build()
        .unwrap();
    let response: Response<Pet> = runtime
        .execute(OperationRequest::new(&GET_PET, "/pets/7"))
        .await
        .unwrap();

    let seen = server.only_request();
    assert_eq!(header(&seen, "authorization"), Some("Bearer tok_abc"));
    assert_eq!(header(&seen, "x-api-key"), None);
    assert_eq!(seen.path, "/v1/pets/7", "base URL path prefix is kept");
    assert_eq!(
        response.into_data(),
        Pet {
            id: 7,
            name: "Rex".into()
        }
    );
}

#[tokio::test]
async fn plain_api_without_envelope_takes_request_id_from_header() {
    let server = Server::start(
        Reply::json(200, json!({"id": 1, "name": "Tom"})).header("x-request-id", "hdr-42"),
    )
    .await;
    let runtime = Runtime::builder(&PLAIN)
        .base_url(&server.base)
        .credential("tok")
        .build()
        .unwrap();
    let response: Response<Pet> = runtime
        .execute(OperationRequest::new(&GET_PET, "/pets/1"))
        .await
        .unwrap();
    assert_eq!(response.request_id(), Some("hdr-42"));
    assert_eq!(response.meta().request_id, None);
}

#[tokio::test]
async fn basic_and_query_credentials() {
    let server = Server::start(Reply::json(200, json!({"id": 1, "name": "Tom"}))).await;
    let runtime = Runtime::builder(&BASIC)
        .base_url(&server.base)
        .basic_auth("user", "pass")
        .build()
        .unwrap();
    let _: Response<Pet> = runtime
        .execute(OperationRequest::new(&GET_PET, "/pets/1"))
        .await
        .unwrap();
    assert_eq!(
        header(&server.only_request(), "authorization"),
        Some("Basic dXNlcjpwYXNz")
    );

    let server = Server::start(Reply::json(200, json!({"id": 1, "name": "Tom"}))).await;
    let runtime = Runtime::builder(&QUERY_KEY)
        .base_url(&server.base)
        .credential("k&y 1")
        .build()
        .unwrap();
    let mut request = OperationRequest::new(&GET_PET, "/pets/1");
    request.query.push(("fields", "name".into()));
    let _: Response<Pet> = runtime.execute(request).await.unwrap();
    let seen = server.only_request();
    assert_eq!(seen.query.as_deref(), Some("fields=name&api_key=k%26y+1"));
    assert_eq!(header(&seen, "authorization"), None);
}

#[tokio::test]
async fn query_credential_never_appears_in_transport_errors() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let secret = "query-secret-9f8e7d";
    let runtime = Runtime::builder(&QUERY_KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .credential(secret)
        .max_retries(0)
        .build()
        .unwrap();
    let error = runtime
        .execute::<Pet>(OperationRequest::new(&GET_PET, "/pets/1"))
        .await
        .unwrap_err();
    assert!(error.is_connection(), "{error:?}");
    let mut chain = format!("{error} | {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        chain.push_str(&format!(" | {cause} | {cause:?}"));
        source = cause.source();
    }
    assert!(!chain.contains(secret), "credential leaked: {chain}");
}

#[tokio::test]
async fn no_content_decodes_unit() {
    let server = Server::start(Reply {
        status: 204,
        headers: vec![("x-request-id", "req_del")],
        body: Bytes::new(),
        delay: None,
    })
    .await;
    let runtime = sent_runtime(&server);
    let response: Response<()> = runtime
        .execute(OperationRequest::new(&DELETE_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.request_id(), Some("req_del"));
    assert_eq!(server.only_request().method, "DELETE");
}

#[tokio::test]
async fn error_envelope_becomes_api_error() {
    let server = Server::start(Reply::json(
        400,
        json!({
            "success": false,
            "data": null,
            "error": {
                "code": "VALIDATION_004",
                "message": "Request validation failed",
                "details": {
                    "to": ["'to' must contain at least one recipient"],
                    "template": ["'template' is required"]
                },
                "doc_url": "https://docs.sent.dm/errors/VALIDATION_004"
            },
            "meta": {"request_id": "req_err_1", "timestamp": "2026-04-08T15:54:52Z", "version": "v3"}
        }),
    ))
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<Accepted>(OperationRequest::new(&SEND_MESSAGE, "/v3/messages"))
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(error.code(), Some("VALIDATION_004"));
    assert_eq!(error.request_id(), Some("req_err_1"));
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api.message(), "Request validation failed");
    assert_eq!(
        api.details().get("to").unwrap(),
        &vec!["'to' must contain at least one recipient".to_owned()]
    );
    assert_eq!(api.details().len(), 2);
    assert_eq!(
        api.doc_url(),
        Some("https://docs.sent.dm/errors/VALIDATION_004")
    );
    assert_eq!(
        api.headers().get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(
        error.to_string(),
        "API error 400 Bad Request [VALIDATION_004]: Request validation failed (request id req_err_1)"
    );
}

#[tokio::test]
async fn html_gateway_error_is_tolerated() {
    let server = Server::start(
        Reply::raw(
            502,
            "text/html",
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
        )
        .header("x-request-id", "edge-77"),
    )
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    let api = error.as_api().expect("API error");
    assert_eq!(api.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(api.code(), None);
    assert_eq!(api.message(), "Bad Gateway");
    assert_eq!(api.request_id(), Some("edge-77"));
    assert!(api.details().is_empty());
    assert!(
        api.body_excerpt()
            .starts_with("<html> <head><title>502 Bad Gateway</title></head>"),
        "{}",
        api.body_excerpt()
    );
    assert!(api.body_excerpt().chars().count() <= 200);
    assert_eq!(
        error.to_string(),
        "API error 502 Bad Gateway (request id edge-77)"
    );
}

#[tokio::test]
async fn success_false_on_200_is_an_api_error() {
    let server = Server::start(Reply::json(
        200,
        json!({
            "success": false,
            "data": {"id": "c_1", "phone_number": "+1"},
            "error": {"code": "BUSINESS_002", "message": "Contact is opted out"},
            "meta": {"request_id": "req_sf"}
        }),
    ))
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    let api = error.as_api().expect("API error");
    assert_eq!(api.status(), StatusCode::OK);
    assert_eq!(api.code(), Some("BUSINESS_002"));
    assert_eq!(api.message(), "Contact is opted out");
    assert_eq!(api.request_id(), Some("req_sf"));
}

#[tokio::test]
async fn invalid_json_is_a_decode_error_with_request_id() {
    let server = Server::start(
        Reply::raw(
            200,
            "application/json",
            r#"{"success": true, "data": {"id": "c_1", "phone_number": }}"#,
        )
        .header("x-request-id", "req_bad_json"),
    )
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    let decode = error.as_decode().expect("decode error");
    assert_eq!(decode.path(), "data.phone_number");
    assert_eq!(decode.request_id(), Some("req_bad_json"));
    assert_eq!(decode.status(), Some(StatusCode::OK));
    assert!(decode.body_excerpt().starts_with(r#"{"success": true"#));
    assert!(std::error::Error::source(decode).is_some());
    assert!(
        error
            .to_string()
            .starts_with("could not decode the response (200 OK) at `data.phone_number`: "),
        "{error}"
    );
}

#[tokio::test]
async fn truncated_body_is_a_decode_error_with_path() {
    let server = Server::start(
        Reply::raw(
            200,
            "application/json",
            r#"{"success":true,"data":{"items":[{"id":"a","count":1},{"id":"b","cou"#,
        )
        .header("x-request-id", "req_trunc"),
    )
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<ItemList>(OperationRequest::new(&LIST_ITEMS, "/v3/items"))
        .await
        .unwrap_err();
    let decode = error.as_decode().expect("decode error");
    assert!(
        decode.path().starts_with("data.items[1]"),
        "{}",
        decode.path()
    );
    assert!(decode.message().contains("EOF"), "{}", decode.message());
    assert_eq!(error.request_id(), Some("req_trunc"));
}

#[tokio::test]
async fn wrong_typed_field_reports_its_path() {
    let server = Server::start(Reply::json(
        200,
        json!({
            "success": true,
            "data": {"items": [{"id": "a", "count": 1}, {"id": "b", "count": "three"}]},
            "error": null,
            "meta": {"request_id": "req_types"}
        }),
    ))
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<ItemList>(OperationRequest::new(&LIST_ITEMS, "/v3/items"))
        .await
        .unwrap_err();
    let decode = error.as_decode().expect("decode error");
    assert_eq!(decode.path(), "data.items[1].count");
    assert!(
        decode.message().contains("invalid type"),
        "{}",
        decode.message()
    );
    assert_eq!(
        error.request_id(),
        Some("req_types"),
        "request id read from meta"
    );
    assert_eq!(error.status(), Some(StatusCode::OK));
}

#[tokio::test]
async fn wrong_typed_field_without_envelope_reports_its_path() {
    let server = Server::start(Reply::json(
        200,
        json!({"items": [{"id": "a", "count": -1}]}),
    ))
    .await;
    let runtime = Runtime::builder(&PLAIN)
        .base_url(&server.base)
        .credential("tok")
        .build()
        .unwrap();
    let error = runtime
        .execute::<ItemList>(OperationRequest::new(&LIST_ITEMS, "/v3/items"))
        .await
        .unwrap_err();
    assert_eq!(error.as_decode().unwrap().path(), "items[0].count");
}

#[tokio::test]
async fn slow_server_times_out() {
    let server =
        Server::start(Reply::json(200, contact_envelope()).delayed(Duration::from_secs(5))).await;
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_timeout());
    assert_eq!(error.to_string(), "the request timed out");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn per_request_timeout_overrides_the_runtime() {
    let server =
        Server::start(Reply::json(200, contact_envelope()).delayed(Duration::from_secs(5))).await;
    let runtime = sent_runtime(&server);
    assert_eq!(runtime.timeout(), Duration::from_secs(60));
    let mut request = OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1");
    request.options = RequestOptions::new().timeout(Duration::from_millis(150));
    let started = Instant::now();
    let error = runtime.execute::<Contact>(request).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn refused_connection_is_a_connection_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let runtime = Runtime::builder(SENT)
        .base_url(format!("http://127.0.0.1:{port}"))
        .credential(KEY)
        .max_retries(0)
        .build()
        .unwrap();
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    assert!(std::error::Error::source(&error).is_some(), "source kept");
    assert_eq!(error.status(), None);
    assert!(!format!("{error:?}").contains(KEY));
}

#[tokio::test]
async fn path_segments_and_query_are_encoded() {
    let server = Server::start(Reply::json(200, contact_envelope())).await;
    let runtime = sent_runtime(&server);
    let mut request = OperationRequest::new(
        &GET_CONTACT,
        format!("/v3/contacts/{}", encode_path_segment("+1 415/555?1234")),
    );
    request.query = vec![
        ("search", "a b&c=d+e".into()),
        ("name", "Zoë".into()),
        ("page", "2".into()),
    ];
    let _: Response<Contact> = runtime.execute(request).await.unwrap();
    let seen = server.only_request();
    assert_eq!(seen.path, "/v3/contacts/%2B1%20415%2F555%3F1234");
    assert_eq!(
        seen.query.as_deref(),
        Some("search=a+b%26c%3Dd%2Be&name=Zo%C3%AB&page=2")
    );
}

#[tokio::test]
async fn plus_in_phone_number_path_is_encoded() {
    let server = Server::start(Reply::json(200, contact_envelope())).await;
    let runtime = sent_runtime(&server);
    let path = format!("/v3/contacts/{}", encode_path_segment("+14155551234"));
    let _: Response<Contact> = runtime
        .execute(OperationRequest::new(&GET_CONTACT, path))
        .await
        .unwrap();
    assert_eq!(server.only_request().path, "/v3/contacts/%2B14155551234");
}

#[tokio::test]
async fn headers_layer_default_then_parameter_then_options() {
    let server = Server::start(Reply::json(
        202,
        json!({"success": true, "data": {"message_id": "m_1"}, "error": null, "meta": {}}),
    ))
    .await;
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .user_agent("my-app/2.0")
        .default_header("x-profile-id", "profile-default")
        .default_header("x-team", "blue")
        .build()
        .unwrap();
    let mut request = OperationRequest::new(&SEND_MESSAGE, "/v3/messages");
    request
        .headers
        .push(("x-profile-id", "profile-param".into()));
    request.headers.push(("idempotency-key", "idem-1".into()));
    request.body = Some(
        JsonBody::new(&json!({"to": ["+14155551234"], "template": {"id": "t_1"}}))
            .unwrap()
            .into(),
    );
    request.options = RequestOptions::new()
        .header("x-trace", "trace-1")
        .header("idempotency-key", "idem-override");
    let response: Response<Accepted> = runtime.execute(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.message_id, "m_1");

    let seen = server.only_request();
    assert_eq!(seen.method, "POST");
    assert_eq!(header(&seen, "x-profile-id"), Some("profile-param"));
    assert_eq!(header(&seen, "x-team"), Some("blue"));
    assert_eq!(header(&seen, "x-trace"), Some("trace-1"));
    assert_eq!(header(&seen, "idempotency-key"), Some("idem-override"));
    assert_eq!(header(&seen, "user-agent"), Some("my-app/2.0"));
    assert_eq!(header(&seen, "content-type"), Some("application/json"));
    assert_eq!(header(&seen, "x-api-key"), Some(KEY));
    assert_eq!(seen.headers.get_all("x-profile-id").iter().count(), 1);
    let body: Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(
        body,
        json!({"to": ["+14155551234"], "template": {"id": "t_1"}})
    );
}

#[tokio::test]
async fn default_header_applies_without_parameter() {
    let server = Server::start(Reply::json(200, contact_envelope())).await;
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .default_header("x-profile-id", "profile-default")
        .build()
        .unwrap();
    let _: Response<Contact> = runtime
        .execute(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap();
    assert_eq!(
        header(&server.only_request(), "x-profile-id"),
        Some("profile-default")
    );
}

#[tokio::test]
async fn invalid_per_request_header_fails_before_sending() {
    let server = Server::start(Reply::json(200, contact_envelope())).await;
    let runtime = sent_runtime(&server);
    let mut request = OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1");
    request.options = RequestOptions::new().header("x-note", "line\nbreak");
    let error = runtime.execute::<Contact>(request).await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidRequest { field, .. } if field == "x-note"),
        "{error:?}"
    );
    assert!(server.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn path_parameters_cannot_reach_another_endpoint() {
    let server = Server::start(Reply::json(204, json!(null))).await;
    let runtime = sent_runtime(&server);
    for (value, message) in [
        ("", "id: must not be empty"),
        ("..", "id: must not be `.` or `..`"),
        (".", "id: must not be `.` or `..`"),
    ] {
        let path = format!("/v3/contacts/{}", encode_path_segment(value));
        let error = runtime
            .execute::<()>(OperationRequest::new(&DELETE_CONTACT, path))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { field, .. } if field == "id"),
            "{error:?}"
        );
        assert_eq!(error.to_string(), message);
    }
    let error = runtime
        .execute::<()>(OperationRequest::new(
            &DELETE_CONTACT,
            "/v3/contacts/%2E%2e/x",
        ))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "path: must not contain `.` or `..` segments"
    );
    assert!(server.seen.lock().unwrap().is_empty(), "nothing was sent");

    // Dots inside a value are fine.
    let _: Response<()> = runtime
        .execute(OperationRequest::new(
            &DELETE_CONTACT,
            format!("/v3/contacts/{}", encode_path_segment("a..b")),
        ))
        .await
        .unwrap();
    assert_eq!(server.only_request().path, "/v3/contacts/a..b");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Server::start(
        Reply::raw(302, "text/plain", "moved").header("location", "http://127.0.0.1:9/elsewhere"),
    )
    .await;
    let runtime = sent_runtime(&server);
    let error = runtime
        .execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FOUND));
    assert_eq!(error.as_api().unwrap().body_excerpt(), "moved");
}

#[tokio::test]
async fn execute_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let runtime = Runtime::builder(SENT).credential(KEY).build().unwrap();
    let future = runtime.execute::<Contact>(OperationRequest::new(&GET_CONTACT, "/v3/contacts/x"));
    assert_send(&future);
    let boxed: sentdm_client::runtime::BoxFuture<Result<Response<Contact>, Error>> = Box::pin({
        let runtime = runtime.clone();
        async move {
            runtime
                .execute(OperationRequest::new(&GET_CONTACT, "/v3/contacts/x"))
                .await
        }
    });
    drop(boxed);
    drop(future);
}

#[tokio::test]
async fn supplied_http_client_is_used() {
    let server = Server::start(Reply::json(200, contact_envelope())).await;
    let client = reqwest::Client::builder().tls_backend_preconfigured(rustls_config());
    let runtime = Runtime::builder(SENT)
        .base_url(&server.base)
        .credential(KEY)
        .http_client_builder(client)
        .build()
        .unwrap();
    let response: Response<Contact> = runtime
        .execute(OperationRequest::new(&GET_CONTACT, "/v3/contacts/c_1"))
        .await
        .unwrap();
    assert_eq!(response.id, "c_1");
    assert_eq!(header(&server.only_request(), "x-api-key"), Some(KEY));
}

fn rustls_config() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth()
}
