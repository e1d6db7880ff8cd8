//! Constraints of the document turned into checks that run before a request is sent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

fn validate_body(file: &syn::File, ty: &str) -> String {
    body(module(&file.items, "types"), ty, "validate")
}

#[test]
fn every_constraint_kind_is_checked() {
    let value = doc_taking(
        json!({ "$ref": "#/components/schemas/Req" }),
        json!({
            "Req": { "type": "object", "required": ["to", "code", "count", "template"], "properties": {
                "to": { "type": "array", "minItems": 1, "maxItems": 10,
                    "items": { "type": "string", "pattern": "^\\+[0-9]+$" } },
                "code": { "type": "string", "minLength": 2, "maxLength": 8 },
                "count": { "type": "integer", "format": "int32", "minimum": 1, "maximum": 100 },
                "big": { "type": "integer", "minimum": -5, "exclusiveMinimum": true },
                "ratio": { "type": "number", "minimum": 0.5, "maximum": 2 },
                "channel": { "type": "string", "enum": ["sms", "whatsapp"] },
                "template": { "$ref": "#/components/schemas/Template" },
                "labels": { "type": "object", "maxProperties": 3, "additionalProperties": { "type": "string", "maxLength": 4 } },
                "free": { "type": "string" }
            } },
            "Template": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "minLength": 1 }
            } }
        }),
    );
    let file = gen_file(&value);
    let checks = validate_body(&file, "Req");
    let expect = [
        r#"let field = at.field("to");"#,
        "rt::validate::items(field, value.len(), Some(1), Some(10))?;",
        "for (index, item) in value.iter().enumerate() {",
        "let field = field.index(index);",
        r#"static PATTERN: rt::validate::Pattern = rt::validate::Pattern::new("^\\+[0-9]+$");"#,
        "rt::validate::pattern(field, item, &PATTERN)?;",
        "rt::validate::length(field, value, Some(2), Some(8))?;",
        // A non-negative minimum makes the integer unsigned.
        "rt::validate::range_u64(field, u64::from(*value), Some(1), Some(100))?;",
        // `exclusiveMinimum: -5` on an integer is `>= -4`.
        "rt::validate::range_i64(field, *value, Some(-4), None)?;",
        "rt::validate::range_f64(field, *value, Some(0.5), Some(2.0))?;",
        "rt::validate::known(field, value.is_known(), ReqChannel::VALUES)?;",
        r#"let field = at.field("template");"#,
        "rt::validate::Validate::validate(value, field)?;",
        "rt::validate::items(field, value.len(), None, Some(3))?;",
        "let field = field.field(key);",
        "rt::validate::length(field, item, None, Some(4))?;",
    ];
    for statement in expect {
        assert!(
            checks.contains(&squash(statement)),
            "missing `{statement}` in\n{checks}"
        );
    }
    assert!(!checks.contains(&squash(r#"at.field("free")"#)));
    assert_eq!(
        validate_body(&file, "Template"),
        squash(
            r#"{ { let value = &self.id; let field = at.field("id");
               rt::validate::length(field, value, Some(1), None)?; } Ok(()) }"#
        )
    );
}

#[test]
fn structs_without_constraints_still_implement_validate() {
    let value = doc_taking(
        json!({ "$ref": "#/components/schemas/Req" }),
        json!({ "Req": { "type": "object", "properties": { "name": { "type": "string" } } } }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    assert!(implements(types, "rt::validate::Validate", "Req"));
    assert_eq!(validate_body(&file, "Req"), squash("{ Ok(()) }"));
    // Nothing calls it.
    assert!(!body(group(&file.items, "things"), "Create", "send").contains("Validate"));
}

#[test]
fn builders_validate_parameters_and_body_before_sending() {
    let value = doc(
        json!({ "/v3/contacts/{phoneNumber}": { "post": {
            "x-group": ["contacts"], "x-method": "update",
            "parameters": [
                { "name": "phoneNumber", "in": "path", "required": true, "schema": { "type": "string", "pattern": "^\\+[0-9]+$" } },
                { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]+$", "minLength": 1, "maxLength": 255 } },
                { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1 } },
                { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["on", "off"] } }
            ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": {
                "type": "object", "required": ["name"], "properties": { "name": { "type": "string", "minLength": 1 } } } } } },
            "responses": { "204": { "description": "done" } }
        } } }),
        json!({}),
    );
    let file = gen_file(&value);
    let send = body(group(&file.items, "contacts"), "Update", "send");
    let checks = [
        r#"rt::validate::pattern("phoneNumber", value, &PATTERN)?;"#,
        r#"rt::validate::pattern("Idempotency-Key", value, &PATTERN)?;"#,
        r#"rt::validate::length("Idempotency-Key", value, Some(1), Some(255))?;"#,
        r#"rt::validate::range_u64("limit", *value, Some(1), None)?;"#,
        r#"rt::validate::known("status", value.is_known(), types::ContactsUpdateStatus::VALUES)?;"#,
        r#"rt::validate::Validate::validate(&self.body, rt::validate::Path::Root)?;"#,
    ];
    let execute = send
        .find(&squash("self.client.runtime().execute(request).await"))
        .expect("execute");
    for check in checks {
        let at = send
            .find(&squash(check))
            .unwrap_or_else(|| panic!("missing `{check}` in\n{send}"));
        assert!(at < execute, "`{check}` runs after the request is sent");
    }
}
