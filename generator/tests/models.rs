//! Structs, enums and aliases generated from schemas.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use sentdm_generator::Config;
use serde_json::json;

#[test]
fn string_enums_keep_unknown_values() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Status" }),
        json!({ "Status": { "type": "string", "description": "Delivery status.", "enum": ["QUEUED", "SENT"] } }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let status = item_enum(types, "Status");
    assert_eq!(variants(status), ["Queued", "Sent", "Unknown"]);
    assert_eq!(ts(&status.variants.last().unwrap().fields), "(String)");
    assert!(has_attr(&status.attrs, "#[non_exhaustive]"));
    assert!(has_attr(
        &status.attrs,
        "#[derive(Clone, Debug, PartialEq, Eq, Hash)]"
    ));
    assert!(docs(&status.attrs).contains("Delivery status."));
    // Serde is implemented by hand so that any string decodes.
    for trait_name in [
        "serde::Serialize",
        "serde::Deserialize<'de>",
        "std::fmt::Display",
        "std::str::FromStr",
        "From<&str>",
        "From<String>",
    ] {
        assert!(implements(types, trait_name, "Status"), "{trait_name}");
    }
    // Documented values decode from a borrowed string, without allocating.
    assert!(
        body(types, "Status", "deserialize")
            .ends_with(&squash("::deserialize_string_enum(deserializer) }")),
        "{}",
        body(types, "Status", "deserialize")
    );
    assert_eq!(
        body(types, "Status", "from"),
        squash(
            r#"{ match value.as_str() { "QUEUED" => Self::Queued, "SENT" => Self::Sent, _ => Self::Unknown(value) } }"#
        )
    );
    assert_eq!(
        sig(types, "Status", "as_str"),
        squash("pub fn as_str(&self) -> &str")
    );
    assert_eq!(
        sig(types, "Status", "is_known"),
        squash("pub fn is_known(&self) -> bool")
    );
    assert_eq!(
        sig(types, "Status", "from_str"),
        squash("fn from_str(value: &str) -> Result<Self, Self::Err>")
    );
}

#[test]
fn optional_and_nullable_fields_are_options() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Thing" }),
        json!({ "Thing": { "type": "object", "required": ["id", "name", "note"], "properties": {
            "id": { "type": "string", "format": "uuid" },
            "name": { "type": "string" },
            "note": { "type": "string", "nullable": true },
            "tag": { "type": "string" },
            "count": { "type": "integer", "format": "int32" },
            "total": { "type": "integer", "format": "int64" },
            "ratio": { "type": "number" },
            "at": { "type": "string", "format": "date-time" },
            "email": { "type": "string", "format": "email" },
            "anything": {},
            "free": { "type": "object" }
        } } }),
    );
    let file = gen_file(&value);
    let thing = item_struct(module(&file.items, "types"), "Thing");
    let ty = |name: &str| ts(&field(thing, name).ty);
    assert_eq!(ty("id"), "uuid::Uuid");
    assert_eq!(ty("name"), "String");
    assert_eq!(ty("note"), squash("Option<String>"));
    assert_eq!(ty("tag"), squash("Option<String>"));
    assert_eq!(ty("count"), squash("Option<i32>"));
    assert_eq!(ty("total"), squash("Option<i64>"));
    assert_eq!(ty("ratio"), squash("Option<f64>"));
    assert_eq!(ty("at"), squash("Option<time::OffsetDateTime>"));
    assert_eq!(ty("email"), squash("Option<String>"));
    assert_eq!(ty("anything"), squash("Option<serde_json::Value>"));
    // Maps, like arrays, are never `Option`.
    assert_eq!(
        ty("free"),
        squash("serde_json::Map<String, serde_json::Value>")
    );
    // Required but nullable: sent as null rather than skipped.
    assert!(attrs(&field(thing, "note").attrs).is_empty());
    assert_eq!(
        attrs(&field(thing, "tag").attrs),
        [squash(
            r#"#[serde(skip_serializing_if = "Option::is_none")]"#
        )]
    );
    assert_eq!(
        attrs(&field(thing, "at").attrs),
        [squash(
            r#"#[serde(skip_serializing_if = "Option::is_none", default, with = "time::serde::rfc3339::option")]"#
        )]
    );
}

#[test]
fn response_structs_are_non_exhaustive_and_request_structs_get_constructors() {
    let value = doc(
        json!({ "/v1/things": { "post": {
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewThing" } } } },
            "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } } }
        } } }),
        json!({
            // Keys in sorted order: the same with and without serde_json's `preserve_order`.
            "NewThing": { "type": "object", "required": ["name", "tags", "kind", "parent"], "properties": {
                "id": { "type": "string", "readOnly": true },
                "kind": { "type": "string", "enum": ["a", "b"] },
                "labels": { "type": "array", "items": { "type": "string" } },
                "name": { "type": "string" },
                "note": { "type": "string" },
                "parent": { "type": "string", "format": "uuid" },
                "size": { "type": "integer" },
                "tags": { "type": "array", "items": { "type": "string" } }
            } },
            "Thing": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "format": "uuid" },
                "name": { "type": "string" }
            } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");

    let thing = item_struct(types, "Thing");
    assert!(has_attr(&thing.attrs, "#[non_exhaustive]"));
    assert!(has_attr(
        &thing.attrs,
        "#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]"
    ));
    assert!(find_method(types, "Thing", "new").is_none());

    let new_thing = item_struct(types, "NewThing");
    assert!(!has_attr(&new_thing.attrs, "#[non_exhaustive]"));
    // A required enum has no default, so neither does the struct.
    assert!(has_attr(
        &new_thing.attrs,
        "#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]"
    ));
    assert_eq!(
        sig(types, "NewThing", "new"),
        squash(
            "pub fn new(kind: impl Into<NewThingKind>, name: impl Into<String>, parent: uuid::Uuid, \
             tags: impl IntoIterator<Item = impl Into<String>>) -> Self"
        )
    );
    assert_eq!(
        sig(types, "NewThing", "labels"),
        squash(
            "pub fn labels(mut self, labels: impl IntoIterator<Item = impl Into<String>>) -> Self"
        )
    );
    assert_eq!(
        sig(types, "NewThing", "note"),
        squash("pub fn note(mut self, note: impl Into<String>) -> Self")
    );
    assert_eq!(
        sig(types, "NewThing", "size"),
        squash("pub fn size(mut self, size: i64) -> Self")
    );
    // Read-only fields are optional in requests and cannot be set.
    assert_eq!(ts(&field(new_thing, "id").ty), squash("Option<String>"));
    assert!(find_method(types, "NewThing", "id").is_none());
    assert!(implements(types, "rt::validate::Validate", "NewThing"));
    assert!(!implements(types, "rt::validate::Validate", "Thing"));
}

#[test]
fn additional_properties_become_maps() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Holder" }),
        json!({
            "Holder": { "type": "object", "properties": {
                "open": { "type": "object", "additionalProperties": true },
                "typed": { "type": "object", "additionalProperties": { "type": "integer" } },
                "settings": { "type": "object", "additionalProperties": true,
                    "properties": { "flag": { "type": "boolean" } } }
            } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let holder = item_struct(types, "Holder");
    assert_eq!(
        ts(&field(holder, "open").ty),
        squash("serde_json::Map<String, serde_json::Value>")
    );
    assert_eq!(
        ts(&field(holder, "typed").ty),
        squash("std::collections::BTreeMap<String, i64>")
    );
    let settings = item_struct(types, "HolderSettings");
    let extra = field(settings, "extra");
    assert_eq!(
        ts(&extra.ty),
        squash("serde_json::Map<String, serde_json::Value>")
    );
    assert_eq!(attrs(&extra.attrs), [squash("#[serde(flatten)]")]);
}

#[test]
fn replaced_and_envelope_schemas_are_not_emitted() {
    let value = json!({
        "openapi": "3.0.3",
        "info": { "title": "t", "version": "1" },
        "x-envelope": { "schema": "ApiResponse", "data": "data", "error": "error", "meta": "meta", "success": "success" },
        "paths": { "/v1/things": { "get": { "responses": {
            "200": { "description": "ok", "content": { "application/json": { "schema": { "allOf": [
                { "$ref": "#/components/schemas/ApiResponse" },
                { "type": "object", "properties": { "data": { "$ref": "#/components/schemas/Thing" } } }
            ] } } } }
        } } } },
        "components": { "schemas": {
            "ApiResponse": { "type": "object", "properties": {
                "success": { "type": "boolean" }, "data": {}, "meta": { "$ref": "#/components/schemas/ApiMeta" } } },
            "ApiMeta": { "type": "object", "properties": { "request_id": { "type": "string" } } },
            "Thing": { "type": "object", "properties": { "meta": { "$ref": "#/components/schemas/ApiMeta" } } }
        } }
    });
    let config = Config::new("crate::runtime").replace("ApiMeta", "crate::runtime::Meta");
    let file = parse(&try_gen_with(&value, &config).unwrap());
    let types = module(&file.items, "types");
    assert!(find_struct(types, "ApiResponse").is_none());
    assert!(find_struct(types, "ApiMeta").is_none());
    assert_eq!(
        ts(&field(item_struct(types, "Thing"), "meta").ty),
        squash("Option<crate::runtime::Meta>")
    );
}

#[test]
fn aliases_and_recursive_structs() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Node" }),
        json!({
            "PhoneNumber": { "type": "string", "description": "E.164 number.", "pattern": "^\\+[0-9]+$" },
            "Node": { "type": "object", "required": ["value"], "properties": {
                "value": { "$ref": "#/components/schemas/PhoneNumber" },
                "next": { "$ref": "#/components/schemas/Node" },
                "children": { "type": "array", "items": { "$ref": "#/components/schemas/Node" } }
            } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let alias = types
        .iter()
        .find_map(|item| match item {
            syn::Item::Type(t) if t.ident == "PhoneNumber" => Some(t),
            _ => None,
        })
        .expect("alias");
    assert_eq!(ts(&alias.ty), "String");
    assert!(docs(&alias.attrs).contains("E.164 number."));
    let node = item_struct(types, "Node");
    assert_eq!(ts(&field(node, "value").ty), "PhoneNumber");
    assert_eq!(ts(&field(node, "next").ty), squash("Option<Box<Node>>"));
    // An array is never `Option`: absent or null reads as empty.
    assert_eq!(ts(&field(node, "children").ty), squash("Vec<Node>"));
}

#[test]
fn error_codes_become_an_enum() {
    let mut value = doc(json!({}), json!({}));
    value["x-error-codes"] = json!([
        { "code": "AUTH_001", "status": 401, "message": "The API key is [missing]." },
        { "code": "INTERNAL_001", "message": "Oops." }
    ]);
    let file = gen_file(&value);
    let codes = item_enum(&file.items, "ErrorCode");
    assert_eq!(variants(codes), ["Auth001", "Internal001", "Unknown"]);
    let auth = docs(&codes.variants[0].attrs);
    assert!(auth.contains(r"The API key is \[missing\]."), "{auth}");
    assert!(auth.contains("HTTP status 401"), "{auth}");
    assert_eq!(
        sig(&file.items, "ErrorCode", "status"),
        squash("pub fn status(&self) -> Option<u16>")
    );
    assert_eq!(
        body(&file.items, "ErrorCode", "status"),
        squash(
            "{ match self { Self::Auth001 => Some(401), Self::Internal001 => None, \
             Self::Unknown(_) => None } }"
        )
    );
    for trait_name in ["std::str::FromStr", "From<&str>", "std::fmt::Display"] {
        assert!(
            implements(&file.items, trait_name, "ErrorCode"),
            "{trait_name}"
        );
    }
    // Without the extension there is no `ErrorCode`.
    let plain = gen_file(&doc(json!({}), json!({})));
    assert!(
        !plain
            .items
            .iter()
            .any(|i| matches!(i, syn::Item::Enum(e) if e.ident == "ErrorCode"))
    );
}

#[test]
fn uuids_that_identify_a_resource_become_typed_ids() {
    let value = doc(
        json!({ "/v1/pets/{id}": { "get": {
            "operationId": "getPet", "x-group": ["pets"], "x-method": "get",
            "parameters": [
                { "name": "id", "in": "path", "required": true,
                  "schema": { "type": "string", "format": "uuid", "x-id-of": "Pet" } },
                { "name": "x-owner-id", "in": "header",
                  "schema": { "type": "string", "format": "uuid", "x-id-of": "Owner" } }
            ],
            "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Pet" } } } } }
        } } }),
        json!({ "Pet": { "type": "object", "required": ["id"], "properties": {
            "id": { "type": "string", "format": "uuid", "x-id-of": "Pet" },
            "owner_id": { "type": "string", "format": "uuid", "x-id-of": "Owner" },
            "trace": { "type": "string", "format": "uuid" }
        } } }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let pet = item_struct(types, "Pet");
    assert_eq!(ts(&field(pet, "id").ty), "PetId");
    assert_eq!(ts(&field(pet, "owner_id").ty), squash("Option<OwnerId>"));
    // A uuid no `x-id-of` explains stays a plain `Uuid`.
    assert_eq!(ts(&field(pet, "trace").ty), squash("Option<uuid::Uuid>"));
    let text = ts(&file);
    assert!(
        text.contains(&squash("pub type PetId = rt::Id<Pet>;")),
        "{text}"
    );
    assert!(
        text.contains(&squash("pub type OwnerId = rt::Id<Owner>;")),
        "{text}"
    );
    // `Owner` is no schema of its own: an empty marker type stands for it.
    assert!(item_enum(types, "Owner").variants.is_empty());
    // Operations take what converts into the id: a `Uuid` or the same id, never another's.
    let pets = group(&file.items, "pets");
    assert_eq!(
        sig(pets, "Pets", "get"),
        squash("pub fn get(&self, id: impl Into<types::PetId>) -> Get")
    );
    assert_eq!(
        sig(pets, "Get", "owner_id"),
        squash("pub fn owner_id(mut self, owner_id: impl Into<types::OwnerId>) -> Self")
    );
}

#[test]
fn discriminated_unions_become_enums_that_keep_unknown_variants() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Button" }),
        json!({
            "Button": {
                "description": "A button.",
                "oneOf": [
                    { "$ref": "#/components/schemas/UrlButton" },
                    { "$ref": "#/components/schemas/ReplyButton" }
                ],
                "discriminator": { "propertyName": "type", "mapping": {
                    "URL": "#/components/schemas/UrlButton",
                    "QUICK_REPLY": "#/components/schemas/ReplyButton"
                } }
            },
            "UrlButton": { "type": "object", "required": ["type", "url"], "properties": {
                "type": { "type": "string", "enum": ["URL"] },
                "url": { "type": "string", "description": "Where it leads." }
            } },
            "ReplyButton": { "type": "object", "required": ["type", "text"], "properties": {
                "type": { "type": "string", "enum": ["QUICK_REPLY"] },
                "text": { "type": "string", "description": "What it says." }
            } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    let button = item_enum(types, "Button");
    assert_eq!(variants(button), ["Url", "QuickReply", "Unknown"]);
    assert_eq!(ts(&button.variants[0].fields), "(UrlButton)");
    assert_eq!(
        ts(&button.variants[2].fields),
        squash("(serde_json::Value)")
    );
    // The union owns the discriminator: the variants' structs leave it out.
    assert_eq!(field_names(item_struct(types, "UrlButton")), ["url"]);
    let text = ts(&file);
    for part in [
        r#"Self::Url(inner) => { rt::union::serialize_tagged(serializer, "type", "URL", inner) }"#,
        r#"match rt::union::tag(&value, "type") {"#,
        r#"Some("QUICK_REPLY") => rt::union::variant(value).map(Self::QuickReply),"#,
        "_ => Ok(Self::Unknown(value))",
        "impl From<UrlButton> for Button",
    ] {
        assert!(text.contains(&squash(part)), "missing `{part}`");
    }
}

#[test]
fn untagged_unions_get_a_constructor_per_variant_and_shared_setters() {
    let value = doc_taking(
        json!({ "$ref": "#/components/schemas/Ref" }),
        json!({
            "Ref": { "oneOf": [
                { "$ref": "#/components/schemas/RefById" },
                { "$ref": "#/components/schemas/RefByName" }
            ] },
            "RefById": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "format": "uuid", "x-id-of": "Thing" },
                "note": { "type": "string", "description": "A note." }
            } },
            "RefByName": { "type": "object", "required": ["name"], "properties": {
                "name": { "type": "string", "minLength": 1 },
                "note": { "type": "string", "description": "A note." }
            } }
        }),
    );
    let file = gen_file(&value);
    let types = module(&file.items, "types");
    assert_eq!(variants(item_enum(types, "Ref")), ["ById", "ByName"]);
    // Neither-set cannot be built: the only ways in are the constructors and `From`.
    assert!(find_method(types, "Ref", "new").is_none());
    assert_eq!(
        sig(types, "Ref", "by_id"),
        squash("pub fn by_id(id: impl Into<ThingId>) -> Self")
    );
    assert_eq!(
        sig(types, "Ref", "by_name"),
        squash("pub fn by_name(name: impl Into<String>) -> Self")
    );
    assert_eq!(
        body(types, "Ref", "note"),
        squash(
            "{ match self { Self::ById(inner) => Self::ById(inner.note(note)), \
             Self::ByName(inner) => Self::ByName(inner.note(note)), } }"
        )
    );
    // Untagged: each variant is tried in turn; a request's variants are validated.
    let text = ts(&file);
    assert!(text.contains(&squash(
        "if let Some(inner) = rt::union::try_variant(&value) { return Ok(Self::ById(inner)); }"
    )));
    assert!(text.contains(&squash(
        "Self::ByName(inner) => { let field = at; rt::validate::Validate::validate(inner, field)?; }"
    )));
}

#[test]
fn delimited_strings_become_lists_of_their_values() {
    let value = doc_returning(
        json!({ "$ref": "#/components/schemas/Contact" }),
        json!({
            "Channel": { "type": "string", "enum": ["sms", "whatsapp"] },
            "Contact": { "type": "object", "required": ["channels"], "properties": {
                "channels": { "type": "string", "description": "Comma-separated channels.",
                    "x-delimited": { "separator": ",",
                        "items": { "$ref": "#/components/schemas/Channel" } } }
            } }
        }),
    );
    let file = gen_file(&value);
    let contact = item_struct(module(&file.items, "types"), "Contact");
    assert_eq!(ts(&field(contact, "channels").ty), squash("Vec<Channel>"));
    assert_eq!(
        attrs(&field(contact, "channels").attrs),
        [squash(
            r#"#[serde(default, with = "crate::runtime::comma_separated")]"#
        )]
    );
    // Another separator is outside what the generator supports, and says where.
    let mut other = value.clone();
    other["components"]["schemas"]["Contact"]["properties"]["channels"]["x-delimited"]["separator"] =
        json!(";");
    match try_gen(&other) {
        Err(error) => assert_eq!(
            error.pointer(),
            Some("#/components/schemas/Contact/properties/channels/x-delimited/separator")
        ),
        Ok(_) => panic!("a `;` separator was accepted"),
    }
}
