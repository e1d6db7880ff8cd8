//! Change reports: what differs between two OpenAPI documents, and what each difference does
//! to code written against the client generated from them.
//!
//! The comparison reads the two documents only — not the docs' own changelog — and works for
//! any pair (the `x-` extensions the generator understands are used where present). Where the
//! new document was assembled from docs, two things the spec alone would hide are added: the
//! conflicts between pages the new docs bring ([`absorbed`]), and the facts left citing
//! endpoint pages the docs no longer have ([`stale`]).
//!
//! Each change is breaking or not, with the reason; the report ends with the semver bump the
//! changes call for.

mod absorbed;
mod fields;
mod render;
mod spec;
mod stale;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use crate::assemble::{self, Assembly, SourceLabel};
use crate::conflicts::Conflict;
use crate::error::Error;
pub use stale::{StaleFact, prune_removed_operations};

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationMoved,
    PaginationAdded,
    PaginationRemoved,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    ParameterRetyped,
    ParameterRequired,
    ParameterOptional,
    FieldAdded,
    FieldRemoved,
    FieldRenamed,
    FieldRetyped,
    FieldRequired,
    FieldOptional,
    ValueAdded,
    ValueRemoved,
    ConstraintTightened,
    ConstraintLoosened,
    FormatChanged,
    StatusAdded,
    StatusRemoved,
    PayloadRetyped,
    ErrorCodeAdded,
    ErrorCodeRemoved,
    TypeAdded,
    TypeRemoved,
    /// A page changed a member another page still documents the old way; the spec follows
    /// the precedence rule.
    DocumentedDifferently,
    ServerChanged,
    AuthChanged,
    EnvelopeChanged,
}

impl Kind {
    /// How the change reads after the place it is at.
    pub fn verb(self) -> &'static str {
        use Kind::*;
        match self {
            OperationAdded | ParameterAdded | FieldAdded | TypeAdded => "added",
            OperationRemoved | ParameterRemoved | FieldRemoved | TypeRemoved => "removed",
            OperationRenamed => "client method renamed",
            OperationMoved => "moved",
            PaginationAdded => "pagination added",
            PaginationRemoved => "pagination removed",
            ParameterRenamed | FieldRenamed => "renamed",
            ParameterRetyped | FieldRetyped | PayloadRetyped => "retyped",
            ParameterRequired | FieldRequired => "made required",
            ParameterOptional | FieldOptional => "made optional",
            ValueAdded => "value added",
            ValueRemoved => "value removed",
            ConstraintTightened => "constraint tightened",
            ConstraintLoosened => "constraint loosened",
            FormatChanged => "format changed",
            StatusAdded => "status added",
            StatusRemoved => "status removed",
            ErrorCodeAdded => "error code added",
            ErrorCodeRemoved => "error code removed",
            DocumentedDifferently => "documented differently by two pages",
            ServerChanged => "server changed",
            AuthChanged => "authentication changed",
            EnvelopeChanged => "envelope changed",
        }
    }
}

/// The operation a change is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The client's name for it (`contacts.list`), from `x-group` and `x-method`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// One difference between the two documents.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `None` for API-wide changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    pub kind: Kind,
    /// Where: `operation`, `query parameter `page``, `request body `template.id``,
    /// `response 200 `data.contacts[].id``, `type `WebhookPayload``, `API`.
    pub at: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Whether code written against the client generated from the old document may stop
    /// compiling or working with the client generated from the new one.
    pub breaking: bool,
    pub reason: String,
    /// The conflict between pages behind the change, when the new docs brought one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// Facts in `spec/facts.toml` that cite a removed operation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_facts: Vec<String>,
    /// The nearest component and the path inside it, for naming conflicts.
    #[serde(skip)]
    schema_at: Option<(String, String)>,
}

impl Change {
    /// Whether the change adds to what code can use.
    fn additive(&self) -> bool {
        match self.kind {
            Kind::OperationAdded
            | Kind::PaginationAdded
            | Kind::ParameterAdded
            | Kind::FieldAdded
            | Kind::ValueAdded
            | Kind::TypeAdded => true,
            Kind::ErrorCodeAdded => self.operation.is_none(),
            _ => false,
        }
    }

    fn bump(&self) -> Bump {
        if self.breaking {
            Bump::Major
        } else if self.kind == Kind::DocumentedDifferently {
            Bump::None
        } else if self.additive() {
            Bump::Minor
        } else {
            Bump::Patch
        }
    }
}

/// The semver bump changes call for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    /// The version after `version` (`major.minor.patch`); before 1.0 every bump moves one
    /// place right, as Cargo reads versions.
    pub fn next(self, version: &str) -> Option<String> {
        let core = version.split(['-', '+']).next()?;
        let parts: Vec<u64> = core
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [major, minor, patch] = parts[..] else {
            return None;
        };
        Some(match (self, major) {
            (Bump::None, _) => format!("{major}.{minor}.{patch}"),
            (Bump::Major, 0) => format!("0.{}.0", minor + 1),
            (Bump::Minor | Bump::Patch, 0) => format!("0.{minor}.{}", patch + 1),
            (Bump::Major, _) => format!("{}.0.0", major + 1),
            (Bump::Minor, _) => format!("{major}.{}.0", minor + 1),
            (Bump::Patch, _) => format!("{major}.{minor}.{}", patch + 1),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub breaking: usize,
    pub not_breaking: usize,
    pub bump: Bump,
    /// The client's version now, and after the bump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_version: Option<String>,
}

/// Everything that changed between two documents.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The compared documents: title, version and docs retrieval date of each.
    pub from: String,
    pub to: String,
    pub changes: Vec<Change>,
    /// Conflicts between pages the new docs bring that no change names.
    pub new_conflicts: Vec<String>,
    pub notes: Vec<String>,
    pub summary: Summary,
    #[serde(skip)]
    reach: fields::Reach,
}

fn describe(doc: &Value) -> String {
    let text = |p: &str| doc.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let mut s = format!("{} {}", text("/info/title"), text("/info/version"))
        .trim()
        .to_string();
    let retrieved = text("/info/x-docs-source/retrieved");
    if !retrieved.is_empty() {
        s.push_str(&format!(" (docs retrieved {retrieved})"));
    }
    s
}

impl Report {
    /// Compares two OpenAPI documents.
    pub fn compare(old: &Value, new: &Value) -> Report {
        let (changes, reach) = spec::compare(old, new);
        let mut report = Report {
            from: describe(old),
            to: describe(new),
            changes,
            new_conflicts: Vec::new(),
            notes: Vec::new(),
            summary: Summary {
                breaking: 0,
                not_breaking: 0,
                bump: Bump::None,
                version: None,
                next_version: None,
            },
            reach,
        };
        report.summarize();
        report
    }

    /// Names the conflicts the new assembly met that the old one did not.
    pub fn conflicts(
        &mut self,
        new: &Value,
        old_conflicts: &[Conflict],
        new_conflicts: &[Conflict],
    ) {
        absorbed::attribute(self, new, old_conflicts, new_conflicts);
        self.summarize();
    }

    /// Lists each stale fact under the removal of the operation it cites.
    pub fn stale(&mut self, facts: &[StaleFact]) {
        for f in facts {
            let line = format!("{} ({})", f.fact, f.cites);
            match self.changes.iter_mut().find(|c| {
                c.kind == Kind::OperationRemoved
                    && c.operation.as_ref().and_then(|o| o.id.as_deref())
                        == Some(f.operation_id.as_str())
            }) {
                Some(c) => c.stale_facts.push(line),
                None => self.notes.push(format!(
                    "stale fact citing `{}`, which the committed spec does not have: {line}",
                    f.operation_id
                )),
            }
        }
    }

    /// The client's current version, for the version the bump leads to.
    pub fn version(&mut self, version: &str) {
        self.summary.version = Some(version.to_string());
        self.summarize();
    }

    fn summarize(&mut self) {
        let breaking = self.changes.iter().filter(|c| c.breaking).count();
        self.summary.breaking = breaking;
        self.summary.not_breaking = self.changes.len() - breaking;
        self.summary.bump = self
            .changes
            .iter()
            .map(Change::bump)
            .max()
            .unwrap_or(Bump::None);
        self.summary.next_version = self
            .summary
            .version
            .as_deref()
            .and_then(|v| self.summary.bump.next(v));
    }

    pub fn text(&self) -> String {
        render::text(self)
    }

    pub fn markdown(&self) -> String {
        render::markdown(self)
    }

    pub fn json(&self) -> Result<String, Error> {
        let mut s = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Usage(format!("change report: {e}")))?;
        s.push('\n');
        Ok(s)
    }
}

/// The version of the crate in `dir`, following `version.workspace = true` to the workspace.
pub fn crate_version(root: &Path, dir: &str) -> Option<String> {
    let read = |p: &Path| -> Option<toml::Table> {
        toml::from_str(&std::fs::read_to_string(p).ok()?).ok()
    };
    let manifest = read(&root.join(dir).join("Cargo.toml"))?;
    let version = manifest.get("package")?.get("version")?;
    if let Some(v) = version.as_str() {
        return Some(v.to_string());
    }
    let workspace = read(&root.join("Cargo.toml"))?;
    Some(
        workspace
            .get("workspace")?
            .get("package")?
            .get("version")?
            .as_str()?
            .to_string(),
    )
}

/// The committed spec at `path`, or `None` (saying so) when there is none to compare with.
pub fn committed_spec(path: &Path) -> Result<Option<Value>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!(
                "change report: no committed spec at {} to compare with",
                path.display()
            );
            Ok(None)
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Prints `report` (with the client's `version` and the time since `started`) and writes it to
/// the Markdown and JSON files asked for.
pub fn publish(
    mut report: Report,
    version: Option<&str>,
    started: Instant,
    markdown: Option<&Path>,
    json: Option<&Path>,
) -> Result<(), Error> {
    if let Some(v) = version {
        report.version(v);
    }
    let elapsed = started.elapsed();
    print!("{}", report.text());
    println!("change report: compared in {elapsed:.0?}");
    if let Some(path) = markdown {
        crate::codegen::write_atomic(path, &report.markdown())?;
    }
    if let Some(path) = json {
        crate::codegen::write_atomic(path, &report.json()?)?;
    }
    Ok(())
}

/// What `cargo xtask codegen` needs to compare the committed Sent.dm spec with a new one.
#[derive(Debug)]
pub struct Context<'a> {
    /// The committed spec.
    pub committed: &'a Path,
    pub facts: &'a str,
    pub label: &'a SourceLabel,
    /// The docs the committed spec was assembled from, when they differ from the new docs
    /// (for the conflicts they have).
    pub old_docs: Option<String>,
    /// The client's version.
    pub version: Option<String>,
    /// Where to write the report as Markdown and as JSON.
    pub markdown: Option<&'a Path>,
    pub json: Option<&'a Path>,
}

impl Context<'_> {
    /// Prints the change report between the committed spec and `new`, the assembly of
    /// `docs`, and writes the files asked for.
    pub fn run(&self, new: Result<&Assembly, &Error>, docs: &str) -> Result<(), Error> {
        let started = Instant::now();
        let Some(old) = committed_spec(self.committed)? else {
            return Ok(());
        };
        let Some(report) = self.report(&old, new, docs) else {
            return Ok(());
        };
        publish(
            report,
            self.version.as_deref(),
            started,
            self.markdown,
            self.json,
        )
    }

    /// The change report from `old` to the spec `docs` assemble to. When they failed to
    /// assemble because they no longer document operations the facts cite, the report is of
    /// the spec assembled without those facts, and lists them as stale; `None` when they
    /// failed for another reason (the assembly error says which).
    pub fn report(
        &self,
        old: &Value,
        new: Result<&Assembly, &Error>,
        docs: &str,
    ) -> Option<Report> {
        let mut stale = None;
        let pruned;
        let new = match new {
            Ok(a) => a,
            Err(_) => {
                let p = prune_removed_operations(docs, self.facts)?;
                pruned = assemble::assemble(docs.to_string(), &p.facts, self.label).ok()?;
                stale = Some(p.stale);
                &pruned
            }
        };
        let mut report = Report::compare(old, &new.spec);
        if let Some(before) = &self.old_docs {
            match self.assemble_leniently(before) {
                Ok(before) => report.conflicts(&new.spec, &before.conflicts, &new.conflicts),
                Err(e) => report.notes.push(format!(
                    "the vendored docs do not assemble with spec/facts.toml ({e}); conflicts are not compared"
                )),
            }
        }
        if let Some(stale) = stale {
            report.stale(&stale);
            report.notes.push(
                "the new docs no longer document operations spec/facts.toml cites: the spec cannot be written until the stale facts listed above are removed or updated".into(),
            );
        }
        Some(report)
    }

    /// Assembles docs with the facts, leaving out facts citing operations the docs lack.
    fn assemble_leniently(&self, docs: &str) -> Result<Assembly, Error> {
        match assemble::assemble(docs.to_string(), self.facts, self.label) {
            Ok(a) => Ok(a),
            Err(e) => match prune_removed_operations(docs, self.facts) {
                Some(p) => assemble::assemble(docs.to_string(), &p.facts, self.label),
                None => Err(e),
            },
        }
    }
}
