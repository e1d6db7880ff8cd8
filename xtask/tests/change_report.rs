//! `cargo xtask codegen --docs NEW` end to end: the change report on the terminal and in the
//! report files, and the committed files left as they are. Every run here either passes
//! `--check` or stops before writing, so the work tree is never touched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vendored() -> String {
    std::fs::read_to_string(root().join("spec/docs/sent-dm-docs.txt")).expect("vendored docs")
}

/// The generated files `codegen` owns, with their contents.
fn committed() -> Vec<(PathBuf, Vec<u8>)> {
    [
        "spec/openapi.json",
        "spec/conflicts.md",
        "spec/docs/sent-dm-docs.txt",
        "spec/docs/SOURCE.toml",
        "sentdm-client/openapi.json",
        "sentdm-mock/openapi.json",
        "tests/snapshots/sentdm_client.rs",
    ]
    .iter()
    .map(|p| {
        let path = root().join(p);
        let bytes = std::fs::read(&path).expect("committed file");
        (path, bytes)
    })
    .collect()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Replaces `from` once on the page whose URL contains `page`.
fn edit(docs: &str, page: &str, from: &str, to: &str) -> String {
    let at = docs.find(page).expect("page");
    let end = docs[at..]
        .find("SOURCE: https://")
        .map_or(docs.len(), |i| at + i);
    let offset = at + docs[at..end].find(from).expect("text on the page");
    let mut out = docs.to_string();
    out.replace_range(offset..offset + from.len(), to);
    out
}

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new(docs: &str) -> Run {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("docs.txt"), docs).expect("docs copy");
        Run { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn codegen(&self, extra: &[&str]) -> Output {
        let docs = self.path("docs.txt");
        let (md, json) = (self.path("report.md"), self.path("report.json"));
        let mut args = vec![
            "codegen",
            "--docs",
            &docs,
            "--report",
            &md,
            "--report-json",
            &json,
        ];
        args.extend_from_slice(extra);
        xtask(&args)
    }

    /// `codegen --api api --docs <docs in the run's directory> --report-json …` and `extra`.
    fn codegen_api(&self, api: &str, docs: &str, extra: &[&str]) -> Output {
        let (docs, json) = (self.path(docs), self.path("report.json"));
        let mut args = vec![
            "codegen",
            "--api",
            api,
            "--docs",
            &docs,
            "--report-json",
            &json,
        ];
        args.extend_from_slice(extra);
        xtask(&args)
    }

    fn json(&self) -> Value {
        let text = std::fs::read_to_string(self.path("report.json")).expect("JSON report written");
        serde_json::from_str(&text).expect("JSON report parses")
    }
}

#[test]
fn help_describes_the_report_flags() {
    let out = xtask(&["codegen", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for flag in [
        "--api NAME",
        "--docs PATH",
        "--report FILE",
        "--report-json FILE",
        "--check",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

#[test]
fn an_identical_copy_reports_no_change() {
    let before = committed();
    let run = Run::new(&vendored());
    let out = run.codegen(&["--check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("No changes in the API."), "{stdout}");
    assert!(stdout.contains("change report: compared in"), "{stdout}");
    let json = run.json();
    assert_eq!(json["changes"], Value::Array(Vec::new()));
    assert_eq!(json["summary"]["bump"], "none");
    let md = std::fs::read_to_string(run.path("report.md")).expect("Markdown report written");
    assert!(md.starts_with("# API changes"), "{md}");
    assert_eq!(committed(), before);
}

#[test]
fn an_edited_copy_reports_its_changes_and_check_fails() {
    let before = committed();
    let docs = edit(
        &vendored(),
        "ContactsGetContactsEndpoint",
        "| `search` | `string` | false |",
        "| `search` | `string` | true |",
    );
    let docs = edit(
        &docs,
        "MessagesGetMessageActivitiesEndpoint",
        "active_contact_price?: string }>",
        "active_contact_price?: string, channel?: string }>",
    );
    let run = Run::new(&docs);
    let out = run.codegen(&["--check"]);
    assert!(!out.status.success(), "the spec differs, so --check fails");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("breaking      query parameter `search`: made required"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "not breaking  response 200 `data.activities[].channel`: added (`String`, optional)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Semver: major"), "{stdout}");
    let json = run.json();
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["parameter-required", "field-added"]);
    assert_eq!(json["summary"]["breaking"], 1);
    assert_eq!(committed(), before);
}

#[test]
fn a_removed_endpoint_page_lists_the_stale_facts_and_stops() {
    let before = committed();
    let mut docs = vendored();
    for page in [
        "reference/api/number-lookup/SentDmServicesEndpointsCustomerAPIv3NumbersGetNumberEndpoint.txt",
        "reference/api/numbers/SentDmServicesEndpointsCustomerAPIv3NumbersGetNumberEndpoint.txt",
    ] {
        let at = docs
            .find(&format!("SOURCE: https://docs.sent.dm/llms/{page}"))
            .expect("page");
        let start = docs[..at].trim_end_matches([' ', '=']).len();
        let end = docs[at + 10..]
            .find("SOURCE: https://")
            .map_or(docs.len(), |i| {
                docs[..at + 10 + i].trim_end_matches([' ', '=']).len()
            });
        docs.replace_range(start..end, "");
    }
    let run = Run::new(&docs);
    // Without --check: the run must stop before writing anything.
    let out = run.codegen(&[]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("stale fact: [[operation]] NumbersGetNumber"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("ep:NumbersGetNumber"), "{stderr}");
    let json = run.json();
    assert_eq!(json["changes"][0]["kind"], "operation-removed");
    assert_eq!(
        json["changes"][0]["operation"]["path"],
        "/v3/numbers/lookup/{phoneNumber}"
    );
    assert_eq!(
        json["changes"][0]["stale_facts"].as_array().map(Vec::len),
        Some(6)
    );
    assert_eq!(committed(), before);
}

#[test]
fn malformed_docs_name_the_page_and_position_and_write_nothing() {
    let before = committed();
    let docs = edit(
        &vendored(),
        "MessagesGetMessageActivitiesEndpoint",
        "activities?: Array<{",
        "activities?: Set<{",
    );
    let run = Run::new(&docs);
    let out = run.codegen(&[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("SentDmServicesEndpointsCustomerAPIv3MessagesGetMessageActivitiesEndpoint"),
        "{stderr}"
    );
    assert!(stderr.contains("(at 1:"), "{stderr}");
    assert!(stderr.contains("unknown type `Set`"), "{stderr}");
    assert!(!Path::new(&run.path("report.json")).exists());
    assert_eq!(committed(), before);
}

/// Sendivent's vendored API guide.
fn sendivent_guide() -> String {
    std::fs::read_to_string(root().join("spec/sendivent/docs/api-guide.md"))
        .expect("vendored guide")
}

/// The files `codegen` owns for the fact-driven API `api`, with their contents.
fn committed_sibling(api: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("spec").join(api);
    let mut paths = vec![
        dir.join("openapi.json"),
        dir.join("conflicts.md"),
        root().join(format!("{api}-client/openapi.json")),
        root().join(format!("{api}-mock/openapi.json")),
        root().join(format!("tests/snapshots/{api}_client.rs")),
    ];
    for entry in std::fs::read_dir(dir.join("docs")).expect("docs") {
        paths.push(entry.expect("entry").path());
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("committed file");
            (path, bytes)
        })
        .collect()
}

#[test]
fn a_sibling_api_takes_new_documents_and_reports_what_they_change() {
    let before = committed_sibling("sendivent");
    let mut guide = sendivent_guide();
    for (from, to) in [
        (
            "| `delivery.complained` | Recipient marked as spam |\n",
            "| `delivery.complained` | Recipient marked as spam |\n| `delivery.opened` | Recipient opened the email |\n",
        ),
        ("| `delivery.bounced` | Email bounced |\n", ""),
        (
            "| 502 | `PROVIDER_ERROR` | Third-party provider failed |\n",
            "| 502 | `PROVIDER_ERROR` | Third-party provider failed |\n| 503 | `MAINTENANCE` | Down for maintenance |\n",
        ),
    ] {
        assert_eq!(guide.matches(from).count(), 1, "{from}");
        guide = guide.replace(from, to);
    }
    let run = Run::new("");
    std::fs::write(run.path("api-guide.md"), guide).expect("new copy");
    let out = run.codegen_api("sendivent", "", &["--check"]);
    assert!(!out.status.success(), "the spec differs, so --check fails");
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("API changes: Sendivent API v1 → Sendivent API v1\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "POST /v1/webhooks (webhooks.create)\n  not breaking  request body `enabled_events[]`: value added (`delivery.opened`)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "breaking      request body `enabled_events[]`: value removed (`delivery.bounced`) — the enum loses the variant"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("not breaking  `ErrorCode`: error code added (`MAINTENANCE` (503))"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Semver: major (breaking changes), 0.1.0 → 0.2.0"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    for stale in [
        "spec/sendivent/openapi.json: differs",
        "spec/sendivent/docs/api-guide.md: differs",
        "spec/sendivent/docs/SOURCE.toml: differs",
        "tests/snapshots/sendivent_client.rs: differs",
    ] {
        assert!(stderr.contains(stale), "{stale} in {stderr}");
    }
    let json = run.json();
    assert_eq!(json["summary"]["breaking"], 4);
    assert_eq!(json["summary"]["next_version"], "0.2.0");
    assert_eq!(committed_sibling("sendivent"), before);
}

#[test]
fn an_identical_sibling_document_reports_no_change() {
    let before = committed_sibling("sendseven");
    let run = Run::new("");
    let copy = run.path("media-attachments.md");
    std::fs::copy(
        root().join("spec/sendseven/docs/media-attachments.md"),
        &copy,
    )
    .expect("copy");
    let out = xtask(&["codegen", "--api", "sendseven", "--docs", &copy, "--check"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "API changes: SendSeven API v1 → SendSeven API v1\nNo changes in the API."
        ),
        "{stdout}"
    );
    assert_eq!(committed_sibling("sendseven"), before);
}

#[test]
fn an_unknown_api_or_a_copy_of_no_document_is_refused() {
    let out = xtask(&["codegen", "--api", "sendgrid", "--check"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unknown API `sendgrid` for --api; one of sentdm, sendseven, sendivent"),
        "{stderr}"
    );

    let run = Run::new("# Readme");
    let docs = run.path("docs.txt");
    let out = xtask(&["codegen", "--api", "sendseven", "--docs", &docs, "--check"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "is not a copy of any of its documents; the documents of spec/sendseven/docs are examples.md, send-message.md, media-attachments.md"
        ),
        "{stderr}"
    );
}

#[test]
fn a_section_dropped_from_a_sibling_document_is_a_removed_operation_with_stale_facts() {
    let before = committed_sibling("sendivent");
    let guide = sendivent_guide();
    let section = "### POST /v1/send/{event}/{channel}\n\nForce delivery to a specific channel. Channels: `email`, `sms`, `slack`, `push`, `telegram`, `whatsapp`, `discord`.\n\n";
    assert_eq!(guide.matches(section).count(), 1);
    let run = Run::new("");
    std::fs::write(run.path("api-guide.md"), guide.replace(section, "")).expect("new copy");
    // Without --check: the run must stop before writing anything.
    let out = run.codegen_api("sendivent", "api-guide.md", &[]);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "POST /v1/send/{event}/{channel} (notifications.send_to_channel)\n  breaking      operation: removed"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("stale fact: [[operation]] sendEventToChannel parameter channel ("),
        "{stdout}"
    );
    assert!(
        stdout.contains("Note: stale fact: [[schema]] Channel — its quote is no longer in"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    // The fact is named with its line and column.
    let line = stderr
        .lines()
        .find(|l| l.contains(" [[operation]] sendEventToChannel: the evidence quote is not in"))
        .unwrap_or_else(|| panic!("{stderr}"));
    let at = line
        .split_once("spec/sendivent/facts.toml:")
        .and_then(|(_, rest)| rest.split_once(": "))
        .map(|(at, _)| at)
        .unwrap_or_default();
    let numbers: Vec<&str> = at.split(':').collect();
    assert!(
        numbers.len() == 2 && numbers.iter().all(|n| n.parse::<u32>().is_ok()),
        "{line}"
    );
    let json = run.json();
    assert_eq!(json["changes"][0]["kind"], "operation-removed");
    assert_eq!(
        json["changes"][0]["stale_facts"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(committed_sibling("sendivent"), before);
}
