//! Member-level facts: bounds of integers, descriptions and the other names users search for.

use serde_json::{Value, json};

use super::presence::Observations;
use super::{Assembler, add_evidence, evidence_pages, invalid};
use crate::error::Error;
use crate::schema::{Property, Schema};

/// How a description the docs do not give starts.
pub(super) const UNDESCRIBED: &str = "Not described in the docs";

/// Examples longer than this are cut when a description quotes them.
const QUOTED_EXAMPLE_CHARS: usize = 60;

impl Assembler<'_> {
    /// `[[range]]`: bounds of integer members (counts, sizes).
    pub(super) fn apply_ranges(&mut self) -> Result<(), Error> {
        let facts = self.facts;
        for r in &facts.ranges {
            let ctx = format!("[[range]] {}", r.at.join(", "));
            if r.maximum.is_some_and(|max| max < r.minimum) {
                return Err(invalid(&ctx, "the maximum is below the minimum"));
            }
            for at in &r.at {
                let p = self.member_mut(at, &ctx)?;
                let Schema::Integer { minimum, maximum } = &mut p.schema else {
                    return Err(invalid(&ctx, format!("`{at}` is not an integer")));
                };
                *minimum = Some(r.minimum);
                if r.maximum.is_some() {
                    *maximum = r.maximum;
                }
                add_evidence(p, evidence_pages(&r.evidence));
            }
        }
        Ok(())
    }

    /// Descriptions from the data-models tables a `[[schema]]` names, then from the
    /// `[[describe]]` facts. Neither replaces a description a member already has.
    pub(super) fn apply_descriptions(&mut self) -> Result<(), Error> {
        let (facts, models) = (self.facts, self.models);
        for sf in &facts.schemas {
            let Some(table) = &sf.table else { continue };
            let ctx = format!("[[schema]] {}", sf.name);
            if !models.tables.contains_key(table) {
                return Err(invalid(
                    &ctx,
                    format!("the data-models page has no table `{table}`"),
                ));
            }
            let mut used = false;
            for p in self.properties_mut(&sf.name) {
                if p.description.is_none()
                    && let Some(d) = models.table_description(table, &p.name)
                {
                    p.description = Some(d.to_string());
                    used = true;
                }
            }
            if !used {
                return Err(invalid(
                    &ctx,
                    format!("table `{table}` describes no member that lacks a description"),
                ));
            }
        }
        for d in &facts.describes {
            let ctx = format!("[[describe]] {}", d.components.join(", "));
            for c in &d.components {
                match self.components.get(c).map(|c| &c.schema) {
                    Some(Schema::Object(_)) => {}
                    Some(_) => return Err(invalid(&ctx, format!("`{c}` is not an object"))),
                    None => return Err(invalid(&ctx, format!("no component `{c}`"))),
                }
            }
            let pages = evidence_pages(&d.evidence);
            for (member, text) in &d.members {
                if text.trim().is_empty() {
                    return Err(invalid(
                        &ctx,
                        format!("the description of `{member}` is empty"),
                    ));
                }
                let (mut found, mut filled) = (false, false);
                for c in &d.components {
                    let Some(p) = self.properties_mut(c).find(|p| p.name == *member) else {
                        continue;
                    };
                    found = true;
                    if p.description.is_none() {
                        p.description = Some(text.clone());
                        add_evidence(p, pages.clone());
                        filled = true;
                    }
                }
                if !found {
                    return Err(invalid(
                        &ctx,
                        format!("no listed component has a member `{member}`"),
                    ));
                }
                if !filled {
                    return Err(invalid(
                        &ctx,
                        format!("every listed component already describes `{member}`"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `[[alias]]`: other names of members, as `x-aliases`.
    pub(super) fn apply_aliases(&mut self) -> Result<(), Error> {
        let facts = self.facts;
        for a in &facts.aliases {
            let ctx = format!("[[alias]] {}", a.at.join(", "));
            if a.names.is_empty() || a.names.iter().any(|n| n.trim().is_empty()) {
                return Err(invalid(&ctx, "needs names, none empty"));
            }
            let pages = evidence_pages(&a.evidence);
            for at in &a.at {
                match at.strip_prefix("*.") {
                    Some(member) => {
                        let mut hits = 0;
                        for c in self.components.values_mut() {
                            if let Schema::Object(obj) = &mut c.schema
                                && let Some(p) = obj.property_mut(member)
                            {
                                add_aliases(p, &a.names, pages.clone());
                                hits += 1;
                            }
                        }
                        if hits == 0 {
                            return Err(invalid(&ctx, format!("no component has `{member}`")));
                        }
                    }
                    None => add_aliases(self.member_mut(at, &ctx)?, &a.names, pages.clone()),
                }
            }
        }
        Ok(())
    }

    /// The last resort for members neither the docs nor the facts describe (new docs can
    /// bring them): a sentence from the documented examples that says so, or, without an
    /// example, that says that. The vendored docs need neither (a test keeps it so).
    pub(super) fn describe_from_examples(&mut self, seen: &Observations) {
        for (name, c) in &mut self.components {
            let Schema::Object(obj) = &mut c.schema else {
                continue;
            };
            for p in &mut obj.properties {
                if p.description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty())
                {
                    continue;
                }
                p.description = Some(
                    match seen.first_value(name, &p.name).and_then(quote_example) {
                        Some(shown) => {
                            format!("{UNDESCRIBED}; the documented examples show {shown}.")
                        }
                        None => format!("{UNDESCRIBED}, and no documented example shows a value."),
                    },
                );
            }
        }
    }

    /// The properties of an object component (none for other components).
    fn properties_mut(&mut self, component: &str) -> impl Iterator<Item = &mut Property> {
        self.components
            .get_mut(component)
            .and_then(|c| match &mut c.schema {
                Schema::Object(obj) => Some(obj.properties.iter_mut()),
                _ => None,
            })
            .into_iter()
            .flatten()
    }
}

fn add_aliases(p: &mut Property, names: &[String], pages: Vec<String>) {
    match p.extensions.iter_mut().find(|(k, _)| k == "x-aliases") {
        Some((_, Value::Array(list))) => {
            for n in names {
                if !list.iter().any(|v| v.as_str() == Some(n.as_str())) {
                    list.push(n.as_str().into());
                }
            }
        }
        _ => p.extensions.push(("x-aliases".into(), json!(names))),
    }
    add_evidence(p, pages);
}

/// A scalar example value in backticks, cut when long; `None` for objects, arrays and null.
fn quote_example(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    };
    let cut: String = text.chars().take(QUOTED_EXAMPLE_CHARS).collect();
    let ellipsis = if cut.len() < text.len() { "…" } else { "" };
    Some(format!("`{}{ellipsis}`", cut.replace('`', "'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_scalars_and_cuts_long_ones() {
        assert_eq!(
            quote_example(&json!("T-Mobile")).as_deref(),
            Some("`T-Mobile`")
        );
        assert_eq!(quote_example(&json!(3)).as_deref(), Some("`3`"));
        assert_eq!(quote_example(&json!(null)), None);
        assert_eq!(quote_example(&json!({"a": 1})), None);
        let long = "x".repeat(100);
        let quoted = quote_example(&json!(long)).unwrap_or_default();
        assert!(quoted.ends_with("…`"), "{quoted}");
        assert_eq!(quoted.chars().count(), QUOTED_EXAMPLE_CHARS + 3);
    }
}
