//! The assembler on a small fixture API: what it builds, and how it stops on bad input.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::*;

const DOC: &str = "# Demo API

Base URL: `https://api.example.com/v1`

Send with `Authorization: Bearer <token>`.

### Create a widget

```http
POST /v1/widgets
Content-Type: application/json

{ \"name\": \"spanner\" }
```

**Response:**

```json
{ \"id\": \"w_1\", \"name\": \"spanner\" }
```

## Errors

| Status | Code | Description |
|--------|------|-------------|
| 400 | `BAD` | Invalid widget |

## Broken

```json
{ \"id\": \"w_1\",, }
```
";

const FACTS: &str = r####"[api]
title = "Demo API"
version = "v1"
description = "Widgets."
evidence = [{ page = "demo.md", quote = "# Demo API" }]

[[server]]
url = "https://api.example.com/v1"
description = "Production"
evidence = [{ page = "demo.md", quote = "Base URL: `https://api.example.com/v1`" }]

[[security]]
name = "Bearer"
type = "http"
scheme = "bearer"
description = "A token."
evidence = [{ page = "demo.md", quote = "Authorization: Bearer <token>" }]

[errors]
schema = "Error"
message = "message"
code = "code"
codes_from = { page = "demo.md", after = "## Errors" }
evidence = [{ page = "demo.md", quote = "| 400 | `BAD` | Invalid widget |" }]

[[operation]]
id = "createWidget"
method = "POST"
path = "/widgets"
group = ["widgets"]
name = "create"
summary = "Create a widget"
description = "Creates a widget."
evidence = [{ page = "demo.md", quote = "POST /v1/widgets" }]

[operation.body]
type = "Widget"
required = true
examples = [{ page = "demo.md", after = "### Create a widget" }]

[[operation.response]]
status = "2XX"
description = "The widget."
type = "Widget"
examples = [{ page = "demo.md", after = "**Response:**" }]

[[operation.response]]
status = "default"
description = "An error."
type = "Error"

[[schema]]
name = "Widget"
description = "A widget."
evidence = [{ page = "demo.md", quote = "\"name\": \"spanner\"" }]
field = [
  { name = "id", type = "string" },
  { name = "name", type = "string", required = true },
]

[[schema]]
name = "Error"
description = "An error."
evidence = [{ page = "demo.md", quote = "## Errors" }]
field = [
  { name = "message", type = "string" },
  { name = "code", type = "string" },
]
"####;

/// Writes the fixture API `demo` under a temporary root, with `facts` and `doc`.
fn fixture(facts: &str, doc: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("spec/demo");
    std::fs::create_dir_all(dir.join("docs")).expect("dirs");
    std::fs::write(dir.join("docs/demo.md"), doc).expect("doc");
    let sha = crate::codegen::hex(&Sha256::digest(doc.as_bytes()));
    std::fs::write(
        dir.join("docs/SOURCE.toml"),
        format!(
            "[[document]]\nfile = \"demo.md\"\ntitle = \"Demo\"\noriginal = \"README.md\"\nsource = \"https://example.com/demo\"\nsha256 = \"{sha}\"\n"
        ),
    )
    .expect("label");
    std::fs::write(dir.join("facts.toml"), facts).expect("facts");
    root
}

fn build(root: &Path) -> Result<Built, SpecError> {
    assemble_dir(root, "demo", None)
}

/// The error of assembling the fixture with `facts` and `doc`, which must fail.
fn stop(facts: &str, doc: &str) -> String {
    let root = fixture(facts, doc);
    build(root.path()).expect_err("must stop").to_string()
}

/// Line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle in text");
    text[..at].matches('\n').count() + 1
}

#[test]
fn assembles_the_fixture() {
    let root = fixture(FACTS, DOC);
    let built = build(root.path()).expect("assembles");
    let spec: openapiv3::OpenAPI = serde_json::from_str(&built.spec_text).expect("openapiv3");
    let value: Value = serde_json::from_str(&built.spec_text).expect("json");
    let op = spec
        .paths
        .paths
        .get("/widgets")
        .and_then(|p| p.as_item())
        .and_then(|p| p.post.as_ref())
        .expect("POST /widgets");
    assert_eq!(op.operation_id.as_deref(), Some("createWidget"));
    assert_eq!(
        value.pointer("/paths/~1widgets/post/requestBody/content/application~1json/example"),
        Some(&serde_json::json!({ "name": "spanner" }))
    );
    assert_eq!(
        value.pointer("/x-error-codes"),
        Some(&serde_json::json!([{ "code": "BAD", "status": 400, "message": "Invalid widget" }]))
    );
    assert_eq!(
        value.pointer("/x-error-body"),
        Some(
            &serde_json::json!({ "schema": "Error", "message": "message", "code": "code", "x-evidence": ["demo.md"] })
        )
    );
    assert_eq!(built.stats.examples, 2);
    assert_eq!(built.stats.operations, 1);
    assert!(
        built
            .report
            .starts_with("# Conflicts and gaps in the Demo API docs")
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let root = fixture(FACTS, DOC);
    let first = build(root.path()).expect("assembles");
    let second = build(root.path()).expect("assembles");
    assert_eq!(first.spec_text, second.spec_text);
    assert_eq!(first.report, second.report);
}

#[test]
fn a_missing_quote_stops_the_run_naming_file_and_fact() {
    let facts = FACTS.replace(
        "quote = \"POST /v1/widgets\"",
        "quote = \"POST /v1/gadgets\"",
    );
    let err = stop(&facts, DOC);
    let line = line_of(&facts, "POST /v1/gadgets");
    assert!(
        err.starts_with(&format!("spec/demo/facts.toml:{line}:")),
        "{err}"
    );
    assert!(err.contains("[[operation]] createWidget"), "{err}");
    assert!(
        err.contains("not in spec/demo/docs/demo.md any more"),
        "{err}"
    );
    assert!(err.contains("POST /v1/gadgets"), "{err}");
}

#[test]
fn a_fact_without_evidence_stops_the_run() {
    let facts = FACTS.replace(
        "evidence = [{ page = \"demo.md\", quote = \"POST /v1/widgets\" }]",
        "evidence = []",
    );
    let err = stop(&facts, DOC);
    assert!(
        err.contains("[[operation]] createWidget: cites no evidence"),
        "{err}"
    );
}

#[test]
fn malformed_facts_name_file_line_and_column() {
    let facts = FACTS.replace("version = \"v1\"", "version = \"v1");
    let err = stop(&facts, DOC);
    assert!(err.starts_with("spec/demo/facts.toml:3:"), "{err}");

    let facts = FACTS.replace("name = \"create\"", "name = \"create\"\ncolour = \"red\"");
    let err = stop(&facts, DOC);
    let line = line_of(&facts, "colour");
    assert!(
        err.starts_with(&format!("spec/demo/facts.toml:{line}:1:")),
        "{err}"
    );
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn an_unknown_type_names_the_fact() {
    let facts = FACTS.replace(
        "{ name = \"id\", type = \"string\" }",
        "{ name = \"id\", type = \"Gizmo\" }",
    );
    let err = stop(&facts, DOC);
    let line = line_of(&facts, "Gizmo");
    assert!(
        err.starts_with(&format!("spec/demo/facts.toml:{line}:")),
        "{err}"
    );
    assert!(
        err.contains("[[schema]] Widget.id: no schema named `Gizmo`"),
        "{err}"
    );
}

#[test]
fn a_malformed_example_names_the_document_and_position() {
    let facts = FACTS.replace("after = \"**Response:**\"", "after = \"## Broken\"");
    let err = stop(&facts, DOC);
    let line = line_of(DOC, "{ \"id\": \"w_1\",, }");
    assert!(
        err.starts_with(&format!(
            "spec/demo/docs/demo.md:{line}:15: the example after `## Broken` is not JSON"
        )),
        "{err}"
    );
}

#[test]
fn an_edited_document_stops_on_its_hash() {
    let root = fixture(FACTS, DOC);
    std::fs::write(
        root.path().join("spec/demo/docs/demo.md"),
        DOC.replace("spanner", "wrench"),
    )
    .expect("edit");
    let err = build(root.path()).expect_err("must stop").to_string();
    assert!(
        err.starts_with("spec/demo/docs/demo.md: its sha256 is "),
        "{err}"
    );
    assert!(
        err.contains("`cargo xtask codegen --api demo --docs PATH`"),
        "{err}"
    );
}

#[test]
fn an_example_that_differs_from_its_schema_is_a_finding() {
    let doc = DOC.replace(
        "{ \"id\": \"w_1\", \"name\": \"spanner\" }",
        "{ \"id\": 1, \"name\": \"spanner\" }",
    );
    let root = fixture(FACTS, &doc);
    let built = build(root.path()).expect("assembles");
    assert!(
        built
            .report
            .contains("$.id: an integer where the schema has string"),
        "{}",
        built.report
    );
}

#[test]
fn an_unmapped_status_or_bad_confidence_is_refused() {
    let facts = FACTS.replace("status = \"2XX\"", "status = \"2XY\"");
    let err = stop(&facts, DOC);
    assert!(err.contains("`2XY` is not a status"), "{err}");

    let facts = FACTS.replace(
        "description = \"The widget.\"",
        "description = \"The widget.\"\nconfidence = \"high\"",
    );
    let err = stop(&facts, DOC);
    assert!(err.contains("confidence `high`"), "{err}");
}

/// The committed specs assemble to the same bytes twice, parse with `openapiv3`, and are
/// what `cargo xtask codegen` last wrote.
#[test]
fn committed_specs_are_deterministic() {
    let root = crate::workspace_root();
    for api in APIS {
        let first = assemble_dir(&root, api, None).expect("assembles");
        let second = assemble_dir(&root, api, None).expect("assembles");
        assert_eq!(first.spec_text, second.spec_text, "{api}");
        serde_json::from_str::<openapiv3::OpenAPI>(&first.spec_text).expect("openapiv3");
    }
}

/// A directory holding `files`, as new copies of documents.
fn copies(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("copy");
    }
    dir
}

#[test]
fn a_new_copy_is_assembled_from_and_vendored_with_its_hash() {
    let root = fixture(FACTS, DOC);
    let label_path = root.path().join("spec/demo/docs/SOURCE.toml");
    let label = std::fs::read_to_string(&label_path).expect("label");
    let label = label.replace("sha256", "revision = \"e86283d\"\nsha256");
    std::fs::write(&label_path, label).expect("label with a revision");
    let new = DOC.replace(
        "| 400 | `BAD` | Invalid widget |",
        "| 400 | `BAD` | Invalid widget |\n| 404 | `MISSING` | No such widget |",
    );
    let dir = copies(&[("demo.md", &new)]);

    let built = assemble_dir(root.path(), "demo", Some(dir.path())).expect("assembles");
    let spec: Value = serde_json::from_str(&built.spec_text).expect("JSON");
    let codes: Vec<&str> = spec["x-error-codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["BAD", "MISSING"]);
    let sha = crate::codegen::hex(&Sha256::digest(new.as_bytes()));
    assert_eq!(spec["info"]["x-docs-sources"][0]["sha256"], sha.as_str());

    let [(label_at, label), (doc_at, doc)] = &built.vendored[..] else {
        panic!("the label and the copy are vendored: {:?}", built.vendored);
    };
    assert_eq!(label_at, &label_path);
    assert!(label.contains(&format!("sha256 = \"{sha}\"\n")), "{label}");
    assert!(
        !label.contains("revision"),
        "the old copy's revision goes: {label}"
    );
    assert!(label.contains("title = \"Demo\"\n"), "{label}");
    assert_eq!(doc_at, &root.path().join("spec/demo/docs/demo.md"));
    assert_eq!(doc, &new);

    // A single file named like the document does the same.
    let file = dir.path().join("demo.md");
    let built = assemble_dir(root.path(), "demo", Some(&file)).expect("assembles");
    assert_eq!(built.vendored.len(), 2);
}

#[test]
fn an_identical_copy_vendors_nothing() {
    let root = fixture(FACTS, DOC);
    let dir = copies(&[("demo.md", DOC)]);
    let built = assemble_dir(root.path(), "demo", Some(dir.path())).expect("assembles");
    assert!(built.vendored.is_empty());
    assert_eq!(
        built.spec_text,
        build(root.path()).expect("assembles").spec_text
    );
}

#[test]
fn copies_named_like_no_document_are_refused() {
    let root = fixture(FACTS, DOC);
    let dir = copies(&[("other.md", DOC)]);
    for path in [dir.path().to_path_buf(), dir.path().join("other.md")] {
        let error = assemble_dir(root.path(), "demo", Some(&path))
            .expect_err("refused")
            .to_string();
        assert!(error.starts_with(&path.display().to_string()), "{error}");
        assert!(
            error.contains("the documents of spec/demo/docs are demo.md"),
            "{error}"
        );
    }
    let missing = dir.path().join("gone");
    let error = assemble_dir(root.path(), "demo", Some(&missing))
        .expect_err("refused")
        .to_string();
    assert!(error.contains("does not exist"), "{error}");
}

#[test]
fn a_malformed_copy_is_named_with_the_position() {
    let root = fixture(FACTS, DOC);
    let new = DOC.replace(
        "{ \"id\": \"w_1\", \"name\": \"spanner\" }",
        "{ \"id\": \"w_1\" \"name\": \"spanner\" }",
    );
    let dir = copies(&[("demo.md", &new)]);
    let error = assemble_dir(root.path(), "demo", Some(dir.path()))
        .expect_err("stops")
        .to_string();
    let shown = dir.path().join("demo.md").display().to_string();
    assert!(error.contains(&format!("{shown}:19:15:")), "{error}");
    assert!(error.contains("is not JSON"), "{error}");
}
