//! Operations: the API description, builders, bodies, responses and pagination.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

fn api_const(file: &syn::File) -> String {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Const(c) if c.ident == "API" => Some(ts(c)),
            _ => None,
        })
        .expect("API const")
}

fn with_security(mut value: serde_json::Value, scheme: serde_json::Value) -> serde_json::Value {
    value["components"]["securitySchemes"] = json!({ "auth": scheme });
    value["security"] = json!([{ "auth": [] }]);
    value
}

#[test]
fn api_description_covers_auth_servers_and_envelope() {
    let base = doc(json!({}), json!({}));
    let cases = [
        (
            json!({ "type": "apiKey", "in": "header", "name": "x-api-key" }),
            r#"auth: &[crate::runtime::Auth::ApiKeyHeader { name: "x-api-key" }]"#,
        ),
        (
            json!({ "type": "apiKey", "in": "query", "name": "key" }),
            r#"auth: &[crate::runtime::Auth::ApiKeyQuery { name: "key" }]"#,
        ),
        (
            json!({ "type": "http", "scheme": "bearer" }),
            "auth: &[crate::runtime::Auth::Bearer]",
        ),
        (
            json!({ "type": "http", "scheme": "basic" }),
            "auth: &[crate::runtime::Auth::Basic]",
        ),
    ];
    for (scheme, expected) in cases {
        let api = api_const(&gen_file(&with_security(base.clone(), scheme)));
        assert!(api.contains(&squash(expected)), "{api}");
    }
    let api = api_const(&gen_file(&base));
    assert!(api.contains(&squash("auth: &[]")), "{api}");
    assert!(
        api.contains(&squash(
            r#"servers: &[crate::runtime::Server { url: "https://api.example.com", description: "", key_prefix: None }]"#
        )),
        "{api}"
    );
    assert!(api.contains(&squash("envelope: None")));
    assert!(api.contains(&squash(
        "error_body: crate::runtime::ErrorBody { code: None, message: None }"
    )));
    assert!(api.contains(&squash("idempotency_header: None")));
    assert!(api.contains(&squash(r#"title: "Test API", version: "1.0.0""#)));

    let mut enveloped = base.clone();
    enveloped["x-envelope"] = json!({ "schema": "Env", "data": "data", "error": "error", "meta": "meta", "success": "ok" });
    enveloped["components"]["schemas"] =
        json!({ "Env": { "type": "object", "properties": { "data": {} } } });
    let api = api_const(&gen_file(&enveloped));
    assert!(
        api.contains(&squash(
            r#"envelope: Some(crate::runtime::Envelope { data: "data", error: Some("error"), meta: Some("meta"), success: Some("ok") })"#
        )),
        "{api}"
    );
}

#[test]
fn several_credentials_servers_by_key_prefix_error_bodies_and_transient_codes() {
    let mut value = doc(
        json!({ "/v1/send/{event}": { "post": {
            "x-group": ["notifications"], "x-method": "send",
            "parameters": [
                { "name": "event", "in": "path", "required": true, "schema": { "type": "string" } },
                { "name": "X-Idempotency-Key", "in": "header", "x-idempotency-key": true, "schema": { "type": "string" } }
            ],
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    value["servers"] = json!([
        { "url": "https://api.example.com", "description": "production", "x-key-prefix": "live_" },
        { "url": "https://sandbox.example.com", "description": "sandbox", "x-key-prefix": "test_" }
    ]);
    value["components"]["securitySchemes"] = json!({
        "Bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "tok_…" },
        "Tenant": { "type": "apiKey", "in": "header", "name": "X-Tenant-ID" }
    });
    // (`json!` orders members by name: `Bearer` comes first, as in the document.)
    value["security"] = json!([{ "Bearer": [], "Tenant": [] }]);
    value["x-error-body"] = json!({ "schema": "Error", "message": "detail", "code": "kind" });
    value["x-error-codes"] = json!([
        { "code": "BUSY", "status": 409, "message": "Still processing", "retryable": true },
        { "code": "TAKEN", "status": 409, "message": "Exists" }
    ]);
    value["info"]["x-env"] = json!([
        { "name": "EX_TOKEN", "sets": "security_scheme", "scheme": "Bearer" },
        { "name": "EX_TENANT", "sets": "security_scheme", "scheme": "Tenant" },
        { "name": "EX_URL", "sets": "server_url" }
    ]);
    let config = sentdm_generator::Config::new("crate::runtime")
        .credential_setter("Bearer", "api_token")
        .idempotency_key_prefix("ex-");
    let file = parse(&try_gen_with(&value, &config).unwrap_or_else(|e| panic!("{e}")));
    let api = api_const(&file);
    for expected in [
        r#"servers: &[crate::runtime::Server { url: "https://api.example.com", description: "production", key_prefix: Some("live_") }, crate::runtime::Server { url: "https://sandbox.example.com", description: "sandbox", key_prefix: Some("test_") }]"#,
        r#"auth: &[crate::runtime::Auth::Bearer, crate::runtime::Auth::ApiKeyHeader { name: "X-Tenant-ID" }]"#,
        r#"error_body: crate::runtime::ErrorBody { code: Some("kind"), message: Some("detail") }"#,
        r#"transient_error_codes: &["BUSY"]"#,
        r#"idempotency_header: Some("X-Idempotency-Key")"#,
        r#"idempotency_key_prefix: "ex-""#,
    ] {
        assert!(api.contains(&squash(expected)), "{expected}\n{api}");
    }
    let text = ts(&file);
    // The operation carries its key in the documented header.
    assert!(
        text.contains(&squash(
            r#"idempotency: rt::Idempotency::Header("X-Idempotency-Key")"#
        )),
        "{text}"
    );
    // A setter per credential, the first through `credential`, the others by name.
    assert!(text.contains(&squash(
        "pub fn api_token(mut self, api_token: impl Into<crate::runtime::Secret>) -> Self { self.runtime = self.runtime.credential(api_token); self }"
    )));
    assert!(text.contains(&squash(
        r#"pub fn tenant(mut self, tenant: impl Into<crate::runtime::Secret>) -> Self { self.runtime = self.runtime.credential_for("X-Tenant-ID", tenant); self }"#
    )));
    // `from_env` reads the documented variables; no `Client::new` with two credentials.
    for expected in [
        r#"pub const API_TOKEN_ENV: &str = "EX_TOKEN";"#,
        r#"pub const TENANT_ENV: &str = "EX_TENANT";"#,
        r#"pub const BASE_URL_ENV: &str = "EX_URL";"#,
        "pub fn from_env() -> Result<ClientBuilder, crate::runtime::Error>",
    ] {
        assert!(text.contains(&squash(expected)), "{expected}");
    }
    assert!(!text.contains(&squash("pub fn new(api_token")));
}

fn envelope_doc(data: serde_json::Value) -> serde_json::Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "x-envelope": { "schema": "ApiResponse", "data": "data", "error": "error", "meta": "meta", "success": "success" },
        "paths": { "/v3/contacts": { "get": {
            "operationId": "ListContacts",
            "x-group": ["contacts"], "x-method": "list",
            "responses": {
                "200": { "description": "ok", "content": { "application/json": {
                    "schema": { "allOf": [ { "$ref": "#/components/schemas/ApiResponse" },
                        { "type": "object", "properties": { "data": data } } ] },
                    "example": { "success": true } } } },
                "400": { "description": "bad", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ApiResponse" } } } }
            }
        } } },
        "components": { "schemas": {
            "ApiResponse": { "type": "object", "properties": { "success": { "type": "boolean" }, "data": {} } },
            "Contact": { "type": "object", "properties": { "id": { "type": "string" } } }
        } }
    })
}

fn payload(file: &syn::File, group: &str, builder: &str) -> String {
    let send = method(common::group(&file.items, group), builder, "send");
    ts(&send.sig.output)
}

#[test]
fn envelope_data_is_the_payload() {
    let cases = [
        (
            json!({ "$ref": "#/components/schemas/Contact" }),
            "types::Contact",
        ),
        (
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/Contact" } }),
            "Vec<types::Contact>",
        ),
        (json!({}), "serde_json::Value"),
    ];
    for (data, expected) in cases {
        let file = gen_file(&envelope_doc(data));
        assert_eq!(
            payload(&file, "contacts", "List"),
            squash(&format!("-> Result<rt::Response<{expected}>, rt::Error>"))
        );
        let decode = ts(&item_fn(module(&file.items, "operations"), "decode_response").block);
        // `operations` imports `types` as the group modules do.
        let from_operations = expected;
        assert!(
            decode.contains(&squash(&format!(
                r#""ListContacts" => {{ decode::<{from_operations}>(&CONTACTS_LIST, status, headers, body) }}"#
            ))),
            "{decode}"
        );
    }
}

#[test]
fn plain_responses_and_empty_responses() {
    let value = doc(
        json!({
            "/v1/things/{id}": {
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } } ],
                "get": { "operationId": "getThing", "responses": {
                    "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                    "404": { "description": "missing", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                } },
                "delete": { "operationId": "deleteThing", "responses": { "204": { "description": "gone" } } },
                "put": { "operationId": "putThing", "responses": {
                    "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
                    "201": { "description": "created", "content": { "application/json": { "schema": { "type": "array", "items": { "type": "string" } } } } }
                } }
            }
        }),
        json!({
            "Thing": { "type": "object", "properties": { "name": { "type": "string" } } },
            "Problem": { "type": "object", "properties": { "message": { "type": "string" } } }
        }),
    );
    let file = gen_file(&value);
    assert_eq!(
        payload(&file, "things", "Get"),
        squash("-> Result<rt::Response<types::Thing>, rt::Error>")
    );
    assert_eq!(
        payload(&file, "things", "Delete"),
        squash("-> Result<rt::Response<()>, rt::Error>")
    );
    assert_eq!(
        payload(&file, "things", "Update"),
        squash("-> Result<rt::Response<serde_json::Value>, rt::Error>")
    );
    let update = method(group(&file.items, "things"), "Things", "update");
    assert!(
        docs(&update.attrs).contains("different bodies"),
        "{}",
        docs(&update.attrs)
    );
    let operations = module(&file.items, "operations");
    let delete = static_item(operations, "THINGS_DELETE");
    assert!(
        delete.contains(&squash(
            "success: &[204], response: rt::ResponseKind::Empty"
        )),
        "{delete}"
    );
    let put = static_item(operations, "THINGS_UPDATE");
    assert!(
        put.contains(&squash(
            "success: &[200, 201], response: rt::ResponseKind::Json"
        )),
        "{put}"
    );
    let all = static_item(operations, "ALL");
    assert_eq!(
        all,
        squash(
            "pub static ALL: &[&rt::Operation] = &[&THINGS_GET, &THINGS_UPDATE, &THINGS_DELETE];"
        )
    );
    let decode = item_fn(operations, "decode_response");
    assert_eq!(
        ts(&decode.sig),
        squash(
            "fn decode_response(operation_id: &str, status: u16, headers: &rt::HeaderMap, \
             body: bytes::Bytes) -> Option<Result<rt::Response<Payload>, rt::Error>>"
        )
    );
    assert!(ts(&decode.block).contains(&squash("_ => return None")));
    // An integer path parameter is a plain integer argument, encoded into the path.
    let things = group(&file.items, "things");
    assert_eq!(
        sig(things, "Things", "get"),
        squash("pub fn get(&self, id: i64) -> Get")
    );
    let send = body(things, "Get", "send");
    assert!(send.contains(&squash(
        "let id = rt::encode_path_segment(&self.id.to_string());"
    )));
    assert!(
        send.contains(&squash(r#"let path = format!("/v1/things/{id}");"#)),
        "{send}"
    );
}

#[test]
fn arguments_are_path_parameters_then_required_body_fields() {
    let file = gen_text(
        r#"{
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": { "/v1/orgs/{orgId}/teams/{teamId}/members": { "post": {
                "x-group": ["members"], "x-method": "add",
                "parameters": [
                    { "name": "teamId", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "orgId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                    { "name": "notify", "in": "query", "required": true, "schema": { "type": "boolean" } },
                    { "name": "dry_run", "in": "query", "schema": { "type": "boolean" } }
                ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["role", "emails"], "properties": {
                        "role": { "type": "string", "enum": ["admin", "member"] },
                        "note": { "type": "string" },
                        "emails": { "type": "array", "items": { "type": "string" } }
                    } } } } },
                "responses": { "204": { "description": "added" } }
            } } }
        }"#,
    );
    let members = group(&file.items, "members");
    assert_eq!(
        sig(members, "Members", "add"),
        squash(
            "pub fn add(&self, org_id: uuid::Uuid, team_id: impl Into<String>, notify: bool, \
             role: impl Into<types::MembersAddRequestRole>, \
             emails: impl IntoIterator<Item = impl Into<String>>) -> Add"
        )
    );
    assert_eq!(
        body(members, "Members", "add"),
        squash(
            "{ Add { client: self.client.clone(), org_id, team_id: team_id.into(), notify, \
             dry_run: None, body: types::MembersAddRequest::new(role, emails), \
             options: rt::RequestOptions::default(), } }"
        )
    );
    assert_eq!(
        sig(members, "Add", "note"),
        squash("pub fn note(mut self, note: impl Into<String>) -> Self")
    );
    assert_eq!(
        sig(members, "Add", "dry_run"),
        squash("pub fn dry_run(mut self, dry_run: bool) -> Self")
    );
    assert_eq!(
        sig(members, "Add", "options"),
        squash("pub fn options(mut self, options: rt::RequestOptions) -> Self")
    );
    let send = body(members, "Add", "send");
    assert!(
        send.contains(&squash(
            r#"let mut query = Vec::from([("notify", self.notify.to_string())]);"#
        )),
        "{send}"
    );
    assert!(send.contains(&squash(
        r#"if let Some(value) = self.dry_run { query.push(("dry_run", value.to_string())); }"#
    )));
    let operations = module(&file.items, "operations");
    assert!(
        static_item(operations, "MEMBERS_ADD")
            .contains(&squash(r#"body_fields: &["role", "note", "emails"]"#))
    );
}

#[test]
fn request_bodies_with_only_optional_fields() {
    let value = doc(
        json!({ "/v3/contacts/{id}": {
            "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
            "delete": {
                "requestBody": { "required": false, "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "sandbox": { "type": "boolean" } } } } } },
                "responses": { "204": { "description": "gone" } }
            },
            "post": {
                "x-method": "rotate",
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "sandbox": { "type": "boolean" } } } } } },
                "responses": { "204": { "description": "done" } }
            }
        } }),
        json!({}),
    );
    let file = gen_file(&value);
    let contacts = group(&file.items, "contacts");
    // Optional body: sent only when a field was set.
    assert_eq!(
        ts(&field(item_struct(contacts, "Delete"), "body").ty),
        squash("Option<types::ContactsDeleteRequest>")
    );
    assert_eq!(
        body(contacts, "Delete", "sandbox"),
        squash("{ self.body = Some(self.body.unwrap_or_default().sandbox(sandbox)); self }")
    );
    assert!(body(contacts, "Delete", "send").contains(&squash(
        "let body = self.body.as_ref().map(|body| rt::JsonBody::new(body).map(rt::RequestBody::Json)).transpose()?;"
    )));
    // Required body: always sent, `{}` at least.
    assert_eq!(
        ts(&field(item_struct(contacts, "Rotate"), "body").ty),
        squash("types::ContactsRotateRequest")
    );
    assert!(
        body(contacts, "Contacts", "rotate")
            .contains(&squash("body: types::ContactsRotateRequest::new(),"))
    );
    assert!(body(contacts, "Rotate", "send").contains(&squash(
        "let body = Some(rt::RequestBody::Json(rt::JsonBody::new(&self.body)?));"
    )));
}

#[test]
fn pagination_sets_defaults_and_implements_page() {
    let value = json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { "/v3/contacts": { "get": {
            "x-group": ["contacts"], "x-method": "list",
            "x-pagination": { "page": "page", "page_size": "page_size", "items": "contacts",
                "has_more": "pagination.has_more", "default_page_size": 20 },
            "parameters": [
                { "name": "page", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } },
                { "name": "page_size", "in": "query", "required": true, "schema": { "type": "integer", "maximum": 100 } }
            ],
            "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/ContactList" } } } } }
        } } },
        "components": { "schemas": {
            "ContactList": { "type": "object", "properties": {
                "contacts": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } },
                "pagination": { "type": "object", "properties": { "has_more": { "type": "boolean" } } }
            } },
            "Contact": { "type": "object", "properties": { "id": { "type": "string" } } }
        } }
    });
    let file = gen_file(&value);
    let contacts = group(&file.items, "contacts");
    assert_eq!(
        sig(contacts, "Contacts", "list"),
        squash("pub fn list(&self) -> List")
    );
    assert_eq!(
        sig(contacts, "List", "page"),
        // Page numbers and sizes are unsigned whatever the document's bounds.
        squash("pub fn page(mut self, page: u64) -> Self")
    );
    assert_eq!(
        sig(contacts, "List", "page_size"),
        squash("pub fn page_size(mut self, page_size: u64) -> Self")
    );
    let send = body(contacts, "List", "send");
    assert!(
        send.contains(&squash(
            r#"let query = Vec::from([("page", self.page.unwrap_or(1).to_string()),
               ("page_size", self.page_size.unwrap_or(20).to_string())]);"#
        )),
        "{send}"
    );
    let types = module(&file.items, "types");
    assert!(implements(types, "rt::Page", "ContactList"));
    assert_eq!(
        sig(types, "ContactList", "items"),
        squash("fn items(&self) -> &[Contact]")
    );
    assert_eq!(
        body(types, "ContactList", "items"),
        squash("{ &self.contacts }")
    );
    assert_eq!(
        body(types, "ContactList", "into_items"),
        squash("{ self.contacts }")
    );
    assert_eq!(
        body(types, "ContactList", "has_more"),
        squash(
            "{ self.pagination.as_ref().and_then(|pagination| pagination.has_more).unwrap_or(false) }"
        )
    );
}

/// A paginated `GET /v3/contacts` whose page parameter is `page_arg` and whose payload schema
/// is `payload` (a reference to `ContactList`, possibly wrapped).
fn paginated(
    page_arg: &str,
    extra_param: Option<&str>,
    payload: serde_json::Value,
) -> serde_json::Value {
    let mut parameters = vec![
        json!({ "name": page_arg, "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } }),
        json!({ "name": "page_size", "in": "query", "schema": { "type": "integer" } }),
    ];
    if let Some(name) = extra_param {
        parameters.push(json!({ "name": name, "in": "query", "schema": { "type": "string" } }));
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "paths": { "/v3/contacts": { "get": {
            "x-group": ["contacts"], "x-method": "list",
            "x-pagination": { "page": page_arg, "page_size": "page_size", "items": "contacts",
                "has_more": "pagination.has_more" },
            "parameters": parameters,
            "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": payload } } } }
        } } },
        "components": { "schemas": {
            "ContactList": { "type": "object", "properties": {
                "contacts": { "type": "array", "items": { "$ref": "#/components/schemas/Contact" } },
                "pagination": { "type": "object", "properties": { "has_more": { "type": "boolean" } } }
            } },
            "Contact": { "type": "object", "properties": { "id": { "type": "string" } } }
        } }
    })
}

#[test]
fn paginated_builders_stream_pages_and_items() {
    let file = gen_file(&paginated(
        "page",
        None,
        json!({ "$ref": "#/components/schemas/ContactList" }),
    ));
    let contacts = group(&file.items, "contacts");
    assert_eq!(
        sig(contacts, "List", "pages"),
        squash("pub fn pages(self) -> rt::Pages<types::ContactList>")
    );
    assert_eq!(
        body(contacts, "List", "pages"),
        squash(
            "{ let first = self.page.unwrap_or(1);
               rt::Pages::new(first, move |page| {
                   let mut request = self.clone();
                   request.page = Some(page);
                   Box::pin(request.send())
               }) }"
        )
    );
    assert_eq!(
        sig(contacts, "List", "items"),
        squash("pub fn items(self) -> rt::Items<types::ContactList>")
    );
    assert_eq!(
        body(contacts, "List", "items"),
        squash("{ self.pages().items() }")
    );
    let docs = docs(&method(contacts, "List", "pages").attrs);
    // How page streams behave is documented once, on `rt::Pages`.
    assert!(docs.contains("[`rt::Pages`]"), "{docs}");
}

#[test]
fn page_streams_use_the_page_parameter_whatever_its_name() {
    let file = gen_file(&paginated(
        "pageNumber",
        None,
        json!({ "$ref": "#/components/schemas/ContactList" }),
    ));
    let contacts = group(&file.items, "contacts");
    let pages = body(contacts, "List", "pages");
    assert!(pages.contains("self.page_number.unwrap_or(1)"), "{pages}");
    assert!(pages.contains("request.page_number=Some(page);"), "{pages}");
}

#[test]
fn page_streams_only_for_paginated_non_nullable_payloads() {
    // Not paginated: no stream methods.
    let plain = gen_file(&doc_returning(
        json!({ "type": "object", "properties": { "id": { "type": "string" } } }),
        json!({}),
    ));
    let things = group(&plain.items, "things");
    assert!(find_method(things, "List", "pages").is_none());
    assert!(find_method(things, "List", "items").is_none());

    // A nullable payload cannot implement `Page` as `Option<_>`: no stream methods either.
    let nullable = gen_file(&paginated(
        "page",
        None,
        json!({ "allOf": [{ "$ref": "#/components/schemas/ContactList" }], "nullable": true }),
    ));
    let contacts = group(&nullable.items, "contacts");
    let send = sig(contacts, "List", "send");
    assert!(send.contains("Option<types::ContactList>"), "{send}");
    assert!(find_method(contacts, "List", "pages").is_none());
}

#[test]
fn a_parameter_named_like_a_stream_method_collides() {
    let error = try_gen(&paginated(
        "page",
        Some("items"),
        json!({ "$ref": "#/components/schemas/ContactList" }),
    ))
    .unwrap_err();
    assert!(error.to_string().contains("`items`"), "{error}");
}

#[test]
fn builders_are_documented_with_method_and_path() {
    let value = doc(
        json!({ "/v1/things": { "get": {
            "summary": "List things",
            "description": "Returns [things] from <https://x.example> and https://y.example/docs.",
            "parameters": [ { "name": "q", "in": "query", "description": "Search <text>.", "schema": { "type": "string" } } ],
            "responses": { "200": { "description": "ok" } }
        } } }),
        json!({}),
    );
    let file = gen_file(&value);
    let things = group(&file.items, "things");
    let list_docs = docs(&method(things, "Things", "list").attrs);
    assert!(list_docs.starts_with(" List things."), "{list_docs}");
    assert!(
        list_docs
            .contains(r"Returns \[things\] from <https://x.example> and <https://y.example/docs>.")
    );
    assert!(list_docs.contains("Sends `GET /v1/things`."));
    let builder_docs = docs(&item_struct(things, "List").attrs);
    assert!(
        builder_docs.contains("`client.things().list()`: `GET /v1/things`"),
        "{builder_docs}"
    );
    assert!(docs(&method(things, "List", "q").attrs).contains(r"Search \<text\>."));
    assert!(has_attr(
        &item_struct(things, "List").attrs,
        r#"#[must_use = "a request builder does nothing until it is awaited or sent"]"#
    ));
}
