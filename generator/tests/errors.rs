//! Unsupported or inconsistent documents are errors that name the offending JSON pointer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use sentdm_generator::{Config, Error};
use serde_json::json;

fn error(value: &serde_json::Value) -> Error {
    match try_gen(value) {
        Ok(_) => panic!("generation unexpectedly succeeded"),
        Err(error) => error,
    }
}

fn unsupported_at(value: &serde_json::Value, pointer: &str, what: &str) {
    match error(value) {
        Error::Unsupported {
            pointer: at,
            message,
        } => {
            assert_eq!(at, pointer);
            assert!(message.contains(what), "{message}");
        }
        other => panic!("expected Unsupported at {pointer}, got {other:?}"),
    }
}

#[test]
fn unions_outside_the_supported_forms_are_rejected() {
    // `anyOf` is not supported at all.
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Pet" }),
        json!({ "Pet": { "type": "object", "properties": {
            "kind": { "anyOf": [ { "type": "string" }, { "type": "integer" } ] } } } }),
    );
    unsupported_at(&value, "#/components/schemas/Pet/properties/kind", "anyOf");
    let error = error(&value);
    assert_eq!(
        error.pointer(),
        Some("#/components/schemas/Pet/properties/kind")
    );
    assert!(
        error
            .to_string()
            .starts_with("#/components/schemas/Pet/properties/kind: unsupported")
    );
    // A discriminated `oneOf` needs its variants as components, to name them.
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Shape" }),
        json!({ "Shape": {
            "oneOf": [ { "type": "object", "properties": { "r": { "type": "number" } } } ],
            "discriminator": { "propertyName": "kind" } } }),
    );
    unsupported_at(
        &value,
        "#/components/schemas/Shape/oneOf/0",
        "inline variant of a discriminated `oneOf`",
    );
}

#[test]
fn all_of_outside_the_envelope_is_rejected() {
    let value = doc_returning(
        json!({ "allOf": [
            { "$ref": "#/components/schemas/A" },
            { "type": "object", "properties": { "b": { "type": "string" } } }
        ] }),
        json!({ "A": { "type": "object", "properties": { "a": { "type": "string" } } } }),
    );
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/get/responses/200/content/application~1json/schema",
        "allOf",
    );
}

#[test]
fn dangling_references_are_rejected() {
    let value = doc_returning(json!({ "$ref": "#/components/schemas/Missing" }), json!({}));
    match error(&value) {
        Error::DanglingRef { pointer, reference } => {
            assert_eq!(
                pointer,
                "#/paths/~1v1~1things/get/responses/200/content/application~1json/schema"
            );
            assert_eq!(reference, "#/components/schemas/Missing");
        }
        other => panic!("{other:?}"),
    }
    let value = doc(
        json!({ "/v1/things": { "get": {
            "parameters": [ { "$ref": "#/components/parameters/Nope" } ],
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    assert!(matches!(
        error(&value),
        Error::DanglingRef { pointer, .. } if pointer == "#/paths/~1v1~1things/get/parameters/0"
    ));
}

#[test]
fn name_collisions_name_both_nodes() {
    // The inline `brand` of `Profile` would be named `ProfileBrand`, which is taken.
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Profile" }),
        json!({
            "Profile": { "type": "object", "properties": {
                "brand": { "type": "object", "properties": { "name": { "type": "string" } } } } },
            "ProfileBrand": { "type": "object", "properties": { "x": { "type": "string" } } }
        }),
    );
    match error(&value) {
        Error::NameCollision {
            name,
            first,
            second,
        } => {
            assert_eq!(name, "ProfileBrand");
            assert_eq!(first, "#/components/schemas/ProfileBrand");
            assert_eq!(second, "#/components/schemas/Profile/properties/brand");
        }
        other => panic!("{other:?}"),
    }
    // Two properties that map to one field.
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/T" }),
        json!({ "T": { "type": "object", "properties": {
            "userId": { "type": "string" }, "user_id": { "type": "string" } } } }),
    );
    assert!(matches!(error(&value), Error::NameCollision { name, .. } if name == "user_id"));
    // Two operations with one group and method.
    let value = doc(
        json!({
            "/v1/a": { "get": { "x-group": ["things"], "x-method": "list", "responses": { "200": { "description": "ok" } } } },
            "/v1/b": { "get": { "x-group": ["things"], "x-method": "list", "responses": { "200": { "description": "ok" } } } }
        }),
        json!({}),
    );
    match error(&value) {
        Error::NameCollision { first, second, .. } => {
            assert_eq!(first, "#/paths/~1v1~1a/get");
            assert_eq!(second, "#/paths/~1v1~1b/get");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_unsupported_constructs() {
    let value = doc(
        json!({ "/v1/things": { "get": {
            "parameters": [ { "name": "session", "in": "cookie", "schema": { "type": "string" } } ],
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    unsupported_at(&value, "#/paths/~1v1~1things/get/parameters/0", "cookie");

    let value = doc_returning(json!({ "type": "integer", "enum": [1, 2] }), json!({}));
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/get/responses/200/content/application~1json/schema",
        "enum",
    );

    let value = doc(
        json!({ "/v1/things": { "post": {
            "requestBody": { "content": { "application/xml": { "schema": { "type": "object" } } } },
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/post/requestBody/content",
        "neither JSON nor `multipart/form-data`",
    );

    // A form part that is an object cannot be sent as text.
    let value = doc(
        json!({ "/v1/things": { "post": {
            "requestBody": { "content": { "multipart/form-data": { "schema": {
                "type": "object",
                "properties": { "meta": { "type": "object", "properties": { "a": { "type": "string" } } } }
            } } } },
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/post/requestBody/content/multipart~1form-data/schema/properties/meta",
        "form parts",
    );

    // Pagination styles other than page numbers and offsets.
    let value = doc(
        json!({ "/v1/things": { "get": {
            "x-pagination": { "style": "cursor", "items": "things" },
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/get/x-pagination/style",
        "cursor",
    );

    let value = doc(
        json!({ "/v1/things": { "get": {
            "parameters": [ { "name": "filter", "in": "query", "schema": { "type": "object", "properties": { "a": { "type": "string" } } } } ],
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/get/parameters/0/schema",
        "parameters",
    );
}

#[test]
fn inconsistent_documents_are_invalid() {
    // A template parameter without a declaration.
    let value = doc(
        json!({ "/v1/things/{id}": { "get": { "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    assert!(matches!(
        error(&value),
        Error::Invalid { pointer, message } if pointer == "#/paths/~1v1~1things~1{id}/get" && message.contains("{id}")
    ));
    // No success response.
    let value = doc(
        json!({ "/v1/things": { "get": { "responses": { "404": { "description": "no" } } } } }),
        json!({}),
    );
    assert!(matches!(
        error(&value),
        Error::Invalid { pointer, .. } if pointer == "#/paths/~1v1~1things/get/responses"
    ));
    // A response that is not wrapped in the envelope.
    let mut value = doc_returning(
        json!({ "type": "string" }),
        json!({ "Env": { "type": "object", "properties": { "data": {} } } }),
    );
    value["x-envelope"] = json!({ "schema": "Env", "data": "data", "error": "error", "meta": "meta", "success": "success" });
    unsupported_at(
        &value,
        "#/paths/~1v1~1things/get/responses/200/content/application~1json/schema",
        "x-envelope",
    );
    // Pagination naming a parameter that does not exist.
    let value = doc(
        json!({ "/v1/things": { "get": {
            "x-pagination": { "page": "p", "page_size": "n", "items": "items", "has_more": "more" },
            "responses": { "200": { "description": "ok" } } } } }),
        json!({}),
    );
    assert!(matches!(
        error(&value),
        Error::Invalid { pointer, .. } if pointer == "#/paths/~1v1~1things/get/x-pagination/page"
    ));
}

#[test]
fn configuration_errors() {
    let value = doc(json!({}), json!({}));
    assert!(matches!(
        try_gen_with(&value, &Config::new("runtime")),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        try_gen_with(
            &value,
            &Config::new("crate::runtime").replace("Nope", "crate::X")
        ),
        Err(Error::Config(_))
    ));
    assert!(try_gen_with(&value, &Config::new("::sentdm_client::runtime")).is_ok());
}
