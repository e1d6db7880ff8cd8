//! Fixture pairs: the vendored docs and facts against small copies of them, edited here, one
//! kind of change each; a mixed pair checked against a reviewed snapshot of the whole report;
//! and documents with none of the Sent extensions.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};

use super::{Bump, Context, Kind, Report};
use crate::assemble::{self, SourceLabel};

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn vendored_docs() -> &'static str {
    static DOCS: OnceLock<String> = OnceLock::new();
    DOCS.get_or_init(|| read("spec/docs/sent-dm-docs.txt"))
}

fn vendored_facts() -> &'static str {
    static FACTS: OnceLock<String> = OnceLock::new();
    FACTS.get_or_init(|| read("spec/facts.toml"))
}

fn label(retrieved: &str) -> SourceLabel {
    SourceLabel {
        source: "https://docs.sent.dm/llms.txt".into(),
        retrieved: retrieved.into(),
    }
}

/// The spec of the vendored docs: the committed spec, as `codegen --check` keeps it.
fn baseline() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        assemble::assemble(
            vendored_docs().to_string(),
            vendored_facts(),
            &label("2026-04-08"),
        )
        .expect("the vendored docs assemble")
        .spec
    })
}

/// The byte range of the page whose URL contains `page`, from its banner to the next one.
fn page_range(docs: &str, page: &str) -> (usize, usize) {
    let marker = format!("SOURCE: https://docs.sent.dm/llms/{page}.txt");
    let at = docs
        .find(&marker)
        .unwrap_or_else(|| panic!("no page {page}"));
    let start = docs[..at].trim_end_matches([' ', '=']).len();
    let end = docs[at + marker.len()..]
        .find("SOURCE: https://")
        .map_or(docs.len(), |i| {
            docs[..at + marker.len() + i]
                .trim_end_matches([' ', '='])
                .len()
        });
    (start, end)
}

/// An edited copy of the vendored docs and facts.
#[derive(Clone)]
struct Edited {
    docs: String,
    facts: String,
}

const CONTACTS_LIST: &str =
    "reference/api/contacts/SentDmServicesEndpointsCustomerAPIv3ContactsGetContactsEndpoint";
const CONTACT_BY_ID: &str =
    "reference/api/contacts/SentDmServicesEndpointsCustomerAPIv3ContactsGetContactByIdEndpoint";
const ACTIVITIES: &str = "reference/api/messages/SentDmServicesEndpointsCustomerAPIv3MessagesGetMessageActivitiesEndpoint";
const DATA_MODELS: &str = "reference/api/data-models";

impl Edited {
    fn vendored() -> Edited {
        Edited {
            docs: vendored_docs().to_string(),
            facts: vendored_facts().to_string(),
        }
    }

    /// Replaces `from` once on one page.
    fn page(mut self, page: &str, from: &str, to: &str) -> Edited {
        let (start, end) = page_range(&self.docs, page);
        let text = &self.docs[start..end];
        assert!(text.contains(from), "`{from}` is not on {page}");
        let edited = text.replacen(from, to, 1);
        self.docs.replace_range(start..end, &edited);
        self
    }

    fn without_page(mut self, page: &str) -> Edited {
        let (start, end) = page_range(&self.docs, page);
        self.docs.replace_range(start..end, "");
        self
    }

    /// Replaces `from` in the facts, at its first place after `after`.
    fn facts(mut self, after: &str, from: &str, to: &str) -> Edited {
        let anchor = self
            .facts
            .find(after)
            .unwrap_or_else(|| panic!("no `{after}` in the facts"));
        let at = anchor
            + self.facts[anchor..]
                .find(from)
                .unwrap_or_else(|| panic!("no `{from}` after `{after}` in the facts"));
        self.facts.replace_range(at..at + from.len(), to);
        self
    }

    /// An edit of a data-models interface, made also in the facts quoting it.
    fn interface(self, from: &str, to: &str) -> Edited {
        let mut copy = self.page(DATA_MODELS, from, to);
        assert!(copy.facts.contains(from), "the facts do not quote `{from}`");
        copy.facts = copy.facts.replace(from, to);
        copy
    }

    fn report_from(&self, old: &Value) -> Report {
        let new_label = label("2026-05-01");
        let ctx = Context {
            committed: Path::new("spec/openapi.json"),
            facts: &self.facts,
            label: &new_label,
            old_docs: Some(vendored_docs().to_string()),
            version: None,
            markdown: None,
            json: None,
        };
        let new = assemble::assemble(self.docs.clone(), &self.facts, &new_label);
        let mut report = ctx
            .report(old, new.as_ref(), &self.docs)
            .unwrap_or_else(|| panic!("no report: {:?}", new.err()));
        report.version("0.1.0");
        report
    }

    fn report(&self) -> Report {
        self.report_from(baseline())
    }
}

/// Each change in one line: operation | kind | where | detail | class.
fn lines(report: &Report) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} | {:?} | {} | {} | {}",
                c.operation
                    .as_ref()
                    .map_or_else(|| "API".to_string(), ToString::to_string),
                c.kind,
                c.at,
                c.detail,
                if c.breaking {
                    "breaking"
                } else {
                    "not breaking"
                }
            )
        })
        .collect()
}

/// The report has these changes, and the ones at these indices these reasons.
fn assert_changes(report: &Report, expected: &[&str], reasons: &[(usize, &str)]) {
    assert_eq!(lines(report), expected);
    for (i, reason) in reasons {
        assert_eq!(report.changes[*i].reason, *reason, "reason of change {i}");
    }
}

/// The report has this one change, for this reason.
fn assert_one(report: &Report, line: &str, reason: &str) {
    assert_changes(report, &[line], &[(0, reason)]);
}

fn only(report: &Report, kind: Kind) -> Vec<String> {
    let label = format!("| {kind:?} |");
    lines(report)
        .into_iter()
        .filter(|l| l.contains(&label))
        .collect()
}

#[test]
fn identical_docs_report_no_change() {
    let report = Edited::vendored().report();
    assert!(report.changes.is_empty(), "{:#?}", report.changes);
    assert!(
        report.new_conflicts.is_empty(),
        "{:?}",
        report.new_conflicts
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(report.summary.bump, Bump::None);
    assert!(report.text().contains("No changes in the API."));
}

#[test]
fn optional_parameter_added_is_not_breaking() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `phone` | `string` | false | Optional phone number filter (alternative to list view) |",
            "| `phone` | `string` | false | Optional phone number filter (alternative to list view) | | `status` | `string` | false | Optional status filter |",
        )
        .report();
    assert_one(
        &report,
        "GET /v3/contacts | ParameterAdded | query parameter `status` | `String`, optional | not breaking",
        "a new builder method; existing calls compile",
    );
    assert_eq!(report.summary.bump, Bump::Minor);
    assert_eq!(report.summary.next_version.as_deref(), Some("0.1.1"));
}

#[test]
fn required_parameter_added_is_breaking() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `search` | `string` | false |",
            "| `region` | `string` | true | Region of the contacts | | `search` | `string` | false |",
        )
        .report();
    assert_one(
        &report,
        "GET /v3/contacts | ParameterAdded | query parameter `region` | `String`, required | breaking",
        "a new argument of the operation method",
    );
    assert_eq!(report.summary.bump, Bump::Major);
    assert_eq!(report.summary.next_version.as_deref(), Some("0.2.0"));
}

#[test]
fn parameter_removed_is_breaking() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            " | `phone` | `string` | false | Optional phone number filter (alternative to list view) |",
            "",
        )
        .report();
    assert_one(
        &report,
        "GET /v3/contacts | ParameterRemoved | query parameter `phone` | `String` | breaking",
        "its builder method goes",
    );
}

#[test]
fn optional_parameter_renamed_in_place_is_breaking() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `search` | `string` |",
            "| `query` | `string` |",
        )
        .report();
    assert_one(
        &report,
        "GET /v3/contacts | ParameterRenamed | query parameter `search` | `search` → `query`, `String`, same position | breaking",
        "its builder method is renamed",
    );
}

#[test]
fn parameter_retyped_is_breaking() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `search` | `string` |",
            "| `search` | `integer` |",
        )
        .report();
    assert_one(
        &report,
        "GET /v3/contacts | ParameterRetyped | query parameter `search` | `String` → `i64` | breaking",
        "its argument or setter takes `i64` instead of `String`; calls passing a `String` no longer compile",
    );
}

#[test]
fn parameter_made_required_is_breaking_and_a_pagination_parameter_made_optional_is_not() {
    let report = Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `search` | `string` | false |",
            "| `search` | `string` | true |",
        )
        .page(
            CONTACTS_LIST,
            "| `page` | `integer` | true |",
            "| `page` | `integer` | false |",
        )
        .report();
    assert_changes(
        &report,
        &[
            "GET /v3/contacts | ParameterOptional | query parameter `page` |  | not breaking",
            "GET /v3/contacts | ParameterRequired | query parameter `search` |  | breaking",
        ],
        &[
            (0, "a pagination parameter: a builder method either way"),
            (1, "now an argument of the operation method"),
        ],
    );
}

const PROFILE_REQUEST: &str = "export interface CreateProfileRequest { name: string; description?: string; short_name?: string; sandbox?: boolean; }";

fn profile_request(fields: &str) -> Edited {
    Edited::vendored().interface(
        PROFILE_REQUEST,
        &format!("export interface CreateProfileRequest {{ {fields} }}"),
    )
}

#[test]
fn optional_body_field_added_is_not_breaking() {
    let report = profile_request(
        "name: string; description?: string; nickname?: string; short_name?: string; sandbox?: boolean;",
    )
    .report();
    assert_one(
        &report,
        "POST /v3/profiles | FieldAdded | request body `nickname` | `String`, optional | not breaking",
        "an optional field: a new setter; existing calls compile",
    );
}

#[test]
fn required_body_field_added_is_breaking() {
    let report = profile_request(
        "name: string; description?: string; short_name?: string; sandbox?: boolean; region: string;",
    )
    .report();
    assert_one(
        &report,
        "POST /v3/profiles | FieldAdded | request body `region` | `String`, required | breaking",
        "a new argument of the operation method",
    );
}

#[test]
fn body_field_removed_is_breaking() {
    let report = profile_request("name: string; short_name?: string; sandbox?: boolean;")
        .facts(
            "name = \"CreateProfileRequest\"",
            "[[schema.field]]\nname = \"description\"\ndescription = \"Profile description.\"\n",
            "",
        )
        .report();
    assert_one(
        &report,
        "POST /v3/profiles | FieldRemoved | request body `description` | `String` | breaking",
        "its setter goes",
    );
}

#[test]
fn body_field_renamed_in_place_is_breaking_when_optional() {
    let report =
        profile_request("name: string; summary?: string; short_name?: string; sandbox?: boolean;")
            .facts(
                "name = \"CreateProfileRequest\"",
                "name = \"description\"\ndescription = \"Profile description.\"",
                "name = \"summary\"\ndescription = \"Profile description.\"",
            )
            .report();
    assert_one(
        &report,
        "POST /v3/profiles | FieldRenamed | request body `description` | `description` → `summary`, `String`, same position | breaking",
        "its setter is renamed",
    );
}

#[test]
fn body_field_retyped_is_breaking() {
    let report = profile_request(
        "name: string; description?: number; short_name?: string; sandbox?: boolean;",
    )
    .report();
    assert_one(
        &report,
        "POST /v3/profiles | FieldRetyped | request body `description` | `String` → `f64` | breaking",
        "its argument or setter takes `f64` instead of `String`; calls passing a `String` no longer compile",
    );
}

#[test]
fn body_fields_made_required_or_optional_are_breaking() {
    let report = profile_request(
        "name?: string; description: string; short_name?: string; sandbox?: boolean;",
    )
    .report();
    assert_changes(
        &report,
        &[
            "POST /v3/profiles | FieldOptional | request body `name` |  | breaking",
            "POST /v3/profiles | FieldRequired | request body `description` |  | breaking",
        ],
        &[
            (
                0,
                "no longer an argument of the operation method: callers set it through a setter",
            ),
            (
                1,
                "now an argument of the operation method, no longer a setter",
            ),
        ],
    );
}

#[test]
fn value_added_is_not_breaking_and_value_removed_is() {
    let report = Edited::vendored()
        .facts(
            "name = \"UserRole\"",
            "enum = [\"admin\", \"billing\", \"developer\"]",
            "enum = [\"admin\", \"billing\", \"developer\", \"viewer\"]",
        )
        .facts(
            "name = \"UserStatus\"",
            "enum = [\"invited\", \"active\"]",
            "enum = [\"invited\"]",
        )
        .report();
    // Every place either enum is used, request and response.
    assert_changes(
        &report,
        &[
            "GET /v3/me | ValueAdded | response 200 `data.profiles[].role` | `viewer` | not breaking",
            "GET /v3/users | ValueAdded | response 200 `data.users[].role` | `viewer` | not breaking",
            "GET /v3/users | ValueRemoved | response 200 `data.users[].status` | `active` | breaking",
            "POST /v3/users | ValueAdded | request body `role` | `viewer` | not breaking",
            "POST /v3/users | ValueAdded | response 201 `data.role` | `viewer` | not breaking",
            "POST /v3/users | ValueRemoved | response 201 `data.status` | `active` | breaking",
            "GET /v3/users/{userId} | ValueAdded | response 200 `data.role` | `viewer` | not breaking",
            "GET /v3/users/{userId} | ValueRemoved | response 200 `data.status` | `active` | breaking",
            "PATCH /v3/users/{userId} | ValueAdded | request body `role` | `viewer` | not breaking",
            "PATCH /v3/users/{userId} | ValueAdded | response 200 `data.role` | `viewer` | not breaking",
            "PATCH /v3/users/{userId} | ValueRemoved | response 200 `data.status` | `active` | breaking",
        ],
        &[
            (
                0,
                "a new variant of a `#[non_exhaustive]` enum; clients generated before decode it as `Unknown`",
            ),
            (
                2,
                "the enum loses the variant; code naming it no longer compiles",
            ),
        ],
    );
}

#[test]
fn response_fields_added_removed_and_retyped() {
    let report = Edited::vendored()
        .page(
            ACTIVITIES,
            "active_contact_price?: string }>",
            "active_contact_price?: string, channel?: string }>",
        )
        .page(
            ACTIVITIES,
            "description?: string, timestamp?: string",
            "timestamp?: string",
        )
        .page(ACTIVITIES, "price?: string,", "price?: number,")
        .report();
    assert_changes(
        &report,
        &[
            "GET /v3/messages/{id}/activities | FieldRemoved | response 200 `data.activities[].description` | `String` | breaking",
            "GET /v3/messages/{id}/activities | FieldAdded | response 200 `data.activities[].channel` | `String`, optional | not breaking",
            "GET /v3/messages/{id}/activities | FieldRetyped | response 200 `data.activities[].price` | `String` → `f64` | breaking",
        ],
        &[(
            1,
            "response types are `#[non_exhaustive]`; existing code compiles",
        )],
    );
    // The example beside the shape still shows the old members: the new conflicts say so.
    assert!(
        report
            .new_conflicts
            .iter()
            .any(|c| c.starts_with("Examples vs the shapes beside them")),
        "{:?}",
        report.new_conflicts
    );
}

#[test]
fn statuses_and_error_codes_added_or_removed() {
    let report = Edited::vendored()
        .page(ACTIVITIES, "### 403 Forbidden ", "")
        .page(
            ACTIVITIES,
            "### 500 Internal",
            "### 410 Message expired ### 500 Internal",
        )
        .page(
            ACTIVITIES,
            "\"code\": \"RESOURCE_003\"",
            "\"code\": \"RESOURCE_099\"",
        )
        .report();
    assert_changes(
        &report,
        &[
            "GET /v3/messages/{id}/activities | StatusRemoved | response 403 |  | not breaking",
            "GET /v3/messages/{id}/activities | StatusAdded | response 410 |  | not breaking",
            "GET /v3/messages/{id}/activities | ErrorCodeRemoved | response 404 | `RESOURCE_003` | not breaking",
            "GET /v3/messages/{id}/activities | ErrorCodeAdded | response 404 | `RESOURCE_099` | not breaking",
            "API | ErrorCodeAdded | `ErrorCode` | `RESOURCE_099` (404) | not breaking",
        ],
        &[(
            0,
            "error responses decode into the client's `Error` whatever their status",
        )],
    );
    assert_eq!(report.summary.bump, Bump::Minor);
}

#[test]
fn constraints_tightened_break_requests_and_loosened_do_not() {
    let report = Edited::vendored()
        .facts(
            "name = \"page_size\"\nin = \"query\"",
            "maximum = 100",
            "maximum = 50",
        )
        .facts(
            "name = \"Idempotency-Key\"",
            "max_length = 255",
            "max_length = 300",
        )
        .report();
    let tightened = only(&report, Kind::ConstraintTightened);
    let loosened = only(&report, Kind::ConstraintLoosened);
    assert_eq!(tightened.len() + loosened.len(), report.changes.len());
    assert_eq!(
        tightened,
        [
            "GET /v3/contacts | ConstraintTightened | query parameter `page_size` | `maximum` 100 → 50 | breaking",
            "GET /v3/templates | ConstraintTightened | query parameter `page_size` | `maximum` 100 → 50 | breaking",
            "GET /v3/webhooks | ConstraintTightened | query parameter `page_size` | `maximum` 100 → 50 | breaking",
            "GET /v3/webhooks/{id}/events | ConstraintTightened | query parameter `page_size` | `maximum` 100 → 50 | breaking",
        ]
    );
    // One for every operation taking the header.
    let with_header = baseline()["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .filter_map(Value::as_object)
        .flat_map(|m| m.values())
        .filter(|op| {
            op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"))
        })
        .count();
    assert_eq!(loosened.len(), with_header);
    assert!(
        loosened.iter().all(|l| l.ends_with(
            "| header parameter `Idempotency-Key` | `maxLength` 255 → 300 | not breaking"
        )),
        "{loosened:#?}"
    );
}

#[test]
fn pattern_changed_on_a_body_field_is_breaking() {
    let report = Edited::vendored()
        .facts(
            "name = \"CreateProfileRequest\"",
            "pattern = '^[A-Za-z0-9 ]*[A-Za-z][A-Za-z0-9 ]*$'",
            "pattern = '^[A-Za-z]+$'",
        )
        .report();
    assert_one(
        &report,
        "POST /v3/profiles | ConstraintTightened | request body `short_name` | `pattern` `^[A-Za-z0-9 ]*[A-Za-z][A-Za-z0-9 ]*$` → `^[A-Za-z]+$` | breaking",
        "values the old spec allowed now fail the client's validation before sending",
    );
}

const LOOKUP_PAGES: [&str; 2] = [
    "reference/api/number-lookup/SentDmServicesEndpointsCustomerAPIv3NumbersGetNumberEndpoint",
    "reference/api/numbers/SentDmServicesEndpointsCustomerAPIv3NumbersGetNumberEndpoint",
];

#[test]
fn removed_endpoint_page_is_a_removed_operation_with_its_facts_stale() {
    let copy = Edited::vendored()
        .without_page(LOOKUP_PAGES[0])
        .without_page(LOOKUP_PAGES[1]);
    // Assembly itself stops, as it must: the facts still cite the operation.
    let err = assemble::assemble(copy.docs.clone(), &copy.facts, &label("2026-05-01"))
        .expect_err("the facts cite a removed operation");
    assert!(err.to_string().contains("ep:NumbersGetNumber"), "{err}");
    let report = copy.report();
    assert_eq!(
        lines(&report),
        [
            "GET /v3/numbers/lookup/{phoneNumber} | OperationRemoved | operation |  | breaking",
            "API | ErrorCodeRemoved | `ErrorCode` | `RESOURCE_013` (404) | breaking",
            "API | TypeRemoved | type `NumberLookup` |  | breaking",
        ]
    );
    assert_eq!(
        report.changes[0].stale_facts,
        [
            "[[operation]] NumbersGetNumber (no endpoint page documents it)",
            "[[component]] NumberLookup (location `NumbersGetNumber 200 data`)",
            "[[describe]] NumberLookup (component `NumberLookup`)",
            "[[decision]] Meaning of `country_code` (side 2) (evidence quoted from `ep:NumbersGetNumber`)",
            "[[decision]] Number lookup path (side 1) (evidence quoted from `ep:NumbersGetNumber`)",
            "[[parameter]] phoneNumber (evidence quoted from `ep:NumbersGetNumber`)",
        ]
    );
    assert!(
        report.notes[0].contains("stale facts"),
        "{:?}",
        report.notes
    );
    assert!(
        report.markdown().contains(
            "Stale fact: [[component]] NumberLookup (location `NumbersGetNumber 200 data`)"
        )
    );
}

#[test]
fn new_endpoint_page_is_an_added_operation() {
    let without = Edited::vendored()
        .without_page(LOOKUP_PAGES[0])
        .without_page(LOOKUP_PAGES[1]);
    let pruned = super::prune_removed_operations(&without.docs, &without.facts)
        .expect("the facts cite the removed operation");
    let old = assemble::assemble(without.docs.clone(), &pruned.facts, &label("2026-04-08"))
        .expect("assembles without the stale facts");
    let report = Edited::vendored().report_from(&old.spec);
    assert_eq!(
        lines(&report),
        [
            "GET /v3/numbers/lookup/{phoneNumber} | OperationAdded | operation |  | not breaking",
            "API | ErrorCodeAdded | `ErrorCode` | `RESOURCE_013` (404) | not breaking",
            "API | TypeAdded | type `NumberLookup` |  | not breaking",
        ]
    );
    assert_eq!(report.summary.bump, Bump::Minor);
}

#[test]
fn a_member_retyped_on_one_page_only_is_reported_with_the_conflict() {
    // The list page comes first among the contact's pages, so the spec keeps its `boolean`.
    let report = Edited::vendored()
        .page(CONTACT_BY_ID, "opt_out?: boolean", "opt_out?: string")
        .report();
    assert_eq!(
        lines(&report),
        [
            "GET /v3/contacts | DocumentedDifferently | response 200 `data.contacts[].opt_out` | `opt_out`: boolean vs string | not breaking",
            "POST /v3/contacts | DocumentedDifferently | response 201 `data.opt_out` | `opt_out`: boolean vs string | not breaking",
            "GET /v3/contacts/{id} | DocumentedDifferently | response 200 `data.opt_out` | `opt_out`: boolean vs string | not breaking",
            "PATCH /v3/contacts/{id} | DocumentedDifferently | response 200 `data.opt_out` | `opt_out`: boolean vs string | not breaking",
        ]
    );
    let conflict = report.changes[0].conflict.as_deref().unwrap_or_default();
    assert!(
        conflict.starts_with(
            "One resource, different shapes across endpoint pages: `opt_out`: boolean vs string"
        ),
        "{conflict}"
    );
    assert!(conflict.contains(CONTACT_BY_ID), "{conflict}");
    assert_eq!(report.summary.bump, Bump::None);
}

#[test]
fn a_member_retyped_on_the_page_taken_names_the_conflict_on_the_change() {
    let report = Edited::vendored()
        .page(CONTACTS_LIST, "opt_out?: boolean", "opt_out?: string")
        .report();
    let retyped = only(&report, Kind::FieldRetyped);
    assert_eq!(
        retyped,
        [
            "GET /v3/contacts | FieldRetyped | response 200 `data.contacts[].opt_out` | `bool` → `String` | breaking",
            "POST /v3/contacts | FieldRetyped | response 201 `data.opt_out` | `bool` → `String` | breaking",
            "GET /v3/contacts/{id} | FieldRetyped | response 200 `data.opt_out` | `bool` → `String` | breaking",
            "PATCH /v3/contacts/{id} | FieldRetyped | response 200 `data.opt_out` | `bool` → `String` | breaking",
        ]
    );
    for c in report
        .changes
        .iter()
        .filter(|c| c.kind == Kind::FieldRetyped)
    {
        let conflict = c.conflict.as_deref().unwrap_or_default();
        assert!(
            conflict.contains("`opt_out`: string vs boolean"),
            "{conflict}"
        );
    }
}

/// Several changes at once, the kind a vendor's docs update brings: the whole report.
fn mixed() -> Edited {
    Edited::vendored()
        .page(
            CONTACTS_LIST,
            "| `phone` | `string` | false | Optional phone number filter (alternative to list view) |",
            "| `status` | `string` | false | Optional status filter |",
        )
        .page(
            ACTIVITIES,
            "active_contact_price?: string }>",
            "active_contact_price?: string, channel?: string }>",
        )
        .page(ACTIVITIES, "### 500 Internal", "### 410 Message expired ### 500 Internal")
        .page(CONTACT_BY_ID, "opt_out?: boolean", "opt_out?: string")
}

#[test]
fn mixed_changes_report_in_full() {
    let report = mixed().report();
    assert!(report.summary.breaking >= 1);
    assert!(report.summary.not_breaking >= 3);
    insta::assert_snapshot!("mixed_markdown", report.markdown());
    insta::assert_snapshot!("mixed_text", report.text());
}

#[test]
fn json_report_lists_each_change() {
    let report = mixed().report();
    let json: Value = serde_json::from_str(&report.json().expect("serializes")).expect("JSON");
    assert_eq!(json["summary"]["bump"], "major");
    assert_eq!(json["summary"]["next_version"], "0.2.0");
    let first = &json["changes"][0];
    assert_eq!(first["operation"]["method"], "GET");
    assert_eq!(first["operation"]["path"], "/v3/contacts");
    assert_eq!(first["operation"]["client"], "contacts.list");
    assert_eq!(first["kind"], "parameter-renamed");
    assert_eq!(first["breaking"], true);
}

// Documents with none of the Sent extensions: the comparison is of OpenAPI, not of Sent.

fn petstore(pets_path: &str, param: Value, pet: Value, extra: Value) -> Value {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Petstore", "version": "1" },
        "servers": [{ "url": "https://pets.example.com" }],
        "security": [{ "bearer": [] }],
        "paths": {
            pets_path: {
                "get": {
                    "operationId": "listPets",
                    "parameters": [param],
                    "responses": {
                        "200": { "description": "ok", "content": { "application/json": {
                            "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } }
                        } } }
                    }
                }
            }
        },
        "components": {
            "schemas": { "Pet": pet },
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        }
    });
    if let (Some(d), Some(e)) = (doc.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    doc
}

#[test]
fn documents_without_extensions_compare_too() {
    let old = petstore(
        "/pets/{owner}",
        json!({ "name": "owner", "in": "path", "required": true, "schema": { "type": "string" } }),
        json!({ "type": "object", "required": ["name"], "properties": {
            "name": { "type": "string", "maxLength": 10 },
            "tag": { "type": "string" }
        } }),
        json!({ "x-error-codes": [{ "code": "PET_1", "status": 404, "message": "no pet" }] }),
    );
    let new = petstore(
        "/owners/{ownerId}/pets",
        json!({ "name": "ownerId", "in": "path", "required": true, "schema": { "type": "string" } }),
        json!({ "type": "object", "properties": {
            "name": { "type": "string", "maxLength": 20 },
            "tag": { "type": "string" }
        } }),
        json!({ "servers": [{ "url": "https://api.pets.example.com" }] }),
    );
    let report = Report::compare(&old, &new);
    assert_changes(
        &report,
        &[
            "GET /owners/{ownerId}/pets | OperationMoved | operation | `GET /pets/{owner}` → `GET /owners/{ownerId}/pets` | breaking",
            "GET /owners/{ownerId}/pets | ParameterRenamed | path parameter `owner` | `owner` → `ownerId`, `String`, same position | not breaking",
            "GET /owners/{ownerId}/pets | FieldOptional | response 200 `[].name` | `String` → `Option<String>` | breaking",
            "GET /owners/{ownerId}/pets | ConstraintLoosened | response 200 `[].name` | `maxLength` 10 → 20 | not breaking",
            "API | ErrorCodeRemoved | `ErrorCode` | `PET_1` (404) | breaking",
            "API | ServerChanged | API | `https://pets.example.com` → `https://api.pets.example.com` | not breaking",
        ],
        &[
            (0, "the method's name derives from its path and may change"),
            (
                1,
                "passed by position to the operation method; only the wire name changes",
            ),
            (3, "the client does not validate responses"),
        ],
    );
}

#[test]
fn payload_type_and_authentication_changes_are_breaking() {
    let pet = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    let param = json!({ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer" } });
    let old = petstore("/pets", param.clone(), pet.clone(), json!({}));
    let mut new = petstore("/pets", param, pet, json!({}));
    new["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({ "$ref": "#/components/schemas/Pet" });
    new["components"]["securitySchemes"]["bearer"] =
        json!({ "type": "apiKey", "in": "header", "name": "x-key" });
    let report = Report::compare(&old, &new);
    assert_eq!(
        lines(&report),
        [
            "GET /pets | PayloadRetyped | success response | `Response<Vec<Pet>>` → `Response<Pet>` | breaking",
            "API | AuthChanged | API |  | breaking",
        ]
    );
}

#[test]
fn bumps_follow_cargo_semver() {
    assert_eq!(Bump::Major.next("0.1.0").as_deref(), Some("0.2.0"));
    assert_eq!(Bump::Minor.next("0.1.0").as_deref(), Some("0.1.1"));
    assert_eq!(Bump::Patch.next("0.1.3").as_deref(), Some("0.1.4"));
    assert_eq!(Bump::Major.next("1.2.3").as_deref(), Some("2.0.0"));
    assert_eq!(Bump::Minor.next("1.2.3").as_deref(), Some("1.3.0"));
    assert_eq!(Bump::Patch.next("1.2.3").as_deref(), Some("1.2.4"));
    assert_eq!(Bump::None.next("1.2.3").as_deref(), Some("1.2.3"));
    assert_eq!(Bump::Major.next("1.2.3-beta.1").as_deref(), Some("2.0.0"));
    assert_eq!(Bump::Major.next("not a version"), None);
}

#[test]
fn pruning_keeps_components_other_pages_still_document() {
    let copy = Edited::vendored().without_page(
        "reference/api/users/SentDmServicesEndpointsCustomerAPIv3UsersGetUserEndpoint",
    );
    let pruned = super::prune_removed_operations(&copy.docs, &copy.facts)
        .expect("the facts cite the removed operation");
    let stale: Vec<String> = pruned
        .stale
        .iter()
        .map(|s| format!("{} | {} | {}", s.operation_id, s.fact, s.cites))
        .collect();
    assert_eq!(
        stale,
        [
            "SentDmServicesEndpointsCustomerAPIv3UsersGetUserEndpoint | [[operation]] UsersGetUser | no endpoint page documents it",
            "SentDmServicesEndpointsCustomerAPIv3UsersGetUserEndpoint | [[component]] User | location `UsersGetUser 200 data`",
            "SentDmServicesEndpointsCustomerAPIv3UsersGetUserEndpoint | [[parameter]] userId | evidence quoted from `ep:UsersGetUser`",
        ]
    );
    let facts = crate::facts::Facts::parse(&pruned.facts).expect("the pruned facts parse");
    assert!(facts.components.iter().any(|c| c.name == "User"));
    assert!(!facts.operations.iter().any(|o| o.id == "UsersGetUser"));
}

#[test]
fn types_no_operation_uses_are_compared_once_each() {
    // The webhook payload types: received data no operation returns.
    let report = Edited::vendored()
        .facts(
            "name = \"WebhookPayload\"",
            "[[schema.field]]\nname = \"field\"",
            "[[schema.field]]\nname = \"id\"\ntype = \"string\"\ndescription = \"The event's id.\"\n[[schema.field]]\nname = \"field\"",
        )
        .facts(
            "name = \"MessageStatusPayload\"",
            "[[schema.field]]\nname = \"message_id\"\ntype = \"string\"\nformat = \"uuid\"\ndescription = \"The message whose status changed.\"\n",
            "",
        )
        .report();
    assert_changes(
        &report,
        &[
            "API | FieldRemoved | type `MessageStatusPayload` `message_id` | `uuid::Uuid` | breaking",
            "API | FieldAdded | type `WebhookPayload` `id` | `String`, optional | not breaking",
        ],
        &[(0, "code reading the field no longer compiles")],
    );
}

#[test]
fn pagination_removed_is_breaking() {
    let pet = json!({ "type": "object", "properties": { "name": { "type": "string" } } });
    let param = json!({ "name": "page", "in": "query", "required": false, "schema": { "type": "integer" } });
    let mut old = petstore("/pets", param.clone(), pet.clone(), json!({}));
    old["paths"]["/pets"]["get"]["x-pagination"] = json!({
        "page": "page", "page_size": "page_size", "items": "pets", "has_more": "has_more",
        "default_page_size": 20
    });
    let new = petstore("/pets", param, pet, json!({}));
    assert_changes(
        &Report::compare(&old, &new),
        &["GET /pets | PaginationRemoved | operation |  | breaking"],
        &[(
            0,
            "the builder loses `pages()` and `items()`; code streaming pages no longer compiles",
        )],
    );
}
