//! Conflicts the new docs bring. When one page changes a member while another still documents
//! it the old way, assembly keeps one side by the precedence rule and records a conflict, so
//! the spec may not change at all. The report names each new conflict beside the member it is
//! about: on the member's change when the spec changed, as a change of its own otherwise.

use std::collections::BTreeSet;

use serde_json::Value;

use super::fields::{Place, Root, Side, resolve, schema_ref};
use super::{Change, Kind, Report};
use crate::conflicts::Conflict;

/// The component a `Component.member.path` subject lands in, and the path inside it, as
/// the comparison names places: `$ref`s switch component, array items add `[]`.
fn locate(doc: &Value, at: &str) -> Option<(String, String)> {
    let (first, rest) = at.split_once('.')?;
    let schemas = doc.pointer("/components/schemas")?;
    let mut component = first.to_string();
    let mut path = String::new();
    let mut current = schemas.get(first)?;
    for segment in rest.split('.') {
        while let Some(name) = schema_ref(current) {
            component = name.to_string();
            path.clear();
            current = schemas.get(name)?;
        }
        let (name, items) = match segment.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (segment, false),
        };
        current = current.get("properties")?.get(name)?;
        path = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        if items {
            current = resolve(doc, current).get("items")?;
            path.push_str("[]");
        }
    }
    Some((component, path))
}

fn pages(c: &Conflict) -> String {
    let mut pages: Vec<&str> = c
        .sides
        .iter()
        .flat_map(|s| s.pages.iter().map(String::as_str))
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages.join(", ")
}

/// Names the conflicts of `new` that `old` does not have in `report`.
pub fn attribute(report: &mut Report, doc: &Value, old: &[Conflict], new: &[Conflict]) {
    let known: BTreeSet<(_, &str, &str)> = old
        .iter()
        .flat_map(|c| {
            c.subjects
                .iter()
                .map(move |s| (c.kind, s.at.as_str(), s.claim.as_str()))
        })
        .collect();
    let known_topics: BTreeSet<(_, &str)> =
        old.iter().map(|c| (c.kind, c.topic.as_str())).collect();
    let mut added = Vec::new();
    for c in new {
        if c.subjects.is_empty() {
            if !known_topics.contains(&(c.kind, c.topic.as_str())) {
                report.new_conflicts.push(format!(
                    "{}: {} ({})",
                    c.kind.heading(),
                    c.topic,
                    pages(c)
                ));
            }
            continue;
        }
        for s in &c.subjects {
            if known.contains(&(c.kind, s.at.as_str(), s.claim.as_str())) {
                continue;
            }
            let named = format!("{}: {} ({})", c.kind.heading(), s.claim, pages(c));
            let Some(target) = locate(doc, &s.at) else {
                // A member the spec does not have (only on the side not taken).
                report.new_conflicts.push(named);
                continue;
            };
            let mut hit = false;
            for change in report
                .changes
                .iter_mut()
                .filter(|ch| ch.schema_at.as_ref() == Some(&target))
            {
                change.conflict = Some(match change.conflict.take() {
                    Some(before) => format!("{before}; {named}"),
                    None => named.clone(),
                });
                hit = true;
            }
            if hit {
                continue;
            }
            let (component, path) = &target;
            let places = report.reach.get(component).cloned().unwrap_or_default();
            let places = if places.is_empty() {
                let place = Place::new(format!("type `{component}`"), Root::Type, Side::Response)
                    .enter(component);
                vec![(None, place)]
            } else {
                places
            };
            for (operation, place) in places {
                let place = path
                    .split('.')
                    .fold(place, |p, m| match m.strip_suffix("[]") {
                        Some(m) => p.member(m).items(),
                        None => p.member(m),
                    });
                added.push(Change {
                    operation,
                    kind: Kind::DocumentedDifferently,
                    at: place.at(),
                    detail: s.claim.clone(),
                    breaking: false,
                    reason: "the spec keeps one side by the precedence rule, so the client does not change; review which side the API follows".into(),
                    conflict: Some(named.clone()),
                    stale_facts: Vec::new(),
                    schema_at: Some(target.clone()),
                });
            }
        }
    }
    report.changes.extend(added);
    super::spec::order(&mut report.changes);
}
