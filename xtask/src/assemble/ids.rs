//! Which resource each uuid identifies (`x-id-of`, with `x-id-evidence`).
//!
//! A resource schema is a response component with a uuid `id`; its `id` identifies it, and
//! so does a uuid member named after it (`contact_id`, `campaignId`). A uuid parameter
//! identifies the resource its description names (`Contact ID from route parameter`,
//! `Profile UUID to scope …`) or its path addresses (`GET /v3/webhooks/{id}` returns a
//! `Webhook`); where both speak they must agree. Anything else an `[[id]]` fact (or a
//! `[[parameter]]` fact's `id_of`) states with its evidence; a uuid left unexplained stops the
//! run.

use std::collections::{BTreeMap, BTreeSet};

use super::{Assembler, Op, Shapes, cite, invalid, pascal};
use crate::endpoint::{ParamIn, RawParam};
use crate::error::Error;
use crate::facts::{Evidence, Location, Segment};
use crate::schema::{IdOf, Schema, StringRules};
use crate::ts::TsType;

/// The resource a uuid member's name points to: `contact_id`, `campaignId` → `Contact`,
/// `Campaign`.
fn named_resource(member: &str) -> Option<String> {
    let stem = member.strip_suffix("_id").or_else(|| {
        member
            .strip_suffix("Id")
            .filter(|s| s.chars().last().is_some_and(|c| c.is_ascii_lowercase()))
    })?;
    (!stem.is_empty()).then(|| pascal(stem))
}

/// The resource a description names before `ID` or `UUID`.
fn described_resource(description: &str, resources: &BTreeSet<String>) -> Option<String> {
    let words: Vec<&str> = description
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .collect();
    words.windows(2).find_map(|pair| {
        let candidate = pascal(&pair[0].to_ascii_lowercase());
        (matches!(pair[1], "ID" | "UUID") && resources.contains(&candidate)).then_some(candidate)
    })
}

impl Assembler<'_> {
    /// Tags every uuid member of every component with the resource it identifies.
    pub(super) fn apply_ids(&mut self, shapes: &Shapes) -> Result<(), Error> {
        let facts = self.facts;
        let mut stated: BTreeMap<String, (&str, &[Evidence])> = BTreeMap::new();
        for f in &facts.ids {
            let ctx = format!("[[id]] {}", f.resource);
            for at in &f.at {
                match Location::parse(at) {
                    Ok(Location::Component { path, .. })
                        if matches!(path.as_slice(), [Segment::Member(_)]) => {}
                    _ => return Err(invalid(&ctx, format!("`{at}` is not `Component.member`"))),
                }
                if stated
                    .insert(at.clone(), (f.resource.as_str(), f.evidence.as_slice()))
                    .is_some()
                {
                    return Err(invalid(&ctx, format!("`{at}` is stated twice")));
                }
            }
        }
        // Resource schemas, but not those whose `id` a fact says identifies another resource.
        self.resources = self
            .components
            .iter()
            .filter(|(name, _)| self.response_components.contains(*name))
            .filter(|(name, _)| !stated.contains_key(&format!("{name}.id")))
            .filter(|(_, c)| match &c.schema {
                Schema::Object(obj) => obj.property("id").is_some_and(|p| is_uuid(&p.schema)),
                _ => false,
            })
            .map(|(name, _)| name.clone())
            .collect();
        for f in &facts.ids {
            if !self.resources.contains(&f.resource) {
                return Err(invalid(
                    format!("[[id]] {}", f.resource),
                    "not a resource schema (a response component with a uuid `id`)",
                ));
            }
        }
        self.op_data = self
            .ops
            .iter()
            .filter_map(|op| {
                let shape = op
                    .raw
                    .responses
                    .iter()
                    .filter(|r| (200..300).contains(&r.status))
                    .find_map(|r| shapes.get(&(op.short.clone(), r.status)))?;
                let TsType::Struct(fields) = shape else {
                    return None;
                };
                let data = fields.iter().find(|f| f.name == facts.api.envelope.data)?;
                Some((op.short.clone(), data.ty.clone()))
            })
            .collect();

        let resources = self.resources.clone();
        let mut used = BTreeSet::new();
        let mut unexplained = Vec::new();
        for (name, component) in &mut self.components {
            let Schema::Object(obj) = &mut component.schema else {
                continue;
            };
            for p in &mut obj.properties {
                let Schema::String(rules) = &mut p.schema else {
                    continue;
                };
                if rules.format.as_deref() != Some("uuid") {
                    continue;
                }
                let at = format!("{name}.{}", p.name);
                let id = if let Some((resource, evidence)) = stated.get(&at) {
                    used.insert(at.clone());
                    IdOf {
                        resource: (*resource).to_string(),
                        evidence: cite(evidence),
                    }
                } else if p.name == "id" && resources.contains(name) {
                    IdOf {
                        resource: name.clone(),
                        evidence: format!("`id` of resource schema `{name}`"),
                    }
                } else if let Some(r) = named_resource(&p.name).filter(|r| resources.contains(r)) {
                    IdOf {
                        evidence: format!("member name `{}` names resource schema `{r}`", p.name),
                        resource: r,
                    }
                } else {
                    unexplained.push(at);
                    continue;
                };
                rules.id_of = Some(id);
            }
        }
        if let Some(at) = stated.keys().find(|at| !used.contains(*at)) {
            return Err(invalid(
                format!("[[id]] {}", stated[at].0),
                format!("`{at}` is not a uuid member"),
            ));
        }
        if !unexplained.is_empty() {
            return Err(invalid(
                "[[id]]",
                format!(
                    "no resource is known for the uuid members {}; state it in an [[id]] fact",
                    unexplained.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// The resource a uuid parameter identifies.
    pub(super) fn parameter_id(
        &self,
        op: &Op,
        p: &RawParam,
        stated: Option<(&str, &[Evidence])>,
    ) -> Result<IdOf, Error> {
        let ctx = format!("parameter {} of {}", p.name, op.short);
        if let Some((resource, evidence)) = stated {
            if !self.resources.contains(resource) {
                return Err(invalid(
                    &ctx,
                    format!("`id_of = \"{resource}\"` is not a resource schema"),
                ));
            }
            return Ok(IdOf {
                resource: resource.to_string(),
                evidence: cite(evidence),
            });
        }
        let mut found: Vec<(String, String)> = Vec::new();
        if let Some(d) = &p.description
            && let Some(r) = described_resource(d, &self.resources)
        {
            let sentence = d.split_inclusive(". ").next().unwrap_or(d).trim_end();
            found.push((r, format!("description \"{sentence}\"")));
        }
        if p.location == ParamIn::Path
            && let Some(at_path) = self.resource_at_path(&op.raw.path, &p.name)
        {
            found.push(at_path);
        }
        let Some((resource, _)) = found.first() else {
            return Err(invalid(
                &ctx,
                "neither its description nor its path names a resource; add `id_of` to a [[parameter]] fact",
            ));
        };
        if let Some((other, _)) = found.iter().find(|(r, _)| r != resource) {
            return Err(invalid(
                &ctx,
                format!("its description names `{resource}` but its path addresses `{other}`"),
            ));
        }
        Ok(IdOf {
            resource: resource.clone(),
            evidence: found
                .iter()
                .map(|(_, why)| why.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        })
    }

    /// The resource the path up to `{param}` addresses: what a GET on it returns, or what a
    /// GET on the collection above it lists.
    fn resource_at_path(&self, path: &str, param: &str) -> Option<(String, String)> {
        let marker = format!("{{{param}}}");
        let at = path.find(&marker)?;
        let prefix = &path[..at + marker.len()];
        let collection = path[..at].trim_end_matches('/');
        let get = |p: &str| {
            self.ops
                .iter()
                .filter(|o| o.raw.method.eq_ignore_ascii_case("GET") && o.raw.path == p)
                .find_map(|o| self.op_data.get(&o.short))
        };
        if let Some(TsType::Named(n)) = get(prefix)
            && self.resources.contains(n)
        {
            return Some((n.clone(), format!("GET {prefix} returns `{n}`")));
        }
        let listed = match get(collection)? {
            TsType::Array(Some(item)) => match item.as_ref() {
                TsType::Named(n) => Some(n.clone()),
                _ => None,
            },
            TsType::Named(list) => self.listed_resource(list),
            _ => None,
        }?;
        self.resources
            .contains(&listed)
            .then(|| (listed.clone(), format!("GET {collection} lists `{listed}`")))
    }

    /// The resource a list component holds in its one array member.
    fn listed_resource(&self, list: &str) -> Option<String> {
        let Schema::Object(obj) = &self.components.get(list)?.schema else {
            return None;
        };
        let mut items = obj.properties.iter().filter_map(|p| match &p.schema {
            Schema::Array { items, .. } => match items.as_ref() {
                Schema::Ref(n) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        });
        let first = items.next()?;
        items.next().is_none().then_some(first)
    }
}

fn is_uuid(schema: &Schema) -> bool {
    matches!(schema, Schema::String(StringRules { format: Some(f), .. }) if f == "uuid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_point_to_resources() {
        assert_eq!(named_resource("contact_id").as_deref(), Some("Contact"));
        assert_eq!(named_resource("campaignId").as_deref(), Some("Campaign"));
        assert_eq!(named_resource("id"), None);
        assert_eq!(named_resource("paid"), None);
        assert_eq!(named_resource("_id"), None);
    }

    #[test]
    fn descriptions_name_resources() {
        let resources: BTreeSet<String> = ["Contact", "Profile"].map(String::from).into();
        assert_eq!(
            described_resource("Contact ID from route parameter", &resources).as_deref(),
            Some("Contact")
        );
        assert_eq!(
            described_resource("Profile UUID to scope the request", &resources).as_deref(),
            Some("Profile")
        );
        assert_eq!(described_resource("Message ID", &resources), None);
        assert_eq!(described_resource("The contact's phone", &resources), None);
    }
}
