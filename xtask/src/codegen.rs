//! `cargo xtask codegen [--check] [--api NAME] [--docs PATH] [--report FILE] [--report-json FILE]`:
//! refreshes every generated file, or checks that none is stale. With new docs, or when a
//! report file is asked for, it also reports how the assembled spec of one API (`--api`: Sent.dm
//! by default, or a fact-driven one) differs from the committed one (see [`crate::changes`]).
//!
//! Generated files:
//! - `spec/openapi.json` — the assembled spec;
//! - `spec/conflicts.md` — the conflicts report;
//! - `sentdm-client/openapi.json` and `sentdm-mock/openapi.json` — the packages' copies of the
//!   spec (a package reads only files inside it);
//! - `tests/snapshots/sentdm_client.rs` — the code the client's build script generates;
//! - `spec/<api>/openapi.json` and `spec/<api>/conflicts.md` of every fact-driven spec
//!   (SendSeven, Sendivent; see [`crate::factspec`]), the client and mock crates' copies
//!   (`sendseven-client/openapi.json`, `sendseven-mock/openapi.json`, …) and the code their build
//!   scripts generate (`tests/snapshots/sendseven_client.rs`, `…/sendivent_client.rs`).
//!
//! Everything is computed in memory first; files are written only when assembly succeeded,
//! each through a temporary file and a rename, so bad docs never leave a half-written spec.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::assemble::{self, Assembly, SourceLabel};
use crate::changes;
use crate::conflicts;
use crate::error::Error;
use crate::factspec;

#[path = "../../sentdm-client/codegen_config.rs"]
mod client_config;
#[path = "../../sendivent-client/codegen_config.rs"]
mod sendivent_config;
#[path = "../../sendseven-client/codegen_config.rs"]
mod sendseven_config;

/// The client crate generated from the spec of `spec/<api>/`, and its generator settings.
fn sibling_client(api: &str) -> Option<(&'static str, sentdm_generator::Config)> {
    match api {
        "sendseven" => Some(("sendseven-client", sendseven_config::config())),
        "sendivent" => Some(("sendivent-client", sendivent_config::config())),
        _ => None,
    }
}

/// The docs snapshot label, `spec/docs/SOURCE.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    source: String,
    retrieved: String,
    file: String,
    sha256: String,
}

impl Label {
    fn render(&self) -> String {
        format!(
            "# Label of the vendored documentation snapshot in this directory.\n\
             # `{file}` is data, not code: the `llms` text export of the Sent.dm documentation\n\
             # (one page after another, each introduced by a `SOURCE: <url>` banner, newlines collapsed\n\
             # by the export). `cargo xtask codegen --docs PATH` replaces it with another copy and\n\
             # updates this label.\n\
             source = \"{source}\"\nretrieved = \"{retrieved}\"\nfile = \"{file}\"\nsha256 = \"{sha}\"\n",
            file = self.file,
            source = self.source,
            retrieved = self.retrieved,
            sha = self.sha256,
        )
    }
}

#[derive(Debug, Default)]
pub struct Options {
    pub check: bool,
    /// The API whose docs `docs` replaces and whose spec the change report compares: `sentdm`
    /// (the default) or one of [`factspec::APIS`].
    pub api: Option<String>,
    pub docs: Option<PathBuf>,
    /// Where to write the change report as Markdown, and as JSON.
    pub report: Option<PathBuf>,
    pub report_json: Option<PathBuf>,
}

impl Options {
    /// Whether to compare the committed spec with the assembled one.
    fn compares(&self) -> bool {
        self.docs.is_some() || self.report.is_some() || self.report_json.is_some()
    }
}

/// One file the command owns.
struct Output {
    path: PathBuf,
    contents: String,
}

/// The API the Sent.dm docs export describes, as `--api` names it.
const SENT: &str = "sentdm";

pub fn run(root: &Path, options: &Options) -> Result<(), Error> {
    let started = Instant::now();
    let api = options.api.as_deref().unwrap_or(SENT);
    if api != SENT && !factspec::APIS.contains(&api) {
        return Err(Error::Usage(format!(
            "unknown API `{api}` for --api; one of {SENT}, {}",
            factspec::APIS.join(", ")
        )));
    }
    // New docs and the change report are of one API.
    let sent_docs = options.docs.as_ref().filter(|_| api == SENT);
    let sent_compares = options.compares() && api == SENT;
    let sibling_compares = options.compares() && api != SENT;
    let label_path = root.join("spec/docs/SOURCE.toml");
    let label_text = read(&label_path)?;
    let mut label: Label = toml::from_str(&label_text)
        .map_err(|e| Error::Usage(format!("{}: {e}", label_path.display())))?;
    let vendored = root.join("spec/docs").join(&label.file);
    let docs_path = sent_docs.cloned().unwrap_or_else(|| vendored.clone());
    let docs_bytes = fs::read(&docs_path).map_err(|e| Error::io(&docs_path, e))?;
    let docs_text = String::from_utf8(docs_bytes.clone())
        .map_err(|e| Error::Usage(format!("{}: not UTF-8: {e}", docs_path.display())))?;
    let sha = hex(&Sha256::digest(&docs_bytes));
    let docs_changed = sent_docs.is_some() && sha != label.sha256;
    if docs_changed {
        label.sha256 = sha.clone();
        label.retrieved = today();
    }

    let facts_path = root.join("spec/facts.toml");
    let facts = read(&facts_path)?;
    let source = SourceLabel {
        source: label.source.clone(),
        retrieved: label.retrieved.clone(),
    };
    let committed = root.join("spec/openapi.json");
    let comparison = sent_compares.then(|| changes::Context {
        committed: &committed,
        facts: &facts,
        label: &source,
        old_docs: docs_changed
            .then(|| fs::read_to_string(&vendored).ok())
            .flatten(),
        version: changes::crate_version(root, "sentdm-client"),
        markdown: options.report.as_deref(),
        json: options.report_json.as_deref(),
    });
    let assembly = match assemble::assemble(docs_text.clone(), &facts, &source) {
        Ok(a) => a,
        Err(e) => {
            if let Some(c) = &comparison {
                c.run(Err(&e), &docs_text)?;
            }
            return Err(e);
        }
    };
    let assembled_at = started.elapsed();
    if let Some(c) = &comparison {
        c.run(Ok(&assembly), &docs_text)?;
    }

    let spec_text = pretty(&assembly.spec)?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&spec_text).map_err(|e| Error::InvalidSpec(e.to_string()))?;
    let code = sentdm_generator::generate(&spec, &client_config::config())
        .map_err(|e| Error::Generate(e.to_string()))?;
    let generated_at = started.elapsed();
    let sibling_docs = options
        .docs
        .as_deref()
        .filter(|_| api != SENT)
        .map(|path| (api, path));
    let siblings = match factspec::assemble_all(root, sibling_docs) {
        Ok(siblings) => siblings,
        Err(e) => {
            if sibling_compares {
                compare_unquoted(root, api, options)?;
            }
            return Err(e.into());
        }
    };
    if sibling_compares {
        if let Some(built) = siblings.iter().find(|b| b.api == api) {
            compare_sibling(root, built, options)?;
        }
    }

    let mut outputs = vec![
        Output {
            path: root.join("spec/openapi.json"),
            contents: spec_text.clone(),
        },
        Output {
            path: root.join("sentdm-client/openapi.json"),
            contents: spec_text.clone(),
        },
        Output {
            path: root.join("sentdm-mock/openapi.json"),
            contents: spec_text,
        },
        Output {
            path: root.join("spec/conflicts.md"),
            contents: conflicts::render(&assembly.conflicts, &assembly.gaps, &assembly.precedence),
        },
        Output {
            path: root.join("tests/snapshots/sentdm_client.rs"),
            contents: code,
        },
    ];
    for built in &siblings {
        outputs.push(Output {
            path: built.spec_path.clone(),
            contents: built.spec_text.clone(),
        });
        if let Some((crate_dir, config)) = sibling_client(&built.api) {
            let spec: openapiv3::OpenAPI = serde_json::from_str(&built.spec_text)
                .map_err(|e| Error::InvalidSpec(format!("spec/{}: {e}", built.api)))?;
            let code = sentdm_generator::generate(&spec, &config)
                .map_err(|e| Error::Generate(format!("spec/{}: {e}", built.api)))?;
            for package in [crate_dir.to_owned(), format!("{}-mock", built.api)] {
                outputs.push(Output {
                    path: root.join(package).join("openapi.json"),
                    contents: built.spec_text.clone(),
                });
            }
            outputs.push(Output {
                path: root
                    .join("tests/snapshots")
                    .join(format!("{}.rs", crate_dir.replace('-', "_"))),
                contents: code,
            });
        }
        outputs.push(Output {
            path: built.report_path.clone(),
            contents: built.report.clone(),
        });
        for (path, contents) in &built.vendored {
            outputs.push(Output {
                path: path.clone(),
                contents: contents.clone(),
            });
        }
    }
    if sent_docs.is_some() {
        outputs.push(Output {
            path: vendored,
            contents: String::from_utf8(docs_bytes).unwrap_or_default(),
        });
    }
    // The label always states the snapshot's hash.
    if sha != label.sha256 && sent_docs.is_none() {
        return Err(Error::Usage(format!(
            "{} was edited without updating {} (sha256 {sha}); take docs in with `cargo xtask codegen --docs PATH`",
            docs_path.display(),
            label_path.display()
        )));
    }
    outputs.push(Output {
        path: label_path,
        contents: label.render(),
    });

    if options.check {
        let stale = stale_outputs(&outputs)?;
        if stale.is_empty() {
            report(&assembly, assembled_at, generated_at, "up to date");
            report_siblings(&siblings);
            return Ok(());
        }
        return Err(Error::Usage(format!(
            "generated files are stale; run `cargo xtask codegen`:\n{}",
            stale.join("\n")
        )));
    }
    for out in &outputs {
        write_atomic(&out.path, &out.contents)?;
    }
    report(&assembly, assembled_at, generated_at, "written");
    report_siblings(&siblings);
    Ok(())
}

/// Prints (and writes, when asked) the change report from the committed spec of a
/// fact-driven API to the one just assembled.
fn compare_sibling(root: &Path, built: &factspec::Built, options: &Options) -> Result<(), Error> {
    let started = Instant::now();
    let Some(committed) = changes::committed_spec(&built.spec_path)? else {
        return Ok(());
    };
    let new: Value = serde_json::from_str(&built.spec_text)
        .map_err(|e| Error::InvalidSpec(format!("spec/{}: {e}", built.api)))?;
    publish_sibling(
        root,
        &built.api,
        changes::Report::compare(&committed, &new),
        started,
        options,
    )
}

/// Prints the change report of a fact-driven API, with its client's version, and writes the
/// report files asked for.
fn publish_sibling(
    root: &Path,
    api: &str,
    report: changes::Report,
    started: Instant,
    options: &Options,
) -> Result<(), Error> {
    let version =
        sibling_client(api).and_then(|(crate_dir, _)| changes::crate_version(root, crate_dir));
    changes::publish(
        report,
        version.as_deref(),
        started,
        options.report.as_deref(),
        options.report_json.as_deref(),
    )
}

/// When the documents of a fact-driven API no longer have quotes its facts cite, prints (and
/// writes, when asked) the change report of the spec assembled without those facts' say:
/// operations none of whose own quotes are left count as removed, with the facts citing them
/// listed as stale, and the other facts whose quotes are gone are listed in the notes.
fn compare_unquoted(root: &Path, api: &str, options: &Options) -> Result<(), Error> {
    let started = Instant::now();
    let Ok(lenient) = factspec::assemble_dir_leniently(root, api, options.docs.as_deref()) else {
        return Ok(());
    };
    if lenient.unquoted.is_empty() {
        return Ok(());
    }
    let Some(committed) = changes::committed_spec(&factspec::spec_path(root, api))? else {
        return Ok(());
    };
    let mut report = changes::Report::compare(&committed, &lenient.assembled.spec);
    let mut stale = Vec::new();
    for u in &lenient.unquoted {
        let cites = format!("{}: \"{}\"", u.doc, u.quote);
        match &u.removed_operation {
            Some(id) => stale.push(changes::StaleFact {
                operation_id: id.clone(),
                fact: u.context.clone(),
                cites,
            }),
            None => report.notes.push(format!(
                "stale fact: {} — its quote is no longer in {cites}",
                u.context
            )),
        }
    }
    report.stale(&stale);
    report.notes.push(format!(
        "the new documents no longer have quotes spec/{api}/facts.toml cites: the spec cannot be written until the facts listed are edited"
    ));
    publish_sibling(root, api, report, started, options)
}

fn report_siblings(siblings: &[factspec::Built]) {
    for b in siblings {
        let s = b.stats;
        println!(
            "codegen: spec/{}: {} documents → {} operations, {} schemas, {} examples checked, {} error codes, {} findings in conflicts.md",
            b.api, s.documents, s.operations, s.schemas, s.examples, s.error_codes, b.findings,
        );
    }
}

fn report(
    a: &Assembly,
    assembled: std::time::Duration,
    generated: std::time::Duration,
    what: &str,
) {
    let s = a.stats;
    println!(
        "codegen: {what}. {} pages ({} endpoint pages) → {} operations, {} schemas, {} examples checked, {} error codes, {} conflicts. assembled in {:.0?}, code generated by {:.0?}",
        s.pages,
        s.endpoint_pages,
        s.operations,
        s.schemas,
        s.examples,
        s.error_codes,
        a.conflicts.len(),
        assembled,
        generated,
    );
}

/// Which outputs differ from the files on disk, each with what differs.
fn stale_outputs(outputs: &[Output]) -> Result<Vec<String>, Error> {
    let mut stale = Vec::new();
    for out in outputs {
        let current = match fs::read_to_string(&out.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                stale.push(format!("  {}: missing", out.path.display()));
                continue;
            }
            Err(e) => return Err(Error::io(&out.path, e)),
        };
        if current == out.contents {
            continue;
        }
        let mut line = format!("  {}: differs", out.path.display());
        if out.path.extension().is_some_and(|e| e == "json")
            && let Ok(old) = serde_json::from_str::<Value>(&current)
            && let Ok(new) = serde_json::from_str::<Value>(&out.contents)
        {
            let what = spec_differences(&old, &new);
            if !what.is_empty() {
                line.push_str(&format!(" ({})", what.join("; ")));
            }
        } else if let Some(n) = first_differing_line(&current, &out.contents) {
            line.push_str(&format!(" (from line {n})"));
        }
        stale.push(line);
    }
    Ok(stale)
}

/// Names the operations and components that differ between two specs.
pub fn spec_differences(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let ops = |spec: &Value| -> Vec<(String, Value)> {
        let mut v = Vec::new();
        if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
            for (path, methods) in paths {
                if let Some(methods) = methods.as_object() {
                    for (method, op) in methods {
                        let id = op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        v.push((
                            format!("{id} ({} {path})", method.to_uppercase()),
                            op.clone(),
                        ));
                    }
                }
            }
        }
        v
    };
    let (old_ops, new_ops) = (ops(old), ops(new));
    for (name, op) in &new_ops {
        match old_ops.iter().find(|(n, _)| n == name) {
            None => out.push(format!("operation {name} added")),
            Some((_, before)) if before != op => {
                let mut parts = Vec::new();
                if let (Some(a), Some(b)) = (before.as_object(), op.as_object()) {
                    for key in a.keys().chain(b.keys()) {
                        if a.get(key) != b.get(key) && !parts.contains(key) {
                            parts.push(key.clone());
                        }
                    }
                }
                out.push(format!("operation {name} changed: {}", parts.join(", ")));
            }
            Some(_) => {}
        }
    }
    for (name, _) in &old_ops {
        if !new_ops.iter().any(|(n, _)| n == name) {
            out.push(format!("operation {name} removed"));
        }
    }
    let schemas = |spec: &Value| {
        spec.pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (a, b) = (schemas(old), schemas(new));
    for (name, s) in &b {
        match a.get(name) {
            None => out.push(format!("schema {name} added")),
            Some(before) if before != s => out.push(format!("schema {name} changed")),
            Some(_) => {}
        }
    }
    for name in a.keys() {
        if !b.contains_key(name) {
            out.push(format!("schema {name} removed"));
        }
    }
    for key in [
        "info",
        "servers",
        "security",
        "tags",
        "x-envelope",
        "x-error-codes",
    ] {
        if old.get(key) != new.get(key) {
            out.push(format!("`{key}` changed"));
        }
    }
    out
}

fn first_differing_line(a: &str, b: &str) -> Option<usize> {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .or_else(|| {
            (a.lines().count() != b.lines().count())
                .then(|| a.lines().count().min(b.lines().count()))
        })
        .map(|i| i + 1)
}

fn pretty(v: &Value) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| Error::InvalidSpec(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

pub(crate) fn write_atomic(path: &Path, contents: &str) -> Result<(), Error> {
    if let Ok(current) = fs::read_to_string(path)
        && current == contents
    {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    fs::write(&tmp, contents).map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Today's UTC date as `YYYY-MM-DD`.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_changed_operations() {
        let old = json!({"paths": {"/v3/x": {"get": {"operationId": "GetX", "parameters": []}}}, "components": {"schemas": {"A": {}}}});
        let new = json!({"paths": {"/v3/x": {"get": {"operationId": "GetX", "parameters": [{"name": "q"}]}}}, "components": {"schemas": {"A": {}, "B": {}}}});
        let d = spec_differences(&old, &new);
        assert_eq!(
            d,
            [
                "operation GetX (GET /v3/x) changed: parameters",
                "schema B added"
            ]
        );
    }

    #[test]
    fn date_is_well_formed() {
        let d = today();
        assert_eq!(d.len(), 10);
        assert!(d.starts_with("20"));
    }

    #[test]
    fn differing_line() {
        assert_eq!(first_differing_line("a\nb\nc", "a\nx\nc"), Some(2));
        assert_eq!(first_differing_line("a\nb", "a\nb\nc"), Some(3));
        assert_eq!(first_differing_line("a", "a"), None);
    }
}
