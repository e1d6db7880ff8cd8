//! The report as terminal text and as Markdown (the JSON form is the serialized report).

use std::fmt::Write;

use super::{Bump, Change, Operation, Report};

/// The changes grouped by operation (in report order), API-wide ones under `None`.
fn groups(report: &Report) -> Vec<(Option<&Operation>, Vec<&Change>)> {
    let mut out: Vec<(Option<&Operation>, Vec<&Change>)> = Vec::new();
    for c in &report.changes {
        match out.last_mut() {
            Some((op, list)) if *op == c.operation.as_ref() => list.push(c),
            _ => out.push((c.operation.as_ref(), vec![c])),
        }
    }
    out
}

fn heading(op: Option<&Operation>) -> String {
    match op {
        None => "API-wide".into(),
        Some(o) => match o.client.as_ref().or(o.id.as_ref()) {
            Some(name) => format!("{o} ({name})"),
            None => o.to_string(),
        },
    }
}

fn what(c: &Change) -> String {
    if c.detail.is_empty() {
        c.kind.verb().to_string()
    } else {
        format!("{} ({})", c.kind.verb(), c.detail)
    }
}

fn class(c: &Change) -> &'static str {
    if c.breaking {
        "breaking"
    } else {
        "not breaking"
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line: counts and the semver bump.
fn verdict(report: &Report) -> String {
    let s = &report.summary;
    let counts = if report.changes.is_empty() {
        "No changes in the API.".to_string()
    } else {
        format!(
            "{}: {} breaking, {} not breaking.",
            count(report.changes.len(), "change", "changes"),
            s.breaking,
            s.not_breaking
        )
    };
    let why = match s.bump {
        Bump::Major => "breaking changes",
        Bump::Minor => "additions, nothing breaking",
        Bump::Patch => "nothing added, nothing breaking",
        Bump::None => "the generated client does not change",
    };
    let bump = match s.bump {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
        Bump::None => "none",
    };
    let mut out = format!("{counts} Semver: {bump} ({why})");
    if let (Some(v), Some(next)) = (&s.version, &s.next_version) {
        if v == next {
            out.push_str(&format!(", {v} stays"));
        } else {
            out.push_str(&format!(", {v} → {next}"));
        }
        if v.starts_with("0.") && matches!(s.bump, Bump::Major | Bump::Minor) {
            out.push_str(" (before 1.0 each bump moves one place right)");
        }
    }
    out.push('.');
    out
}

pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "API changes: {} → {}", report.from, report.to);
    for (op, changes) in groups(report) {
        let _ = writeln!(out, "{}", heading(op));
        for c in changes {
            let _ = writeln!(
                out,
                "  {:<12}  {}: {} — {}",
                class(c),
                c.at,
                what(c),
                c.reason
            );
            if let Some(conflict) = &c.conflict {
                let _ = writeln!(out, "                conflict: {conflict}");
            }
            for f in &c.stale_facts {
                let _ = writeln!(out, "                stale fact: {f}");
            }
        }
    }
    if !report.new_conflicts.is_empty() {
        let _ = writeln!(out, "New conflicts between pages:");
        for c in &report.new_conflicts {
            let _ = writeln!(out, "  - {c}");
        }
    }
    for n in &report.notes {
        let _ = writeln!(out, "Note: {n}");
    }
    let _ = writeln!(out, "{}", verdict(report));
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# API changes");
    let _ = writeln!(out);
    let _ = writeln!(out, "From {} to {}.", report.from, report.to);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Each change is classified for code written against the generated client."
    );
    for (op, changes) in groups(report) {
        let _ = writeln!(out);
        let _ = match op {
            None => writeln!(out, "## API-wide"),
            Some(o) => match o.client.as_ref().or(o.id.as_ref()) {
                Some(name) => writeln!(out, "## `{o}` (`{name}`)"),
                None => writeln!(out, "## `{o}`"),
            },
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "| | Where | Change | Why |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in changes {
            let mut why = cell(&c.reason);
            if let Some(conflict) = &c.conflict {
                why.push_str(&format!("<br>Conflict: {}", cell(conflict)));
            }
            for f in &c.stale_facts {
                why.push_str(&format!("<br>Stale fact: {}", cell(f)));
            }
            let class = if c.breaking {
                "**breaking**"
            } else {
                "not breaking"
            };
            let _ = writeln!(
                out,
                "| {class} | {} | {} | {why} |",
                cell(&c.at),
                cell(&what(c))
            );
        }
    }
    for (title, items) in [
        ("New conflicts between pages", &report.new_conflicts),
        ("Notes", &report.notes),
    ] {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "## {title}");
        let _ = writeln!(out);
        for item in items {
            let _ = writeln!(out, "- {item}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## Semver");
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", verdict(report));
    out
}
