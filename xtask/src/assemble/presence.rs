//! Which response members the docs guarantee.
//!
//! A member is guaranteed — listed in `required`, not nullable, with `x-guaranteed` naming the
//! evidence — when something says it is always there and nothing says otherwise:
//! - for: the data-models interface of the resource has it without `?` and without `| null`;
//!   it is present and non-null in every documented example, and there are at least
//!   [`MIN_EXAMPLES`] of them; a `[[presence]]` fact with `always = true` quotes prose saying so;
//! - against: the interface has it with `?` or `| null`; an example leaves it out or shows
//!   `null`; a `[[presence]]` fact with `always = false` quotes prose saying it depends.
//!
//! Where the evidence disagrees the member stays optional (a `[[presence]]` fact decides
//! instead), and the disagreement is a conflict. Arrays, maps and values of any type are left
//! alone: absent and empty read the same.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Assembler, Shapes, cite, evidence_pages, invalid};
use crate::conflicts::{Conflict, Kind};
use crate::error::Error;
use crate::facts::{Location, PresenceFact, Segment};
use crate::schema::{Components, Schema};
use crate::ts::{TsField, TsType};

/// Examples needed before the examples alone guarantee a member: one example shows one
/// case (the `/v3/me` example is a profile account, with members other accounts lack).
pub(super) const MIN_EXAMPLES: usize = 2;

/// Example pages listed in a conflict at most; beyond, the count in the claim stands for them.
const MAX_LISTED_PAGES: usize = 4;

/// What the documented response examples show of each component's members.
#[derive(Debug, Default)]
pub(super) struct Observations {
    components: BTreeMap<String, BTreeMap<String, MemberSeen>>,
}

#[derive(Debug, Default)]
struct MemberSeen {
    /// Examples (`ep:Op 200`) showing the member with a value.
    present: BTreeSet<String>,
    /// Examples leaving it out (`absent`) or showing `null`.
    missing: BTreeMap<String, &'static str>,
    /// The first value shown.
    first: Option<Value>,
}

impl Observations {
    /// The first non-null value the examples show for a member.
    pub(super) fn first_value(&self, component: &str, member: &str) -> Option<&Value> {
        self.member(component, member)?.first.as_ref()
    }

    fn member(&self, component: &str, member: &str) -> Option<&MemberSeen> {
        self.components.get(component)?.get(member)
    }

    /// Records every component instance `value` holds where `schema` expects one.
    fn observe(
        &mut self,
        schema: &Schema,
        value: &Value,
        components: &Components,
        example: &str,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        match (schema, value) {
            (Schema::Ref(name), Value::Object(map)) => {
                let Some(Schema::Object(obj)) = components.get(name).map(|c| &c.schema) else {
                    return;
                };
                for p in &obj.properties {
                    let seen = self
                        .components
                        .entry(name.clone())
                        .or_default()
                        .entry(p.name.clone())
                        .or_default();
                    match map.get(&p.name) {
                        None => {
                            seen.missing.entry(example.to_string()).or_insert("absent");
                        }
                        Some(Value::Null) => {
                            seen.missing.entry(example.to_string()).or_insert("null");
                        }
                        Some(v) => {
                            seen.present.insert(example.to_string());
                            if seen.first.is_none() {
                                seen.first = Some(v.clone());
                            }
                            self.observe(&p.schema, v, components, example, depth + 1);
                        }
                    }
                }
            }
            (Schema::Array { items, .. }, Value::Array(values)) => {
                for v in values {
                    self.observe(items, v, components, example, depth + 1);
                }
            }
            (Schema::Map(inner), Value::Object(map)) => {
                for v in map.values() {
                    self.observe(inner, v, components, example, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Whether a member of this schema can be guaranteed (arrays and maps read absent as empty).
fn can_be_guaranteed(schema: &Schema) -> bool {
    matches!(
        schema,
        Schema::String(_)
            | Schema::Integer { .. }
            | Schema::Number
            | Schema::Boolean
            | Schema::Ref(_)
    )
}

/// The schema of a response shape's `data`, where it names components.
pub(super) fn data_schema(shape: &TsType, data: &str) -> Option<Schema> {
    let TsType::Struct(fields) = shape else {
        return None;
    };
    match &fields.iter().find(|f| f.name == data)?.ty {
        TsType::Named(n) => Some(Schema::Ref(n.clone())),
        TsType::Array(Some(item)) => match item.as_ref() {
            TsType::Named(n) => Some(Schema::Array {
                items: Box::new(Schema::Ref(n.clone())),
                min_items: None,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// One member's evidence for and against.
struct Verdict {
    member: String,
    for_: Vec<String>,
    against: Vec<String>,
    /// Pages of the evidence for, and against.
    for_pages: BTreeSet<String>,
    against_pages: BTreeSet<String>,
    /// A `[[presence]]` fact decides.
    stated: Option<bool>,
    /// Examples showing the member, all with a value (counted apart from `for_`, so that
    /// conflicts do not change with the number of examples).
    examples: Option<usize>,
}

impl Verdict {
    /// The evidence for, with the examples counted.
    fn for_counted(&self) -> Vec<String> {
        let mut out = self.for_.clone();
        out.extend(
            self.examples
                .map(|n| format!("present and non-null in {n} examples")),
        );
        out
    }

    /// The evidence for, as a conflict names it.
    fn for_stated(&self) -> Vec<String> {
        let mut out = self.for_.clone();
        out.extend(
            self.examples
                .map(|_| "present and non-null in every example".to_string()),
        );
        out
    }

    fn has_for(&self) -> bool {
        !self.for_.is_empty() || self.examples.is_some()
    }
}

impl<'a> Assembler<'a> {
    /// Walks every documented response example through the schemas.
    pub(super) fn observe_examples(&self, shapes: &Shapes) -> Observations {
        let env = &self.facts.api.envelope;
        let mut seen = Observations::default();
        for op in self.ops {
            for r in &op.raw.responses {
                let (Some(example), Some(shape)) =
                    (&r.example, shapes.get(&(op.short.clone(), r.status)))
                else {
                    continue;
                };
                let id = format!("ep:{} {}", op.short, r.status);
                let envelope = Schema::Ref(env.schema.clone());
                seen.observe(&envelope, example, &self.components, &id, 0);
                if let (Some(data), Some(value)) =
                    (data_schema(shape, &env.data), example.get(&env.data))
                {
                    seen.observe(&data, value, &self.components, &id, 0);
                }
            }
        }
        seen
    }

    /// Marks the guaranteed members of every response component.
    pub(super) fn apply_presence(&mut self, seen: &Observations) -> Result<(), Error> {
        let stated = self.presence_facts()?;
        let names: Vec<String> = self.response_components.iter().cloned().collect();
        for name in names {
            let interface = self.interface_of(&name);
            let Some(Schema::Object(obj)) = self.components.get(&name).map(|c| &c.schema) else {
                continue;
            };
            let mut verdicts = Vec::new();
            for p in obj
                .properties
                .iter()
                .filter(|p| can_be_guaranteed(&p.schema))
            {
                let mut v = Verdict {
                    member: p.name.clone(),
                    for_: Vec::new(),
                    against: Vec::new(),
                    for_pages: BTreeSet::new(),
                    against_pages: BTreeSet::new(),
                    stated: None,
                    examples: None,
                };
                if p.required {
                    v.for_
                        .push("the endpoint shape does not mark it optional".into());
                }
                if let Some((iface, fields)) = &interface
                    && let Some(f) = fields.iter().find(|f| f.name == p.name)
                {
                    let text = format!(
                        "data-models: interface {iface} {{ {}{}: {} }}",
                        f.name,
                        if f.optional { "?" } else { "" },
                        f.ty
                    );
                    let page = self.facts.api.data_models_page.clone();
                    if f.optional || f.ty.strip_null().1 {
                        v.against.push(text);
                        v.against_pages.insert(page);
                    } else {
                        v.for_.push(text);
                        v.for_pages.insert(page);
                    }
                }
                if let Some(s) = seen.member(&name, &p.name) {
                    if s.missing.is_empty() {
                        if s.present.len() >= MIN_EXAMPLES {
                            v.examples = Some(s.present.len());
                            let pages: BTreeSet<String> = s
                                .present
                                .iter()
                                .filter_map(|e| e.split(' ').next().map(str::to_string))
                                .collect();
                            // Many pages say no more than their count does.
                            if pages.len() <= MAX_LISTED_PAGES {
                                v.for_pages.extend(pages);
                            }
                        }
                    } else {
                        for (example, how) in &s.missing {
                            v.against.push(format!("{how} in the {example} example"));
                            v.against_pages
                                .extend(example.split(' ').next().map(str::to_string));
                        }
                    }
                }
                if let Some(f) = stated.get(&(name.clone(), p.name.clone())) {
                    if f.always && s_missing(seen, &name, &p.name) {
                        return Err(invalid(
                            format!("[[presence]] {name}.{}", p.name),
                            format!(
                                "says the member is always present, but {}",
                                v.against.join(", ")
                            ),
                        ));
                    }
                    let text = cite(&f.evidence);
                    if f.always {
                        v.for_.insert(0, text);
                        v.for_pages.extend(evidence_pages(&f.evidence));
                    } else {
                        v.against.insert(0, text);
                        v.against_pages.extend(evidence_pages(&f.evidence));
                    }
                    v.stated = Some(f.always);
                }
                verdicts.push(v);
            }
            self.settle(&name, verdicts);
        }
        Ok(())
    }

    /// Applies the verdicts of a component's members and reports where the evidence disagrees.
    fn settle(&mut self, name: &str, verdicts: Vec<Verdict>) {
        let mut overruled: Vec<(String, String)> = Vec::new();
        let mut stated: Vec<(String, String)> = Vec::new();
        let (mut for_pages, mut against_pages) = (BTreeSet::new(), BTreeSet::new());
        let mut guaranteed: BTreeMap<String, String> = BTreeMap::new();
        for v in verdicts {
            let keep = match v.stated {
                Some(always) => always,
                None => v.has_for() && v.against.is_empty(),
            };
            if v.has_for() && !v.against.is_empty() {
                let text = format!(
                    "`{}`: {} — but {}",
                    v.member,
                    v.for_stated().join("; "),
                    v.against.join("; ")
                );
                for_pages.extend(v.for_pages.iter().cloned());
                against_pages.extend(v.against_pages.iter().cloned());
                if v.stated.is_some() {
                    stated.push((v.member.clone(), text));
                } else {
                    overruled.push((v.member.clone(), text));
                }
            }
            if keep {
                guaranteed.insert(v.member.clone(), v.for_counted().join("; "));
            }
        }
        if let Some(Schema::Object(obj)) = self.components.get_mut(name).map(|c| &mut c.schema) {
            for p in obj
                .properties
                .iter_mut()
                .filter(|p| can_be_guaranteed(&p.schema))
            {
                match guaranteed.remove(&p.name) {
                    Some(why) => {
                        p.required = true;
                        p.nullable = false;
                        p.extensions.push(("x-guaranteed".into(), json!(why)));
                    }
                    None => {
                        p.required = false;
                        p.nullable = true;
                    }
                }
            }
        }
        let for_pages: Vec<String> = for_pages.into_iter().collect();
        let against_pages: Vec<String> = against_pages.into_iter().collect();
        for (diffs, taken) in [
            (
                overruled,
                "optional and nullable: a member is guaranteed only when no page leaves it out or null",
            ),
            (stated, "as the prose quoted in spec/facts.toml says"),
        ] {
            if diffs.is_empty() {
                continue;
            }
            self.conflicts.push(
                Conflict::members(Kind::Presence, "A", &format!("`{name}`: "), name, &diffs)
                    .side("always there", for_pages.clone())
                    .side("sometimes absent or null", against_pages.clone())
                    .taken(taken),
            );
        }
    }

    /// `[[presence]]` facts by (component, member), checked against the components.
    fn presence_facts(&self) -> Result<BTreeMap<(String, String), &'a PresenceFact>, Error> {
        let facts = self.facts;
        let mut stated = BTreeMap::new();
        for f in &facts.presences {
            let ctx = format!("[[presence]] {}", f.at.join(", "));
            for at in &f.at {
                let Ok(Location::Component { name, path }) = Location::parse(at) else {
                    return Err(invalid(&ctx, format!("`{at}` is not `Component.member`")));
                };
                let [Segment::Member(member)] = path.as_slice() else {
                    return Err(invalid(&ctx, format!("`{at}` must name one member")));
                };
                if !self.response_components.contains(&name) {
                    return Err(invalid(
                        &ctx,
                        format!("`{name}` is not a response component"),
                    ));
                }
                let has = matches!(
                    self.components.get(&name).map(|c| &c.schema),
                    Some(Schema::Object(obj)) if obj.property(member).is_some_and(|p| can_be_guaranteed(&p.schema))
                );
                if !has {
                    return Err(invalid(
                        &ctx,
                        format!("`{name}` has no member `{member}` that is a single value"),
                    ));
                }
                if stated.insert((name, member.clone()), f).is_some() {
                    return Err(invalid(&ctx, format!("`{at}` is stated twice")));
                }
            }
        }
        Ok(stated)
    }

    /// The data-models interface a response component follows, with its members.
    fn interface_of(&self, component: &str) -> Option<(String, Vec<TsField>)> {
        let path = self
            .facts
            .components
            .iter()
            .find(|c| c.name == component)
            .and_then(|c| c.interface.clone())
            .or_else(|| {
                self.facts
                    .schemas
                    .iter()
                    .find(|s| s.name == component && s.response)
                    .and_then(|s| s.interface.clone())
            })?;
        match self.interface(&path)? {
            TsType::Struct(fields) => Some((path, fields)),
            _ => None,
        }
    }
}

fn s_missing(seen: &Observations, component: &str, member: &str) -> bool {
    seen.member(component, member)
        .is_some_and(|s| !s.missing.is_empty())
}
