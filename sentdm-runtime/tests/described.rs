//! The runtime driven by what an API description says — several credentials, servers picked by
//! the key's prefix, an idempotency header of the API's own name, mutations without a key that
//! are never sent twice, multipart uploads — over real HTTP on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use bytes::Bytes;
use http::HeaderMap;
use sentdm_runtime::{
    ApiDescription, Auth, Error, ErrorBody, FileRules, FileType, Idempotency, JsonBody, Method,
    Multipart, Operation, OperationRequest, RequestBody, ResponseKind, Runtime, Server, Upload,
};
use serde_json::{Value, json};

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A loopback server answering with `replies` in turn (the last one again once they run out)
/// and recording what it saw. Stops when dropped.
struct TestServer {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    async fn start(replies: Vec<(u16, Value)>) -> TestServer {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let replies = Arc::new(replies);
        let router = Router::new().fallback(move |request: Request| {
            let record = record.clone();
            let replies = replies.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let index = {
                    let mut seen = record.lock().unwrap();
                    seen.push(Seen {
                        path: parts.uri.path().to_owned(),
                        headers: parts.headers,
                        body,
                    });
                    seen.len() - 1
                };
                let (status, body) = replies[index.min(replies.len() - 1)].clone();
                http::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        TestServer { base, seen, task }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.get(name).and_then(|v| v.to_str().ok())
}

/// A bearer token plus a tenant header, no envelope, `{detail}` errors, no idempotency key.
static TENANTED: ApiDescription = ApiDescription {
    title: "Tenanted",
    version: "1",
    servers: &[Server {
        url: "https://api.tenanted.example/api/v1",
        description: "production",
        key_prefix: None,
    }],
    auth: &[
        Auth::Bearer,
        Auth::ApiKeyHeader {
            name: "X-Tenant-ID",
        },
    ],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: Some("detail"),
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static SEND: Operation = Operation {
    id: "sendMessage",
    name: "messages.send",
    method: Method::POST,
    path: "/messages",
    success: &[201],
    response: ResponseKind::Json,
    body_fields: &["text"],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static UPLOAD: Operation = Operation {
    id: "uploadAttachment",
    name: "attachments.upload",
    method: Method::POST,
    path: "/attachments",
    success: &[200, 201],
    response: ResponseKind::Json,
    body_fields: &["file"],
    header_params: &[],
    payload_key: None,
    idempotency: Idempotency::None,
};

static IMAGES: FileRules = FileRules {
    types: &[
        FileType {
            content_type: "image/jpeg",
            extensions: &[".jpg", ".jpeg"],
            max_bytes: Some(16),
        },
        FileType {
            content_type: "application/pdf",
            extensions: &[".pdf"],
            max_bytes: Some(64),
        },
    ],
    max_bytes: Some(64),
};

fn tenanted(base: &str) -> Runtime {
    Runtime::builder(&TENANTED)
        .base_url(base)
        .credential("msgapi_token")
        .credential_for("x-tenant-id", "tenant_42")
        .max_retries(2)
        .build()
        .unwrap()
}

fn send_request() -> OperationRequest {
    let mut request = OperationRequest::new(&SEND, "/messages");
    request.body = Some(RequestBody::Json(
        JsonBody::new(&json!({"text": "hi"})).unwrap(),
    ));
    request
}

#[tokio::test]
async fn every_credential_of_the_requirement_travels_with_every_request() {
    let server = TestServer::start(vec![(201, json!({"id": "msg_1"}))]).await;
    let runtime = tenanted(&server.base);
    let sent = runtime.execute::<Value>(send_request()).await.unwrap();
    assert_eq!(sent.data()["id"], "msg_1");
    let seen = server.seen();
    assert_eq!(
        header(&seen[0], "authorization"),
        Some("Bearer msgapi_token")
    );
    assert_eq!(header(&seen[0], "x-tenant-id"), Some("tenant_42"));
    assert_eq!(seen[0].path, "/messages");
    // Neither credential shows in the runtime's Debug output.
    let debug = format!("{runtime:?}");
    assert!(
        !debug.contains("msgapi_token") && !debug.contains("tenant_42"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_missing_or_unknown_credential_is_a_configuration_error() {
    let missing = Runtime::builder(&TENANTED)
        .credential("msgapi_token")
        .build()
        .unwrap_err();
    assert!(matches!(missing, Error::Config { .. }), "{missing:?}");
    assert!(missing.to_string().contains("X-Tenant-ID"), "{missing}");

    let unknown = Runtime::builder(&TENANTED)
        .credential("msgapi_token")
        .credential_for("X-Tenant-ID", "t")
        .credential_for("X-Account", "a-secret")
        .build()
        .unwrap_err();
    assert!(unknown.to_string().contains("X-Account"), "{unknown}");
    assert!(!unknown.to_string().contains("a-secret"), "{unknown}");
}

#[tokio::test]
async fn a_mutation_without_an_idempotency_key_is_not_sent_twice() {
    // A 503 may come after the service acted on the request: not retried.
    let server = TestServer::start(vec![
        (503, json!({"detail": "busy"})),
        (201, json!({"id": "msg_2"})),
    ])
    .await;
    let error = tenanted(&server.base)
        .execute::<Value>(send_request())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.to_string().contains("busy"), "{error}");
    assert_eq!(server.seen().len(), 1);
    assert_eq!(error.idempotency_key(), None);

    // A 429 says the request was not processed: retried.
    let server = TestServer::start(vec![
        (429, json!({"detail": "slow down"})),
        (201, json!({"id": "msg_3"})),
    ])
    .await;
    let sent = tenanted(&server.base)
        .execute::<Value>(send_request())
        .await
        .unwrap();
    assert_eq!(sent.data()["id"], "msg_3");
    assert_eq!(server.seen().len(), 2);
}

/// Keys say which server they are for; an API-specific idempotency header name.
static KEYED: ApiDescription = ApiDescription {
    title: "Keyed",
    version: "1",
    servers: &[
        Server {
            url: "https://api.keyed.example",
            description: "production",
            key_prefix: Some("live_"),
        },
        Server {
            url: "https://sandbox.keyed.example",
            description: "sandbox",
            key_prefix: Some("test_"),
        },
    ],
    auth: &[Auth::Bearer],
    envelope: None,
    error_body: ErrorBody {
        code: Some("code"),
        message: Some("error"),
    },
    transient_error_codes: &[],
    idempotency_header: Some("X-Idempotency-Key"),
    idempotency_key_prefix: "keyed-",
};

static NOTIFY: Operation = Operation {
    id: "send",
    name: "notifications.send",
    method: Method::POST,
    path: "/v1/send/{event}",
    success: &[200],
    response: ResponseKind::Json,
    body_fields: &["to"],
    header_params: &[],
    payload_key: Some("deliveries"),
    idempotency: Idempotency::Header("X-Idempotency-Key"),
};

#[test]
fn the_key_prefix_picks_the_server_unless_one_is_set() {
    let live = Runtime::builder(&KEYED)
        .credential("live_abc")
        .build()
        .unwrap();
    assert_eq!(
        live.base_url().trim_end_matches('/'),
        "https://api.keyed.example"
    );
    let test = Runtime::builder(&KEYED)
        .credential("test_abc")
        .build()
        .unwrap();
    assert_eq!(
        test.base_url().trim_end_matches('/'),
        "https://sandbox.keyed.example"
    );
    let other = Runtime::builder(&KEYED).credential("abc").build().unwrap();
    assert_eq!(
        other.base_url().trim_end_matches('/'),
        "https://api.keyed.example"
    );
    let set = Runtime::builder(&KEYED)
        .credential("test_abc")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(set.base_url().trim_end_matches('/'), "http://127.0.0.1:9");
}

#[tokio::test]
async fn keyed_sends_carry_the_same_key_in_the_apis_header_on_every_attempt() {
    let server = TestServer::start(vec![
        (503, json!({"error": "try later", "code": "UNAVAILABLE"})),
        (
            200,
            json!({"success": true, "deliveries": [{"email": "d-1"}]}),
        ),
    ])
    .await;
    let runtime = Runtime::builder(&KEYED)
        .credential("test_abc")
        .base_url(&server.base)
        .build()
        .unwrap();
    let mut request = OperationRequest::new(&NOTIFY, "/v1/send/welcome");
    request.body = Some(RequestBody::Json(
        JsonBody::new(&json!({"to": "a@example.com"})).unwrap(),
    ));
    let sent = runtime.execute::<Vec<Value>>(request).await.unwrap();
    assert_eq!(sent.data()[0]["email"], "d-1");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let first = header(&seen[0], "x-idempotency-key").unwrap();
    assert!(first.starts_with("keyed-"), "{first}");
    assert_eq!(header(&seen[1], "x-idempotency-key"), Some(first));
    assert_eq!(header(&seen[0], "idempotency-key"), None);
}

/// One part of a multipart body: name, file name, content type, bytes.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

/// The parts of a multipart body.
fn parts(seen: &Seen) -> Vec<Part> {
    let content_type = header(seen, "content-type").unwrap();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .unwrap()
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let body = seen.body.to_vec();
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut out = Vec::new();
    for chunk in text.split(&delimiter).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let (head, data) = chunk.split_once("\r\n\r\n").unwrap();
        let data = data.strip_suffix("\r\n").unwrap_or(data);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap();
        let field = |key: &str| {
            disposition
                .split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix(&format!("{key}=\"")))
                .map(|v| v.trim_end_matches('"').to_owned())
        };
        let part_type = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-type"))
            .map(|l| l.split_once(':').unwrap().1.trim().to_owned());
        out.push((
            field("name").unwrap(),
            field("filename"),
            part_type,
            data.as_bytes().to_vec(),
        ));
    }
    out
}

fn upload_request(form: Multipart) -> OperationRequest {
    let mut request = OperationRequest::new(&UPLOAD, "/attachments");
    request.body = Some(RequestBody::Multipart(form));
    request
}

#[tokio::test]
async fn uploads_send_every_part_with_name_file_name_and_type() {
    let server = TestServer::start(vec![(201, json!({"id": "att_1"}))]).await;
    let form = Multipart::new()
        .text("caption", "holiday")
        .file(
            "file",
            Upload::bytes("photo.jpg", &b"JFIF-data"[..]),
            &IMAGES,
        )
        .unwrap();
    let uploaded = tenanted(&server.base)
        .execute::<Value>(upload_request(form))
        .await
        .unwrap();
    assert_eq!(uploaded.data()["id"], "att_1");
    let seen = server.seen();
    assert_eq!(header(&seen[0], "x-tenant-id"), Some("tenant_42"));
    assert_eq!(
        parts(&seen[0]),
        [
            ("caption".to_owned(), None, None, b"holiday".to_vec()),
            (
                "file".to_owned(),
                Some("photo.jpg".to_owned()),
                Some("image/jpeg".to_owned()),
                b"JFIF-data".to_vec()
            ),
        ]
    );
}

#[tokio::test]
async fn files_from_disk_are_read_again_for_a_retry() {
    let dir = std::env::temp_dir().join(format!("sentdm-runtime-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.pdf");
    std::fs::write(&path, b"%PDF-1.7 report").unwrap();
    let server = TestServer::start(vec![
        (429, json!({"detail": "slow down"})),
        (201, json!({"id": "att_2"})),
    ])
    .await;
    let form = Multipart::new()
        .file("file", Upload::path(&path), &IMAGES)
        .unwrap();
    tenanted(&server.base)
        .execute::<Value>(upload_request(form))
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for attempt in &seen {
        let parts = parts(attempt);
        assert_eq!(parts[0].1.as_deref(), Some("report.pdf"));
        assert_eq!(parts[0].2.as_deref(), Some("application/pdf"));
        assert_eq!(parts[0].3, b"%PDF-1.7 report");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn files_outside_the_documented_limits_are_refused_before_any_io() {
    let too_big = Multipart::new()
        .file("file", Upload::bytes("big.jpg", vec![0_u8; 17]), &IMAGES)
        .unwrap_err();
    assert!(
        matches!(too_big, Error::InvalidRequest { .. }),
        "{too_big:?}"
    );
    assert!(too_big.to_string().contains("16"), "{too_big}");

    let wrong_type = Multipart::new()
        .file("file", Upload::bytes("notes.txt", &b"hi"[..]), &IMAGES)
        .unwrap_err();
    assert!(wrong_type.to_string().contains("file"), "{wrong_type}");

    let wrong_extension = Multipart::new()
        .file(
            "file",
            Upload::bytes("photo.png", &b"hi"[..]).content_type("image/jpeg"),
            &IMAGES,
        )
        .unwrap_err();
    assert!(
        wrong_extension.to_string().contains(".jpg"),
        "{wrong_extension}"
    );

    let missing = Multipart::new()
        .file("file", Upload::path("/nonexistent/dir/photo.jpg"), &IMAGES)
        .unwrap_err();
    assert!(
        matches!(missing, Error::InvalidRequest { .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn streamed_files_are_sent_once_and_never_replayed() {
    let server = TestServer::start(vec![
        (429, json!({"detail": "slow down"})),
        (201, json!({"id": "att_3"})),
    ])
    .await;
    let chunks = futures_util::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from_static(b"%PDF-")),
        Ok(Bytes::from_static(b"1.7")),
    ]);
    let form = Multipart::new()
        .file(
            "file",
            Upload::stream("stream.pdf", 8, chunks).content_type("application/pdf"),
            &IMAGES,
        )
        .unwrap();
    let error = tenanted(&server.base)
        .execute::<Value>(upload_request(form))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(parts(&seen[0])[0].3, b"%PDF-1.7");
}
