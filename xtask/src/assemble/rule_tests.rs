//! The member rules (`spec/README.md`, "Typing members") on a small inline API: things, with
//! a data-models page, three endpoint pages and an SDK page.

use serde_json::Value;

use super::{SourceLabel, assemble_with};
use crate::conflicts::Kind;

const THING_SHAPE: &str = "{ id?: string, name?: string, note?: string, size?: integer, kinds?: string, owner_id?: string, label?: string, extra?: string }";
const ENVELOPE_TAIL: &str = "error?: { code?: string, message?: string }, meta?: unknown }";
const THING_1: &str = r#"{ "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "name": "A", "note": null, "size": null, "kinds": "a,b", "owner_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c9", "label": "x", "extra": "y" }"#;
const THING_2: &str = r#"{ "id": "6ba7b810-9dad-11d1-80b4-00c04fd430ca", "name": "B", "note": "n", "size": 1, "kinds": "a", "owner_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c9", "label": "z" }"#;

fn page(url_path: &str, title: &str, body: &str) -> String {
    let rule = "=".repeat(80);
    format!(
        "{rule} SOURCE: https://d/llms/{url_path}.txt TITLE: {title} {rule} URL: https://d/llms/{url_path}.txt {body} "
    )
}

fn example(data: &str) -> String {
    format!(
        r#"##### Example ```json {{ "success": true, "data": {data}, "error": null, "meta": {{ "request_id": "r" }} }} ```"#
    )
}

fn docs() -> String {
    let models = page(
        "reference/api/data-models",
        "Data Models",
        "## Things ### ThingResponse A thing. | Field | Type | Description | |-------|------|-------------| \
         | `id` | string (uuid) | Unique thing id | | `name` | string | Thing name | \
         ### Type Definitions ```typescript export interface ApiResponse { success: boolean; data: T | null; \
         error: ApiError | null; meta: ApiMeta; } export interface ApiError { code: string; message: string; } \
         export interface ApiMeta { request_id: string; } export interface Thing { id: string; name: string; \
         note: string | null; size: number; kinds: string; owner_id: string; } \
         export interface CreateThingRequest { name: string; sandbox?: boolean; } ```",
    );
    let get = page(
        "reference/api/things/GetThingEndpoint",
        "Get a thing",
        &format!(
            "# GET /v3/things/{{id}} Get a thing Returns one thing. **Operation ID:** `GetThingEndpoint` \
             **Tags:** Things ## Parameters ### Path Parameters | Name | Type | Required | Description | \
             |------|------|----------|-------------| | `id` | `string` | true | Thing ID from route parameter | \
             ## Responses ### 200 Found #### application/json ```typescript {{ success?: boolean, data?: {THING_SHAPE}, {ENVELOPE_TAIL} ``` \
             {} ## Security - **Key**",
            example(THING_1)
        ),
    );
    let list = page(
        "reference/api/things/ListThingsEndpoint",
        "List things",
        &format!(
            "# GET /v3/things List things Lists things. **Operation ID:** `ListThingsEndpoint` **Tags:** Things \
             ## Responses ### 200 Listed #### application/json ```typescript {{ success?: boolean, data?: {{ things?: Array<{THING_SHAPE}> }}, {ENVELOPE_TAIL} ``` \
             {} ## Security - **Key**",
            example(&format!(r#"{{ "things": [ {THING_2} ] }}"#))
        ),
    );
    let create = page(
        "reference/api/things/CreateThingEndpoint",
        "Create a thing",
        &format!(
            "# POST /v3/things Create a thing Creates one. **Operation ID:** `CreateThingEndpoint` **Tags:** Things \
             ## Request Body ### application/json ```typescript object ``` \
             ## Responses ### 201 Created #### application/json ```typescript {{ success?: boolean, data?: {THING_SHAPE}, {ENVELOPE_TAIL} ``` \
             ## Security - **Key**"
        ),
    );
    let sdk = page(
        "sdks/typescript",
        "TypeScript",
        "Use `testMode` to validate requests. Owners own things. A link button needs a URL.",
    );
    [models, get, list, create, sdk].concat()
}

const FACTS: &str = r#"
[api]
title = "Things"
version = "v1"
description = "Things."
server = "https://things.example"
operation_id_prefix = ""
operation_id_suffix = "Endpoint"
data_models_page = "reference/api/data-models"
error_code_pages = ["reference/api/data-models"]
precedence = "endpoint pages first"
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]
[api.security]
scheme = "Key"
header = "x-key"
description = "The key."
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]
[api.envelope]
schema = "ApiResponse"
data = "data"
error = "error"
meta = "meta"
success = "success"

[[operation]]
id = "GetThing"
group = ["things"]
method = "get"

[[operation]]
id = "ListThings"
group = ["things"]
method = "list"

[[operation]]
id = "CreateThing"
group = ["things"]
method = "create"

[[component]]
name = "Thing"
at = ["GetThing 200 data", "ListThings 200 data.things[]", "CreateThing 201 data"]
table = "ThingResponse"
interface = "Thing"

[[component]]
name = "ThingList"
description = "Things."
at = ["ListThings 200 data"]

[[schema]]
name = "ApiResponse"
description = "The envelope."
interface = "ApiResponse"
response = true
evidence = [{ page = "reference/api/data-models", quote = "export interface ApiResponse" }]
[[schema.field]]
name = "data"
type = "unknown"
description = "The data."

[[schema]]
name = "ApiError"
description = "An error."
interface = "ApiError"
response = true
evidence = [{ page = "reference/api/data-models", quote = "export interface ApiError" }]

[[schema]]
name = "ApiMeta"
description = "Metadata."
interface = "ApiMeta"
response = true
evidence = [{ page = "reference/api/data-models", quote = "export interface ApiMeta" }]

[[schema]]
name = "Kind"
description = "A kind."
enum = ["a", "b"]
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]

[[schema]]
name = "ButtonType"
description = "A kind of button."
enum = ["LINK", "REPLY"]
evidence = [{ page = "sdks/typescript", quote = "A link button needs a URL." }]

[[schema]]
name = "Button"
description = "A button."
evidence = [{ page = "sdks/typescript", quote = "A link button needs a URL." }]
[[schema.field]]
name = "type"
type = "ButtonType"
required = true
description = "Kind of button."
[[schema.field]]
name = "text"
type = "string"
required = true
description = "Label."
[[schema.field]]
name = "url"
type = "string"
description = "Where a link goes."

[[schema]]
name = "ThingRef"
description = "A thing by id or by name."
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]
[[schema.field]]
name = "id"
type = "string"
format = "uuid"
description = "Thing id."
[[schema.field]]
name = "name"
type = "string"
description = "Thing name."

[[schema]]
name = "CreateThingRequest"
description = "A thing to create."
interface = "CreateThingRequest"
evidence = [{ page = "reference/api/data-models", quote = "export interface CreateThingRequest" }]
[[schema.field]]
name = "name"
description = "Name."
[[schema.field]]
name = "sandbox"
description = "Validate only."
[[schema.field]]
name = "like"
type = "ThingRef"
description = "A thing to copy."
[[schema.field]]
name = "buttons"
type = "Array<Button>"
description = "Buttons."

[[parameter]]
name = "id"
in = "path"
format = "uuid"
evidence = [{ page = "reference/api/data-models", quote = "string (uuid)" }]

[[body]]
operations = ["CreateThing"]
schema = "CreateThingRequest"
required = true
evidence = [{ page = "reference/api/data-models", quote = "export interface CreateThingRequest" }]

[[enum_use]]
enum = "Kind"
separator = ","
at = ["Thing.kinds"]

[[id]]
resource = "Thing"
at = ["Thing.owner_id", "ThingRef.id"]
evidence = [{ page = "sdks/typescript", quote = "Owners own things." }]

[[format]]
format = "uuid"
at = ["Thing.owner_id"]
evidence = [{ page = "reference/api/data-models", quote = "string (uuid)" }]

[[describe]]
in = ["Thing", "ThingList", "ApiResponse", "ApiError", "ApiMeta"]
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]
[describe.members]
note = "A note."
size = "How big."
kinds = "Its kinds."
owner_id = "Its owner."
label = "A label."
extra = "Something extra."
things = "The things."
success = "Whether it worked."
error = "What went wrong."
meta = "About the request."
code = "The code."
message = "The message."
request_id = "The request."

[[alias]]
at = ["*.sandbox"]
names = ["testMode"]
evidence = [{ page = "sdks/typescript", quote = "Use `testMode` to validate requests." }]

[[range]]
at = ["Thing.size"]
minimum = 0
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]

[[union]]
schema = "ThingRef"
evidence = [{ page = "reference/api/data-models", quote = "A thing." }]
[[union.variant]]
name = "ThingRefById"
description = "By id."
members = ["id"]
required = ["id"]
[[union.variant]]
name = "ThingRefByName"
description = "By name."
members = ["name"]
required = ["name"]

[[union]]
schema = "Button"
discriminator = "type"
evidence = [{ page = "sdks/typescript", quote = "A link button needs a URL." }]
[[union.variant]]
name = "LinkButton"
description = "Opens a URL."
value = "LINK"
members = ["type", "text", "url"]
required = ["type", "text", "url"]
[[union.variant]]
name = "ReplyButton"
description = "Replies."
value = "REPLY"
members = ["type", "text"]
required = ["type", "text"]
"#;

fn label() -> SourceLabel {
    SourceLabel {
        source: "https://d/llms.txt".into(),
        retrieved: "2026-01-01".into(),
    }
}

fn assemble(docs: String, facts: &str, unions: bool) -> Result<super::Assembly, String> {
    assemble_with(docs, facts, &label(), unions).map_err(|e| e.to_string())
}

fn spec(unions: bool) -> super::Assembly {
    match assemble(docs(), FACTS, unions) {
        Ok(a) => a,
        Err(e) => panic!("the fixture assembles: {e}"),
    }
}

fn schema<'s>(a: &'s super::Assembly, name: &str) -> &'s Value {
    &a.spec["components"]["schemas"][name]
}

fn property<'s>(a: &'s super::Assembly, component: &str, member: &str) -> &'s Value {
    &schema(a, component)["properties"][member]
}

fn required(a: &super::Assembly, component: &str) -> Vec<String> {
    schema(a, component)["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// `facts` with `from` replaced by `to`, which must be there.
fn edited(from: &str, to: &str) -> String {
    assert!(FACTS.contains(from), "the fixture has `{from}`");
    FACTS.replacen(from, to, 1)
}

#[test]
fn guaranteed_members_are_required_and_name_their_evidence() {
    let a = spec(false);
    assert_eq!(
        required(&a, "Thing"),
        ["id", "name", "kinds", "owner_id", "label"]
    );
    let id = property(&a, "Thing", "id");
    assert_eq!(id.get("nullable"), None);
    assert_eq!(
        id["x-guaranteed"],
        "data-models: interface Thing { id: string }; present and non-null in 2 examples"
    );
    // Only the examples speak for `label`; two examples are enough.
    assert_eq!(
        property(&a, "Thing", "label")["x-guaranteed"],
        "present and non-null in 2 examples"
    );
    // `| null` in the interface, `null` in an example, or absent from one: not guaranteed.
    for member in ["note", "size", "extra"] {
        let p = property(&a, "Thing", member);
        assert_eq!(p["nullable"], true, "{member}");
        assert!(p.get("x-guaranteed").is_none(), "{member}");
    }
    // The envelope follows its interface.
    assert_eq!(required(&a, "ApiResponse"), ["success", "meta"]);
    assert_eq!(required(&a, "ApiError"), ["code", "message"]);
    // The interface says `size` is always there, an example shows `null`: a conflict.
    let presence: Vec<&str> = a
        .conflicts
        .iter()
        .filter(|c| c.kind == Kind::Presence)
        .map(|c| c.topic.as_str())
        .collect();
    assert_eq!(
        presence,
        [
            "`Thing`: `size`: data-models: interface Thing { size: number } — but null in the ep:GetThing 200 example"
        ]
    );
}

#[test]
fn presence_facts_decide_and_must_agree_with_the_examples() {
    let facts = format!(
        "{FACTS}\n[[presence]]\nat = [\"Thing.label\"]\nalways = false\nevidence = [{{ page = \"sdks/typescript\", quote = \"Owners own things.\" }}]\n"
    );
    let a = assemble(docs(), &facts, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(!required(&a, "Thing").contains(&"label".to_string()));
    assert!(a.conflicts.iter().any(|c| c.kind == Kind::Presence
        && c.taken.contains("prose")
        && c.topic.contains("`label`")));

    let facts = format!(
        "{FACTS}\n[[presence]]\nat = [\"Thing.extra\"]\nalways = true\nevidence = [{{ page = \"sdks/typescript\", quote = \"Owners own things.\" }}]\n"
    );
    let err = assemble(docs(), &facts, false).expect_err("an example leaves `extra` out");
    assert!(err.contains("[[presence]] Thing.extra"), "{err}");
    assert!(
        err.contains("absent in the ep:ListThings 200 example"),
        "{err}"
    );
}

#[test]
fn uuids_name_the_resource_they_identify() {
    let a = spec(false);
    let id = property(&a, "Thing", "id");
    assert_eq!(id["x-id-of"], "Thing");
    assert_eq!(id["x-id-evidence"], "`id` of resource schema `Thing`");
    let owner = property(&a, "Thing", "owner_id");
    assert_eq!(owner["x-id-of"], "Thing");
    assert_eq!(
        owner["x-id-evidence"],
        "sdks/typescript: “Owners own things.”"
    );
    let param = &a.spec["paths"]["/v3/things/{id}"]["get"]["parameters"][0]["schema"];
    assert_eq!(param["x-id-of"], "Thing");
    assert_eq!(
        param["x-id-evidence"],
        "description \"Thing ID from route parameter\"; GET /v3/things/{id} returns `Thing`"
    );
    // A uuid nothing explains stops the run.
    let facts = edited(
        "at = [\"Thing.owner_id\", \"ThingRef.id\"]",
        "at = [\"ThingRef.id\"]",
    );
    let err = assemble(docs(), &facts, false).expect_err("owner_id is unexplained");
    assert!(err.contains("Thing.owner_id"), "{err}");
}

#[test]
fn delimited_value_sets_stay_strings_and_check_examples() {
    let a = spec(false);
    let kinds = property(&a, "Thing", "kinds");
    assert_eq!(kinds["type"], "string");
    assert_eq!(kinds["x-delimited"]["separator"], ",");
    assert_eq!(
        kinds["x-delimited"]["items"]["$ref"],
        "#/components/schemas/Kind"
    );
    assert!(!a.conflicts.iter().any(|c| c.kind == Kind::ExampleVsShape));
    let a = assemble(docs().replace("\"a,b\"", "\"a,c\""), FACTS, false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        a.conflicts
            .iter()
            .any(|c| c.kind == Kind::ExampleVsShape && c.topic.contains("`c` is not one of a, b")),
        "{:?}",
        a.conflicts
    );
}

#[test]
fn unions_become_one_of_when_enabled() {
    let off = spec(false);
    assert!(schema(&off, "ThingRef").get("oneOf").is_none());
    assert!(schema(&off, "ThingRefById").is_null());

    let on = spec(true);
    let by = schema(&on, "ThingRef");
    assert_eq!(by["oneOf"][0]["$ref"], "#/components/schemas/ThingRefById");
    assert_eq!(
        by["oneOf"][1]["$ref"],
        "#/components/schemas/ThingRefByName"
    );
    assert!(by.get("discriminator").is_none());
    assert_eq!(required(&on, "ThingRefById"), ["id"]);
    assert_eq!(property(&on, "ThingRefById", "id")["x-id-of"], "Thing");

    let button = schema(&on, "Button");
    assert_eq!(button["discriminator"]["propertyName"], "type");
    assert_eq!(
        button["discriminator"]["mapping"]["LINK"],
        "#/components/schemas/LinkButton"
    );
    assert_eq!(required(&on, "LinkButton"), ["type", "text", "url"]);
    assert_eq!(property(&on, "LinkButton", "type")["enum"][0], "LINK");
    assert!(on.spec["components"]["schemas"]["ReplyButton"]["properties"]["url"].is_null());
}

#[test]
fn unions_are_checked_even_when_not_emitted() {
    let facts = edited(
        "members = [\"name\"]\nrequired = [\"name\"]",
        "members = [\"nick\"]\nrequired = [\"nick\"]",
    );
    let err = assemble(docs(), &facts, false).expect_err("no member `nick`");
    assert!(err.contains("`ThingRef` has no member `nick`"), "{err}");
    let facts = edited("value = \"REPLY\"", "value = \"POST\"");
    let err = assemble(docs(), &facts, false).expect_err("POST is not a ButtonType");
    assert!(err.contains("are not the values of `type`"), "{err}");
}

#[test]
fn every_member_and_parameter_is_described() {
    let a = spec(false);
    for (name, s) in a.spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        for (member, p) in s["properties"].as_object().into_iter().flatten() {
            let d = p["description"].as_str().unwrap_or_default();
            assert!(!d.trim().is_empty(), "{name}.{member}");
        }
    }
    assert_eq!(
        property(&a, "Thing", "id")["description"],
        "Unique thing id"
    );
    assert_eq!(property(&a, "Thing", "label")["description"], "A label.");
    // Without a fact, a member gets a sentence from the examples that says so.
    let facts = edited("label = \"A label.\"\n", "");
    let a = assemble(docs(), &facts, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        property(&a, "Thing", "label")["description"],
        "Not described in the docs; the documented examples show `z`."
    );
    // A parameter the page leaves undescribed needs a fact.
    let docs = docs().replace("| Thing ID from route parameter |", "| - |");
    let err = assemble(docs, FACTS, false).expect_err("the id parameter is undescribed");
    assert!(err.contains("parameter id of GetThing"), "{err}");
}

#[test]
fn describe_facts_only_fill_gaps() {
    let facts = edited(
        "note = \"A note.\"",
        "note = \"A note.\"\nname = \"Again.\"",
    );
    let err = assemble(docs(), &facts, false).expect_err("`name` is described by the table");
    assert!(err.contains("already describes `name`"), "{err}");
}

#[test]
fn aliases_and_bounds_are_applied() {
    let a = spec(false);
    let sandbox = property(&a, "CreateThingRequest", "sandbox");
    assert_eq!(sandbox["x-aliases"][0], "testMode");
    assert!(
        sandbox["x-evidence"]
            .as_array()
            .is_some_and(|e| e.iter().any(|p| p == "sdks/typescript"))
    );
    assert_eq!(property(&a, "Thing", "size")["minimum"], 0);
    let facts = edited(
        "at = [\"Thing.size\"]\nminimum = 0",
        "at = [\"Thing.name\"]\nminimum = 0",
    );
    let err = assemble(docs(), &facts, false).expect_err("`name` is a string");
    assert!(err.contains("`Thing.name` is not an integer"), "{err}");
}

#[test]
fn assembly_is_deterministic() {
    let a = spec(true);
    let b = spec(true);
    assert_eq!(
        serde_json::to_string(&a.spec).unwrap_or_default(),
        serde_json::to_string(&b.spec).unwrap_or_default()
    );
}

/// The vendored docs and facts.
fn vendored() -> (String, String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    (read("spec/docs/sent-dm-docs.txt"), read("spec/facts.toml"))
}

#[test]
fn the_vendored_docs_describe_every_member_themselves() {
    let (docs, facts) = vendored();
    let a = assemble(docs, &facts, false).unwrap_or_else(|e| panic!("{e}"));
    let mut fallback = Vec::new();
    for (name, s) in a.spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        for (member, p) in s["properties"].as_object().into_iter().flatten() {
            let d = p["description"].as_str().unwrap_or_default();
            if d.is_empty() || d.starts_with(super::members::UNDESCRIBED) {
                fallback.push(format!("{name}.{member}"));
            }
        }
    }
    assert!(
        fallback.is_empty(),
        "describe these in spec/facts.toml: {fallback:?}"
    );
}

#[test]
fn the_vendored_unions_assemble() {
    let (docs, facts) = vendored();
    let a = assemble(docs, &facts, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        schema(&a, "TemplateButton")["discriminator"]["mapping"]["URL"],
        "#/components/schemas/TemplateUrlButton"
    );
    assert_eq!(required(&a, "TemplateUrlButton"), ["type", "text", "url"]);
    assert_eq!(required(&a, "TemplateRefById"), ["id"]);
}
