//! How names in the document become Rust names: groups, methods, fields, types, variants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;

fn pets_doc() -> serde_json::Value {
    let pet = json!({ "$ref": "#/components/schemas/Pet" });
    let ok = |schema: serde_json::Value| json!({ "200": { "description": "ok", "content": { "application/json": { "schema": schema } } } });
    doc(
        json!({
            "/v1/pets": {
                "get": { "operationId": "listPets", "responses": ok(json!({ "type": "array", "items": pet })) },
                "post": { "operationId": "createPet",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": pet } } },
                    "responses": ok(pet.clone()) }
            },
            "/v1/pets/{petId}": {
                "parameters": [ { "name": "petId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                "get": { "operationId": "getPet", "responses": ok(pet.clone()) },
                "put": { "operationId": "replacePet", "responses": ok(pet.clone()) },
                "delete": { "operationId": "deletePet", "responses": { "204": { "description": "gone" } } }
            },
            "/v1/pets/{petId}/adopt": {
                "post": { "operationId": "adoptPet",
                    "parameters": [ { "name": "petId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                    "responses": ok(pet.clone()) }
            }
        }),
        json!({
            "Pet": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string" },
                "isMain": { "type": "boolean" },
                "useCases": { "type": "array", "items": { "type": "string" } },
                "type": { "type": "string" },
                "self": { "type": "string" },
                "page_size": { "type": "integer" }
            } }
        }),
    )
}

#[test]
fn groups_and_methods_are_derived_from_paths() {
    let file = gen_file(&pets_doc());
    assert_eq!(
        sig(&file.items, "Client", "pets"),
        squash("pub fn pets(&self) -> resources::pets::Pets<'_>")
    );
    let pets = group(&file.items, "pets");
    item_struct(pets, "Pets");
    assert_eq!(
        sig(pets, "Pets", "list"),
        squash("pub fn list(&self) -> List")
    );
    assert_eq!(
        sig(pets, "Pets", "create"),
        squash("pub fn create(&self, name: impl Into<String>) -> Create")
    );
    assert_eq!(
        sig(pets, "Pets", "get"),
        squash("pub fn get(&self, pet_id: uuid::Uuid) -> Get")
    );
    assert_eq!(
        sig(pets, "Pets", "update"),
        squash("pub fn update(&self, pet_id: uuid::Uuid) -> Update")
    );
    assert_eq!(
        sig(pets, "Pets", "delete"),
        squash("pub fn delete(&self, pet_id: uuid::Uuid) -> Delete")
    );
    assert_eq!(
        sig(pets, "Pets", "adopt"),
        squash("pub fn adopt(&self, pet_id: uuid::Uuid) -> Adopt")
    );
    for builder in ["List", "Create", "Get", "Update", "Delete", "Adopt"] {
        item_struct(pets, builder);
        assert!(
            implements(pets, "std::future::IntoFuture", builder),
            "{builder}"
        );
    }
    let operations = module(&file.items, "operations");
    assert!(static_item(operations, "PETS_ADOPT").contains(&squash(r#"name: "pets.adopt""#)));
    assert!(static_item(operations, "PETS_LIST").contains(&squash(r#"id: "listPets""#)));
}

#[test]
fn x_group_and_x_method_name_nested_groups() {
    let value = doc(
        json!({
            "/v3/profiles/{profileId}/campaigns": { "post": {
                "operationId": "CreateCampaign",
                "x-group": ["profiles", "campaigns"],
                "x-method": "create",
                "parameters": [ { "name": "profileId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } } } } },
                "responses": { "201": { "description": "created" } }
            } },
            "/v3/webhooks/{id}/rotate-secret": { "post": {
                "operationId": "Rotate",
                "x-group": ["webhooks"],
                "x-method": "rotate_secret",
                "parameters": [ { "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } } ],
                "responses": { "200": { "description": "ok" } }
            } }
        }),
        json!({}),
    );
    let file = gen_file(&value);
    assert_eq!(
        sig(&file.items, "Client", "profiles"),
        squash("pub fn profiles(&self) -> resources::profiles::Profiles<'_>")
    );
    let profiles = group(&file.items, "profiles");
    assert_eq!(
        sig(profiles, "Profiles", "campaigns"),
        squash("pub fn campaigns(&self) -> campaigns::Campaigns<'a>")
    );
    let campaigns = group(&file.items, "profiles::campaigns");
    assert_eq!(
        sig(campaigns, "Campaigns", "create"),
        squash("pub fn create(&self, profile_id: uuid::Uuid, name: impl Into<String>) -> Create")
    );
    // The inline body is named after the operation.
    item_struct(
        module(&file.items, "types"),
        "ProfilesCampaignsCreateRequest",
    );
    let webhooks = group(&file.items, "webhooks");
    assert_eq!(
        sig(webhooks, "Webhooks", "rotate_secret"),
        squash("pub fn rotate_secret(&self, id: uuid::Uuid) -> RotateSecret")
    );
    let operations = module(&file.items, "operations");
    let create = static_item(operations, "PROFILES_CAMPAIGNS_CREATE");
    assert!(
        create.contains(&squash(r#"name: "profiles.campaigns.create""#)),
        "{create}"
    );
    assert!(create.contains(&squash(r#"path: "/v3/profiles/{profileId}/campaigns""#)));
    static_item(operations, "WEBHOOKS_ROTATE_SECRET");
}

#[test]
fn fields_are_snake_case_with_renames_and_raw_keywords() {
    let file = gen_text(
        r#"{
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "paths": {},
            "components": { "schemas": {
                "Pet": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string" },
                    "isMain": { "type": "boolean" },
                    "useCases": { "type": "array", "items": { "type": "string" } },
                    "type": { "type": "string" },
                    "self": { "type": "string" },
                    "page_size": { "type": "integer" }
                } }
            } }
        }"#,
    );
    let pet = item_struct(module(&file.items, "types"), "Pet");
    assert_eq!(
        field_names(pet),
        ["name", "is_main", "use_cases", "kind", "self_", "page_size"]
    );
    let is_main = field(pet, "is_main");
    assert!(attrs(&is_main.attrs)[0].contains(r#"rename="isMain""#));
    assert!(attrs(&field(pet, "use_cases").attrs)[0].contains(r#"rename="useCases""#));
    // No raw identifiers in public names: `type` is `kind`, renamed on the wire.
    assert!(attrs(&field(pet, "kind").attrs)[0].contains(r#"rename="type""#));
    assert!(attrs(&field(pet, "self_").attrs)[0].contains(r#"rename="self""#));
    assert!(!attrs(&field(pet, "page_size").attrs)[0].contains("rename"));
}

#[test]
fn header_parameter_methods_drop_the_x_prefix() {
    let value = doc(
        json!({ "/v3/messages": { "post": {
            "x-group": ["messages"], "x-method": "send",
            "parameters": [
                { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string" } },
                { "name": "x-profile-id", "in": "header", "schema": { "type": "string", "format": "uuid" } }
            ],
            "responses": { "202": { "description": "accepted" } }
        } } }),
        json!({}),
    );
    let file = gen_file(&value);
    let messages = group(&file.items, "messages");
    assert_eq!(
        sig(messages, "SendRequest", "idempotency_key"),
        squash("pub fn idempotency_key(mut self, idempotency_key: impl Into<String>) -> Self")
    );
    assert_eq!(
        sig(messages, "SendRequest", "profile_id"),
        squash("pub fn profile_id(mut self, profile_id: uuid::Uuid) -> Self")
    );
    let send = body(messages, "SendRequest", "send");
    assert!(
        send.contains(&squash(r#"headers.push(("Idempotency-Key", value));"#)),
        "{send}"
    );
    assert!(send.contains(&squash(
        r#"headers.push(("x-profile-id", value.to_string()));"#
    )));
}

#[test]
fn a_path_parameter_and_a_header_may_share_a_rust_name() {
    let value = doc(
        json!({ "/v3/profiles/{profileId}": { "get": {
            "x-group": ["profiles"], "x-method": "get",
            "parameters": [
                { "name": "profileId", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } },
                { "name": "x-profile-id", "in": "header", "schema": { "type": "string", "format": "uuid" } }
            ],
            "responses": { "200": { "description": "ok" } }
        } } }),
        json!({}),
    );
    let file = gen_file(&value);
    let profiles = group(&file.items, "profiles");
    assert_eq!(
        sig(profiles, "Profiles", "get"),
        squash("pub fn get(&self, profile_id: uuid::Uuid) -> Get")
    );
    assert_eq!(
        sig(profiles, "Get", "profile_id"),
        squash("pub fn profile_id(mut self, profile_id: uuid::Uuid) -> Self")
    );
    assert_eq!(
        field_names(item_struct(profiles, "Get")),
        ["client", "profile_id", "profile_id_header", "options"]
    );
}

#[test]
fn inline_schemas_are_named_after_their_parent() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Profile" }),
        json!({
            "Profile": { "type": "object", "properties": {
                "brand": { "type": "object", "properties": {
                    "contact": { "type": "object", "properties": { "email": { "type": "string" } } },
                    "kind": { "type": "string", "enum": ["a", "b"] }
                } },
                "members": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" } } } },
                "channels": { "type": "array", "items": { "type": "string", "enum": ["sms"] } },
                "owners": { "type": "array", "items": { "$ref": "#/components/schemas/Owner" } },
                "labels": { "type": "object", "additionalProperties": { "type": "object", "properties": { "x": { "type": "integer" } } } }
            } },
            "Owner": { "type": "object", "properties": { "name": { "type": "string" } } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let profile = item_struct(types, "Profile");
    assert_eq!(
        ts(&field(profile, "brand").ty),
        squash("Option<ProfileBrand>")
    );
    assert_eq!(
        ts(&field(item_struct(types, "ProfileBrand"), "contact").ty),
        squash("Option<ProfileBrandContact>")
    );
    item_enum(types, "ProfileBrandKind");
    assert_eq!(
        ts(&field(profile, "members").ty),
        squash("Vec<ProfileMembersItem>")
    );
    assert_eq!(
        ts(&field(profile, "channels").ty),
        squash("Vec<ProfileChannelsItem>")
    );
    item_enum(types, "ProfileChannelsItem");
    assert_eq!(ts(&field(profile, "owners").ty), squash("Vec<Owner>"));
    assert!(find_struct(types, "ProfileOwnersItem").is_none());
    assert_eq!(
        ts(&field(profile, "labels").ty),
        squash("std::collections::BTreeMap<String, ProfileLabelsValue>")
    );
    // Documentation says where an inline type comes from.
    let brand = item_struct(types, "ProfileBrand");
    assert_eq!(
        docs(&brand.attrs).trim(),
        "The `brand` property of [`Profile`]."
    );
}

#[test]
fn enum_variants_are_pascal_case_of_their_values() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Status" }),
        json!({ "Status": { "type": "string",
            "enum": ["QUEUED", "pending_review", "QUICK_REPLY", "in-progress", "2fa", "unknown", ""] } }),
    );
    let file = gen_file(&value);
    let status = item_enum(module(&file.items, "types"), "Status");
    assert_eq!(
        variants(status),
        [
            "Queued",
            "PendingReview",
            "QuickReply",
            "InProgress",
            "V2fa",
            "UnknownValue",
            "Empty",
            "Unknown"
        ]
    );
}
