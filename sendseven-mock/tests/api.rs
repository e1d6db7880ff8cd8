#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The SendSeven mock over loopback HTTP with a plain client: authentication, both operations
//! with their documented failures, multipart limits, the docs' examples, faults, state.

use reqwest::multipart::{Form, Part};
use sendseven_mock::{DEFAULT_API_TOKEN, DEFAULT_TENANT_ID, Fault, MockServer};
use serde_json::{Value, json};

const SPEC: &str = include_str!("../openapi.json");
const MB: usize = 1024 * 1024;

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn read(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// `POST /messages` with the mock's credentials.
async fn send(server: &MockServer, body: Value) -> Answer {
    let response = client()
        .post(format!("{}/messages", server.url()))
        .bearer_auth(server.api_token())
        .header("X-Tenant-ID", server.tenant_id())
        .json(&body)
        .send()
        .await
        .unwrap();
    read(response).await
}

/// `POST /attachments` with one `file` part.
async fn upload(server: &MockServer, part: Part) -> Answer {
    let response = client()
        .post(format!("{}/attachments", server.url()))
        .bearer_auth(server.api_token())
        .header("X-Tenant-ID", server.tenant_id())
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    read(response).await
}

fn file(bytes: Vec<u8>, name: &str, content_type: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(content_type)
        .unwrap()
}

fn assert_error(answer: &Answer, status: u16, detail_contains: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.body["status_code"], status, "{:?}", answer.body);
    let detail = answer.body["detail"].as_str().unwrap();
    assert!(
        detail.contains(detail_contains),
        "{detail:?} lacks {detail_contains:?}"
    );
}

#[tokio::test]
async fn the_url_has_the_spec_server_path_and_the_defaults_are_documented() {
    let server = MockServer::start().unwrap();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert!(server.url().ends_with("/api/v1"));
    assert_eq!(server.api_token(), DEFAULT_API_TOKEN);
    assert_eq!(server.tenant_id(), DEFAULT_TENANT_ID);
    let outside = read(
        client()
            .post(format!(
                "{}/messages",
                server.url().trim_end_matches("/api/v1")
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&outside, 404, "/api/v1");
    let unknown = read(
        client()
            .get(format!("{}/contacts", server.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&unknown, 404, "Not Found");
    let wrong_method = read(
        client()
            .get(format!("{}/messages", server.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&wrong_method, 405, "Method Not Allowed");
    assert_eq!(wrong_method.headers["allow"], "POST");
}

#[tokio::test]
async fn credentials_are_checked_token_then_tenant_then_scope() {
    let other = "msgapi_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let server = MockServer::builder()
        .api_token(DEFAULT_API_TOKEN)
        .token(other, DEFAULT_TENANT_ID, &["attachments:create"])
        .start()
        .unwrap();
    let body = json!({"conversation_id": "conv_xyz789", "message_type": "text", "text": "Hi"});
    let post = |token: Option<&str>, tenant: Option<&str>| {
        let mut req = client()
            .post(format!("{}/messages", server.url()))
            .json(&body);
        if let Some(token) = token {
            req = req.header("Authorization", token);
        }
        if let Some(tenant) = tenant {
            req = req.header("X-Tenant-ID", tenant);
        }
        async move { read(req.send().await.unwrap()).await }
    };
    let tenant = Some(DEFAULT_TENANT_ID);
    assert_error(
        &post(None, tenant).await,
        401,
        "credentials were not provided",
    );
    assert_error(
        &post(Some("Token abc"), tenant).await,
        401,
        "Bearer <token>",
    );
    // The documents' example token has letters past f: not the documented format.
    let docs_example =
        "Bearer msgapi_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0u1v2w3x4y5z6a7b8c9d0e1f2";
    assert_error(
        &post(Some(docs_example), tenant).await,
        401,
        "Invalid token format",
    );
    let unknown = format!("Bearer msgapi_{}", "e".repeat(64));
    assert_error(
        &post(Some(&unknown), tenant).await,
        401,
        "Invalid or expired token",
    );
    let good = format!("Bearer {DEFAULT_API_TOKEN}");
    assert_error(&post(Some(&good), None).await, 401, "Missing X-Tenant-ID");
    assert_error(
        &post(Some(&good), Some("someone-else")).await,
        403,
        "tenant 'someone-else'",
    );
    let scoped = format!("Bearer {other}");
    assert_error(
        &post(Some(&scoped), tenant).await,
        403,
        "'messages:create' scope",
    );
    assert_eq!(post(Some(&good), tenant).await.status, 201);
    assert_eq!(server.messages().len(), 1);

    // The upload needs its own scope.
    let no_upload = "msgapi_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    let server = MockServer::builder()
        .token(no_upload, DEFAULT_TENANT_ID, &["messages:create"])
        .start()
        .unwrap();
    let refused = read(
        client()
            .post(format!("{}/attachments", server.url()))
            .bearer_auth(no_upload)
            .header("X-Tenant-ID", DEFAULT_TENANT_ID)
            .multipart(Form::new().part("file", file(vec![1, 2, 3], "a.png", "image/png")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&refused, 403, "'attachments:create' scope");
    // Only the docs' attachment.
    assert_eq!(server.attachments().len(), 1);
}

#[tokio::test]
async fn documented_requests_get_the_documented_responses() {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let op = &spec["paths"]["/messages"]["post"];
    let requests = op["requestBody"]["content"]["application/json"]["examples"]
        .as_object()
        .unwrap();
    let responses = &op["responses"]["2XX"]["content"]["application/json"]["examples"];
    let server = MockServer::start().unwrap();
    assert_eq!(requests.len(), 2);
    for (name, example) in requests {
        let answer = send(&server, example["value"].clone()).await;
        assert_eq!(answer.status, 201, "{name}: {:?}", answer.body);
        assert_eq!(answer.body, responses[name]["value"], "{name}");
    }
    assert_eq!(server.messages().len(), 2);
    // Not seeded: the same request is an ordinary one, to a conversation that does not exist.
    let empty = MockServer::builder().seeded(false).start().unwrap();
    let text = requests["text"]["value"].clone();
    assert_error(
        &send(&empty, text).await,
        404,
        "Conversation 'uuid' not found",
    );
}

#[tokio::test]
async fn a_text_message_is_answered_from_the_request() {
    let server = MockServer::builder()
        .conversation("conv_1")
        .start()
        .unwrap();
    let answer = send(
        &server,
        json!({"conversation_id": "conv_1", "message_type": "text", "text": "Hello"}),
    )
    .await;
    assert_eq!(answer.status, 201);
    let m = &answer.body;
    assert!(m["id"].as_str().unwrap().starts_with("msg_"));
    assert_eq!(m["conversation_id"], "conv_1");
    assert_eq!(m["direction"], "outbound");
    assert_eq!(m["message_type"], "text");
    assert_eq!(m["text"], "Hello");
    assert_eq!(m["status"], "pending");
    assert!(m.get("attachments").is_none());
    assert!(m["created_at"].as_str().unwrap().ends_with('Z'));
    let recorded = &server.messages()[0];
    assert_eq!(recorded.message, *m);
    assert_eq!(recorded.tenant_id, DEFAULT_TENANT_ID);
    assert_eq!(recorded.api_token, DEFAULT_API_TOKEN);
    // Read back: the request log has the body as sent.
    let logged = server.requests();
    assert_eq!(logged[0].json().unwrap()["text"], "Hello");
    assert_eq!(logged[0].header("x-tenant-id"), Some(DEFAULT_TENANT_ID));

    // Other conversations are not found.
    let answer = send(
        &server,
        json!({"conversation_id": "conv_2", "message_type": "text", "text": "Hello"}),
    )
    .await;
    assert_error(&answer, 404, "Conversation 'conv_2' not found");
    server.add_conversation("conv_2");
    let answer = send(
        &server,
        json!({"conversation_id": "conv_2", "message_type": "text", "text": "Hello"}),
    )
    .await;
    assert_eq!(answer.status, 201);
}

#[tokio::test]
async fn messages_are_validated_against_the_union_of_text_and_media() {
    let server = MockServer::start().unwrap();
    let cases = [
        (
            json!({"conversation_id": "conv_xyz789", "message_type": "text"}),
            "'text' is required",
        ),
        (
            json!({"message_type": "text", "text": "Hi"}),
            "'conversation_id' is required",
        ),
        (
            json!({"conversation_id": "conv_xyz789", "message_type": "sticker", "text": "Hi"}),
            "'message_type' must be one of: audio, document, image, text, video",
        ),
        (
            json!({"conversation_id": "conv_xyz789", "message_type": "image", "text": "Hi"}),
            "'attachments' is required",
        ),
        (
            json!({"conversation_id": "conv_xyz789", "message_type": "image", "attachments": []}),
            "'attachments' must contain at least one item",
        ),
        (
            json!({"conversation_id": 7, "message_type": "text", "text": "Hi"}),
            "'conversation_id' must be a string, not integer",
        ),
    ];
    for (body, detail) in cases {
        assert_error(&send(&server, body).await, 400, detail);
    }
    let not_json = read(
        client()
            .post(format!("{}/messages", server.url()))
            .bearer_auth(server.api_token())
            .header("X-Tenant-ID", server.tenant_id())
            .body("{")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&not_json, 400, "not valid JSON");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn an_uploaded_attachment_can_be_sent_fetched_and_inspected() {
    let server = MockServer::start().unwrap();
    let jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3];
    let answer = upload(&server, file(jpeg.clone(), "photo.jpg", "image/jpeg")).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    let a = answer.body.clone();
    assert_eq!(a["filename"], "photo.jpg");
    assert_eq!(a["content_type"], "image/jpeg");
    assert_eq!(a["file_size"], 7);
    let id = a["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);

    // The signed URL serves the file; without its signature it is not found.
    let url = a["url"].as_str().unwrap();
    let fetched = client().get(url).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.headers()["content-type"], "image/jpeg");
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let unsigned = url.split('?').next().unwrap();
    assert_eq!(client().get(unsigned).send().await.unwrap().status(), 404);

    // What the mock kept, for wire-level assertions.
    let kept = server
        .attachments()
        .into_iter()
        .find(|k| k.id == id)
        .unwrap();
    assert_eq!(kept.bytes.as_ref(), jpeg.as_slice());
    assert_eq!(kept.tenant_id, DEFAULT_TENANT_ID);

    // A media message carries it.
    let message = send(
        &server,
        json!({"conversation_id": "conv_xyz789", "message_type": "image",
               "attachments": [id], "text": "Look"}),
    )
    .await;
    assert_eq!(message.status, 201, "{:?}", message.body);
    assert_eq!(message.body["attachments"], json!([a]));
    assert_eq!(message.body["text"], "Look");

    // Not as a document, and not an attachment that was never uploaded.
    let wrong_kind = send(
        &server,
        json!({"conversation_id": "conv_xyz789", "message_type": "document", "attachments": [id]}),
    )
    .await;
    assert_error(
        &wrong_kind,
        400,
        "image/jpeg, which a message of type 'document'",
    );
    let unknown = send(
        &server,
        json!({"conversation_id": "conv_xyz789", "message_type": "image", "attachments": ["nope"]}),
    )
    .await;
    assert_error(&unknown, 400, "Attachment 'nope' not found");

    // The docs' attachment is there from the start.
    let seeded = send(
        &server,
        json!({"conversation_id": "uuid", "message_type": "image", "attachments": ["attachment_uuid"]}),
    )
    .await;
    assert_eq!(seeded.status, 201);
    assert_eq!(seeded.body["attachments"][0]["url"], "signed_url");
}

#[tokio::test]
async fn the_type_comes_from_the_part_or_the_file_name() {
    let server = MockServer::start().unwrap();
    // No content type: the extension tells.
    let named = Part::bytes(b"%PDF-1.7".to_vec()).file_name("report.PDF");
    let answer = upload(&server, named).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    assert_eq!(answer.body["content_type"], "application/pdf");
    // Types and extensions the docs do not list.
    let zip = upload(&server, file(vec![1], "a.zip", "application/zip")).await;
    assert_error(
        &zip,
        415,
        "Unsupported media type 'application/zip': accepted are",
    );
    let unknown_ext = upload(&server, Part::bytes(vec![1]).file_name("a.zip")).await;
    assert_error(&unknown_ext, 415, "Unsupported file type");
    let mismatch = upload(&server, file(vec![1], "photo.png", "image/jpeg")).await;
    assert_error(
        &mismatch,
        415,
        "'.png' is not one of image/jpeg's (.jpg, .jpeg)",
    );
    // Not a form, or a form without the file.
    let json_body = read(
        client()
            .post(format!("{}/attachments", server.url()))
            .bearer_auth(server.api_token())
            .header("X-Tenant-ID", server.tenant_id())
            .json(&json!({"file": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&json_body, 400, "multipart/form-data");
    let no_file = read(
        client()
            .post(format!("{}/attachments", server.url()))
            .bearer_auth(server.api_token())
            .header("X-Tenant-ID", server.tenant_id())
            .multipart(Form::new().text("caption", "x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&no_file, 400, "No file in the request");
    assert_eq!(server.attachments().len(), 2);
}

#[tokio::test]
async fn each_type_has_its_size_limit() {
    let server = MockServer::start().unwrap();
    let limit = 16 * MB;
    let at_limit = upload(&server, file(vec![0; limit], "a.jpg", "image/jpeg")).await;
    assert_eq!(at_limit.status, 201, "{:?}", at_limit.body);
    let over = upload(&server, file(vec![0; limit + 1], "b.jpg", "image/jpeg")).await;
    assert_error(
        &over,
        413,
        "16777217 bytes; image/jpeg files may be at most 16777216 bytes (16 MB)",
    );
    let audio = upload(&server, file(vec![0; limit + 1], "b.mp3", "audio/mpeg")).await;
    assert_error(
        &audio,
        413,
        "audio/mpeg files may be at most 16777216 bytes",
    );
    // Documents may be larger.
    let pdf = upload(
        &server,
        file(vec![0; limit + 1], "b.pdf", "application/pdf"),
    )
    .await;
    assert_eq!(pdf.status, 201, "{:?}", pdf.body);
    assert_eq!(pdf.body["file_size"], limit + 1);
    assert_eq!(server.attachments().len(), 3);
}

#[tokio::test]
async fn faults_answer_in_the_error_shape() {
    let server = MockServer::start().unwrap();
    let rule = server.fault(Fault::status(429)).on("POST", "/messages");
    let body = json!({"conversation_id": "conv_xyz789", "message_type": "text", "text": "Hi"});
    let limited = send(&server, body.clone()).await;
    assert_error(&limited, 429, "Rate limit exceeded");
    assert_eq!(rule.triggered(), 1);
    assert_eq!(send(&server, body).await.status, 201);
    assert_eq!(server.messages().len(), 1);
    assert_eq!(server.requests()[0].fault.as_deref(), Some("status 429"));
}

#[tokio::test]
async fn each_server_has_its_own_state_and_reset_restores_it() {
    let a = MockServer::start().unwrap();
    let b = MockServer::start().unwrap();
    let body = json!({"conversation_id": "conv_xyz789", "message_type": "text", "text": "Hi"});
    assert_eq!(send(&a, body.clone()).await.status, 201);
    assert_eq!(a.messages().len(), 1);
    assert!(b.messages().is_empty());
    a.reset();
    assert!(a.messages().is_empty());
    assert!(a.requests().is_empty());
    assert_eq!(a.attachments().len(), 1);
}

#[test]
fn the_shipped_spec_is_the_workspace_spec() {
    // Packaged on its own the crate has only its copy; in the workspace both must agree.
    let workspace =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/sendseven/openapi.json");
    if let Ok(text) = std::fs::read_to_string(&workspace) {
        assert!(
            text == SPEC,
            "sendseven-mock/openapi.json differs from spec/sendseven/openapi.json: copy it over"
        );
    }
}
