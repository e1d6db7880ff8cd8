//! What the SendSeven and Sendivent specs need from the generator, each on a small fixture:
//! `multipart/form-data` uploads with documented file rules, offset pagination, payloads under a
//! per-operation key, enum path parameters and bodies on `DELETE`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

#[test]
fn multipart_forms_take_uploads_checked_against_the_documented_rules() {
    let value = doc(
        json!({ "/attachments": { "post": {
            "x-group": ["attachments"], "x-method": "upload",
            "requestBody": { "required": true, "content": { "multipart/form-data": {
                "schema": { "$ref": "#/components/schemas/Upload" },
                "encoding": { "file": { "contentType": "image/jpeg, application/pdf" } }
            } } },
            "responses": { "201": { "description": "ok",
                "content": { "application/json": { "schema": { "type": "object", "properties": { "id": { "type": "string" } } } } } } }
        } } }),
        json!({ "Upload": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {
                    "type": "string", "format": "binary", "maxLength": 1000,
                    "description": "The file.",
                    "x-max-bytes": { "image/jpeg": 100, "application/pdf": 1000 },
                    "x-file-extensions": { "image/jpeg": [".jpg", ".jpeg"], "application/pdf": [".pdf"] }
                },
                "caption": { "type": "string", "maxLength": 20, "description": "A caption." }
            }
        } }),
    );
    let file = gen_file(&value);
    // The form's schema is not a type: its parts are the builder's.
    assert!(find_struct(module(&file.items, "types"), "Upload").is_none());
    let operations = module(&file.items, "operations");
    assert_eq!(
        static_item(operations, "ATTACHMENTS_UPLOAD_FILE"),
        squash(
            r#"pub static ATTACHMENTS_UPLOAD_FILE: rt::FileRules = rt::FileRules {
                types: &[
                    rt::FileType { content_type: "image/jpeg", extensions: &[".jpg", ".jpeg"], max_bytes: Some(100) },
                    rt::FileType { content_type: "application/pdf", extensions: &[".pdf"], max_bytes: Some(1000) },
                ],
                max_bytes: Some(1000),
            };"#
        )
    );
    let group = group(&file.items, "attachments");
    assert_eq!(
        sig(group, "Attachments", "upload"),
        squash("pub fn upload(&self, file: rt::Upload) -> Upload")
    );
    assert_eq!(
        sig(group, "Upload", "caption"),
        squash("pub fn caption(mut self, caption: impl Into<String>) -> Self")
    );
    let send = body(group, "Upload", "send");
    for expected in [
        "let mut form = rt::Multipart::new();",
        r#"form = form.file("file", value, &operations::ATTACHMENTS_UPLOAD_FILE)?;"#,
        r#"form = form.text("caption", value);"#,
        "body: Some(rt::RequestBody::Multipart(form))",
    ] {
        assert!(send.contains(&squash(expected)), "{expected}\n{send}");
    }
    // The caption's documented length is checked before anything is sent.
    assert!(send.contains("caption"), "{send}");
    // (In document order, which `json!` may or may not keep, depending on serde_json's features.)
    let upload = static_item(operations, "ATTACHMENTS_UPLOAD");
    assert!(
        upload.contains(&squash(r#"body_fields: &["file", "caption"]"#))
            || upload.contains(&squash(r#"body_fields: &["caption", "file"]"#)),
        "{upload}"
    );
}

#[test]
fn offset_pagination_streams_pages_after_the_items_before() {
    let value = doc(
        json!({ "/v1/contacts": { "get": {
            "x-group": ["contacts"], "x-method": "list",
            "x-pagination": { "style": "offset", "offset": "offset", "limit": "limit", "items": "contacts", "total": "total", "default_limit": 50 },
            "parameters": [
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100 } },
                { "name": "offset", "in": "query", "schema": { "type": "integer", "minimum": 0 } }
            ],
            "responses": { "200": { "description": "ok",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ContactPage" } } } } }
        } } }),
        json!({ "ContactPage": {
            "type": "object", "required": ["contacts", "total"],
            "properties": {
                "contacts": { "type": "array", "items": { "type": "string" } },
                "total": { "type": "integer" },
                "offset": { "type": "integer" }
            }
        } }),
    );
    let file = gen_file(&value);
    let group = group(&file.items, "contacts");
    assert_eq!(
        sig(group, "List", "offset"),
        squash("pub fn offset(mut self, offset: u64) -> Self")
    );
    let pages = body(group, "List", "pages");
    assert!(
        pages.contains(&squash("let first = self.offset.unwrap_or(0);")),
        "{pages}"
    );
    assert!(pages.contains("rt::Pages::offsets"), "{pages}");
    let send = body(group, "List", "send");
    assert!(
        send.contains(&squash(
            r#"("limit", self.limit.unwrap_or(50).to_string())"#
        )),
        "{send}"
    );
    assert!(
        send.contains(&squash(
            r#"("offset", self.offset.unwrap_or(0).to_string())"#
        )),
        "{send}"
    );
    let types = module(&file.items, "types");
    assert!(implements(types, "rt::Page", "ContactPage"));
    let text = ts(&file);
    assert!(
        text.contains(&squash("offset.saturating_add(seen) < total")),
        "{text}"
    );

    // The payload must say where it is.
    let mut without_offset = value.clone();
    without_offset["components"]["schemas"]["ContactPage"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("offset");
    let error = try_gen(&without_offset).unwrap_err().to_string();
    assert!(
        error.contains("x-pagination/offset") && error.contains("offset"),
        "{error}"
    );
}

#[test]
fn payloads_under_a_key_are_unwrapped_unless_other_members_sit_beside_them() {
    let value = doc(
        json!({
            "/v1/webhooks": { "get": {
                "x-group": ["webhooks"], "x-method": "get",
                "responses": { "200": { "description": "ok", "x-payload-key": "webhook",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/WebhookResponse" } } } } }
            } },
            "/v1/send": { "post": {
                "x-group": ["notifications"], "x-method": "send",
                "responses": { "200": { "description": "ok", "x-payload-key": "deliveries",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SendResult" } } } } }
            } }
        }),
        json!({
            "Webhook": { "type": "object", "properties": { "url": { "type": "string" } } },
            "WebhookResponse": { "type": "object", "required": ["success", "webhook"], "properties": {
                "success": { "type": "boolean" }, "webhook": { "$ref": "#/components/schemas/Webhook" } } },
            "SendResult": { "type": "object", "properties": {
                "success": { "type": "boolean" },
                "deliveries": { "type": "array", "items": { "type": "string" } },
                "errors": { "type": "array", "items": { "type": "string" } } } }
        }),
    );
    let file = gen_file(&value);
    let operations = module(&file.items, "operations");
    assert!(
        static_item(operations, "WEBHOOKS_GET")
            .contains(&squash(r#"payload_key: Some("webhook")"#))
    );
    let webhooks = group(&file.items, "webhooks");
    assert!(
        ts(&method(webhooks, "Get", "send").sig.output)
            .contains(&squash("rt::Response<types::Webhook>"))
    );
    // `errors` beside `deliveries`: the whole result is the payload.
    assert!(static_item(operations, "NOTIFICATIONS_SEND").contains(&squash("payload_key: None")));
    let notifications = group(&file.items, "notifications");
    assert!(
        ts(&method(notifications, "SendRequest", "send").sig.output)
            .contains(&squash("rt::Response<types::SendResult>"))
    );
}

#[test]
fn enum_path_parameters_and_delete_bodies() {
    let value = doc(
        json!({
            "/v1/send/{event}/{channel}": { "post": {
                "x-group": ["notifications"], "x-method": "send_to_channel",
                "parameters": [
                    { "name": "event", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "channel", "in": "path", "required": true, "schema": { "$ref": "#/components/schemas/Channel" } }
                ],
                "responses": { "204": { "description": "sent" } }
            } },
            "/v1/contacts/{id}/push-tokens": { "delete": {
                "x-group": ["push_tokens"], "x-method": "remove",
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["token"], "properties": { "token": { "type": "string" } } } } } },
                "responses": { "204": { "description": "removed" } }
            } }
        }),
        json!({ "Channel": { "type": "string", "enum": ["email", "sms"] } }),
    );
    let file = gen_file(&value);
    let notifications = group(&file.items, "notifications");
    assert!(
        sig(notifications, "Notifications", "send_to_channel")
            .contains(&squash("channel: impl Into<types::Channel>"))
    );
    let send = body(notifications, "SendToChannel", "send");
    assert!(
        send.contains(&squash(
            "let channel = rt::encode_path_segment(self.channel.as_str());"
        )),
        "{send}"
    );
    // An unknown channel is refused before anything is sent.
    assert!(send.contains("channel"), "{send}");
    let push = group(&file.items, "push_tokens");
    assert_eq!(
        sig(push, "PushTokens", "remove"),
        squash("pub fn remove(&self, id: impl Into<String>, token: impl Into<String>) -> Remove")
    );
    assert!(body(push, "Remove", "send").contains(&squash(
        "let body = Some(rt::RequestBody::Json(rt::JsonBody::new(&self.body)?));"
    )));
}
