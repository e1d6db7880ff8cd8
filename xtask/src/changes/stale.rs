//! Operations whose endpoint pages the docs no longer have. Assembly stops on them ("no
//! endpoint page documents this operation"): the facts still cite them. For the change report
//! the facts are read without everything that cites those operations, so the rest of the docs
//! can be assembled and compared, and each fact left out is reported as stale.

use std::collections::{BTreeMap, BTreeSet};

use toml::{Table, Value};

use crate::docs::Docs;
use crate::endpoint;
use crate::facts::{Facts, Location};

/// A fact citing an operation the docs no longer document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFact {
    /// The operation's full id, as in the spec's `operationId`.
    pub operation_id: String,
    /// The fact, as `spec/facts.toml` names it (`[[component]] Contact`).
    pub fact: String,
    /// What in the fact cites the operation.
    pub cites: String,
}

/// The facts without what cites removed operations.
#[derive(Debug)]
pub struct Pruned {
    pub facts: String,
    pub stale: Vec<StaleFact>,
}

/// The operations the facts name that no endpoint page of `docs` documents, and the facts
/// without them. `None` when there are none, or when the docs or facts cannot be read (the
/// assembly names those problems itself).
pub fn prune_removed_operations(docs: &str, facts: &str) -> Option<Pruned> {
    let parsed = Facts::parse(facts).ok()?;
    let docs = Docs::parse(docs.to_string()).ok()?;
    let mut documented = BTreeSet::new();
    for page in docs.pages.iter().filter(|p| endpoint::is_endpoint_page(p)) {
        documented.insert(endpoint::parse(&docs, page).ok()?.operation_id);
    }
    let (prefix, suffix) = (
        &parsed.api.operation_id_prefix,
        &parsed.api.operation_id_suffix,
    );
    let full = |short: &str| format!("{prefix}{short}{suffix}");
    let removed: BTreeSet<String> = parsed
        .operations
        .iter()
        .map(|o| o.id.clone())
        .filter(|id| !documented.contains(&full(id)))
        .collect();
    if removed.is_empty() {
        return None;
    }
    let mut table: Table = toml::from_str(facts).ok()?;
    let mut pruner = Pruner {
        operations: &removed,
        components: BTreeMap::new(),
        stale: Vec::new(),
    };
    pruner.prune(&mut table);
    let facts = toml::to_string(&table).ok()?;
    let stale = pruner
        .stale
        .into_iter()
        .map(|(op, fact, cites)| StaleFact {
            operation_id: full(&op),
            fact,
            cites,
        })
        .collect();
    Some(Pruned { facts, stale })
}

struct Pruner<'r> {
    /// Removed operations (short ids).
    operations: &'r BTreeSet<String>,
    /// Components left without a location → the operation that took the last one.
    components: BTreeMap<String, String>,
    /// (operation, fact, what cites it)
    stale: Vec<(String, String, String)>,
}

/// How `spec/facts.toml` names an entry: `[[kind]] identifier`.
fn label(kind: &str, entry: &Table) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let id = [
        "id",
        "name",
        "resource",
        "schema",
        "in",
        "topic",
        "enum",
        "format",
        "status",
        "operations",
        "at",
    ]
    .iter()
    .find_map(|k| entry.get(*k))
    .map(text)
    .unwrap_or_default();
    format!("[[{kind}]] {id}")
}

impl Pruner<'_> {
    fn prune(&mut self, table: &mut Table) {
        self.drop_operations(table);
        // Locations first: a component that loses every location goes, and so do the
        // locations inside it, until nothing more goes.
        loop {
            let before = self.components.len();
            for kind in [
                "component",
                "override",
                "enum_use",
                "format",
                "presence",
                "id",
                "alias",
                "range",
            ] {
                self.drop_locations(table, kind);
            }
            if self.components.len() == before {
                break;
            }
        }
        for kind in ["body", "parameter"] {
            self.drop_operation_lists(table, kind);
        }
        self.drop_described_components(table);
        for (kind, entries) in table.iter_mut() {
            match entries {
                Value::Array(list) => {
                    for entry in list.iter_mut().filter_map(Value::as_table_mut) {
                        let name = label(kind, entry);
                        self.drop_evidence(&name, entry);
                    }
                }
                Value::Table(t) => self.drop_evidence(&format!("[{kind}]"), t),
                _ => {}
            }
        }
    }

    fn entries<'t>(table: &'t mut Table, kind: &str) -> Option<&'t mut Vec<Value>> {
        table.get_mut(kind).and_then(Value::as_array_mut)
    }

    fn drop_operations(&mut self, table: &mut Table) {
        let Some(list) = Self::entries(table, "operation") else {
            return;
        };
        list.retain(|entry| {
            let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
            if !self.operations.contains(id) {
                return true;
            }
            self.stale.push((
                id.to_string(),
                format!("[[operation]] {id}"),
                "no endpoint page documents it".into(),
            ));
            false
        });
    }

    /// The removed operation a location cites, directly or through a removed component.
    fn cited(&self, location: &str) -> Option<String> {
        match Location::parse(location).ok()? {
            Location::Response { op, .. } => self.operations.contains(&op).then_some(op),
            Location::Component { name, .. } => self.components.get(&name).cloned(),
        }
    }

    fn drop_locations(&mut self, table: &mut Table, kind: &str) {
        let Some(list) = Self::entries(table, kind) else {
            return;
        };
        let mut gone = Vec::new();
        list.retain_mut(|entry| {
            let Some(entry) = entry.as_table_mut() else {
                return true;
            };
            let name = label(kind, entry);
            let mut last = None;
            for key in ["at", "except"] {
                let Some(locations) = entry.get_mut(key).and_then(Value::as_array_mut) else {
                    continue;
                };
                locations.retain(|l| {
                    let Some(op) = l.as_str().and_then(|l| self.cited(l)) else {
                        return true;
                    };
                    self.stale.push((
                        op.clone(),
                        name.clone(),
                        format!("location `{}`", l.as_str().unwrap_or_default()),
                    ));
                    last = Some(op);
                    false
                });
            }
            let emptied = entry
                .get("at")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty);
            if let (true, Some(op)) = (emptied, last) {
                if kind == "component"
                    && let Some(component) = entry.get("name").and_then(Value::as_str)
                {
                    gone.push((component.to_string(), op));
                }
                return false;
            }
            true
        });
        self.components.extend(gone);
    }

    fn drop_operation_lists(&mut self, table: &mut Table, kind: &str) {
        let Some(list) = Self::entries(table, kind) else {
            return;
        };
        list.retain_mut(|entry| {
            let Some(entry) = entry.as_table_mut() else {
                return true;
            };
            let name = label(kind, entry);
            let Some(ops) = entry.get_mut("operations").and_then(Value::as_array_mut) else {
                return true;
            };
            let before = ops.len();
            ops.retain(|op| {
                let id = op.as_str().unwrap_or_default();
                if !self.operations.contains(id) {
                    return true;
                }
                self.stale
                    .push((id.to_string(), name.clone(), format!("operation `{id}`")));
                false
            });
            !(ops.is_empty() && before > 0)
        });
    }

    /// Components a `[[describe]]` lists that went with a removed operation.
    fn drop_described_components(&mut self, table: &mut Table) {
        let Some(list) = Self::entries(table, "describe") else {
            return;
        };
        list.retain_mut(|entry| {
            let Some(entry) = entry.as_table_mut() else {
                return true;
            };
            let name = label("describe", entry);
            let Some(components) = entry.get_mut("in").and_then(Value::as_array_mut) else {
                return true;
            };
            components.retain(|c| {
                let Some(op) = c.as_str().and_then(|c| self.components.get(c)).cloned() else {
                    return true;
                };
                self.stale.push((
                    op,
                    name.clone(),
                    format!("component `{}`", c.as_str().unwrap_or_default()),
                ));
                false
            });
            !components.is_empty()
        });
    }

    /// Evidence quoted from removed operations' pages, in an entry and the tables inside it.
    fn drop_evidence(&mut self, name: &str, entry: &mut Table) {
        if let Some(list) = entry.get_mut("evidence").and_then(Value::as_array_mut) {
            list.retain(|e| {
                let page = e.get("page").and_then(Value::as_str).unwrap_or_default();
                let Some(op) = page
                    .strip_prefix("ep:")
                    .filter(|op| self.operations.contains(*op))
                else {
                    return true;
                };
                self.stale.push((
                    op.to_string(),
                    name.to_string(),
                    format!("evidence quoted from `{page}`"),
                ));
                false
            });
        }
        for (key, value) in entry.iter_mut() {
            let Value::Array(items) = value else { continue };
            if key == "evidence" {
                continue;
            }
            for (i, item) in items.iter_mut().enumerate() {
                let Some(t) = item.as_table_mut() else {
                    continue;
                };
                let inner = match t.get("name").and_then(Value::as_str) {
                    Some(n) => format!("{name}.{n}"),
                    None => format!("{name} ({} {})", key.trim_end_matches('s'), i + 1),
                };
                self.drop_evidence(&inner, t);
            }
        }
    }
}
