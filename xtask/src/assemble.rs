//! Docs + facts → OpenAPI 3.0 document and conflicts report.
//!
//! The steps, in order:
//! 1. parse every endpoint page; collapse pages documenting the same operation;
//! 2. read the data-models page and the error-code pages;
//! 3. load `spec/facts.toml` and check every evidence quote against its page;
//! 4. take each response's TypeScript-like shape, apply the facts' overrides, and hoist the
//!    resources the facts name (`[[component]]`) into components, merging every page a resource
//!    appears on;
//! 5. add the facts' own schemas (request bodies, enums, the envelope), apply enum uses and
//!    formats, and build parameters, request bodies and responses;
//! 6. check the result against the docs: every example against its schema, every field a 400
//!    example's `details` names against the request, every `$ref`, and `openapiv3` parsing.
//!
//! Conflicts met on the way are collected for `spec/conflicts.md`.
//!
//! Between 5 and 6 the members get what the generator needs to type them well (the rules
//! are listed in `spec/README.md`): bounds, descriptions and aliases ([`members`]), which
//! response members are guaranteed ([`presence`]), which resource each uuid identifies
//! ([`ids`]) and, when [`EMIT_UNIONS`] is set, the unions the facts state ([`unions`]).

mod ids;
mod members;
mod presence;
#[cfg(test)]
mod rule_tests;
mod unions;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::catalog::{self, CodeSighting};
use crate::conflicts::{Conflict, Gap, Kind};
use crate::docs::Docs;
use crate::endpoint::{self, ParamIn, RawOperation, RawParam};
use crate::error::{Error, FactsError};
use crate::facts::{Evidence, Evidencer, Facts, FieldFact, Location, SchemaFact, Segment};
use crate::models::{self, DataModels};
use crate::schema::{self, Component, Components, ObjectSchema, Property, Schema, StringRules};
use crate::ts::{self, TsField, TsType};

/// Where the vendored docs came from; recorded in the spec's `info`.
#[derive(Debug, Clone)]
pub struct SourceLabel {
    pub source: String,
    pub retrieved: String,
}

/// The assembled spec and what was met on the way.
#[derive(Debug)]
pub struct Assembly {
    pub spec: Value,
    pub conflicts: Vec<Conflict>,
    pub gaps: Vec<Gap>,
    pub stats: Stats,
    pub precedence: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub pages: usize,
    pub endpoint_pages: usize,
    pub operations: usize,
    pub schemas: usize,
    pub examples: usize,
    pub error_codes: usize,
}

const ENVELOPE_MEMBERS: [&str; 4] = ["success", "data", "error", "meta"];

/// Whether the `[[union]]` facts become `oneOf` schemas. While unset the facts are still
/// checked against the schemas they split, and each schema keeps all its members.
pub const EMIT_UNIONS: bool = true;

fn invalid(context: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Facts(FactsError::Invalid {
        context: context.into(),
        message: message.into(),
    })
}

/// Pascal case of a snake, kebab or camel case name.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

struct Op {
    raw: RawOperation,
    short: String,
}

/// Assembles the spec from the docs export and the facts file.
pub fn assemble(
    docs_text: String,
    facts_text: &str,
    label: &SourceLabel,
) -> Result<Assembly, Error> {
    assemble_with(docs_text, facts_text, label, EMIT_UNIONS)
}

/// [`assemble`], with or without the unions.
pub fn assemble_with(
    docs_text: String,
    facts_text: &str,
    label: &SourceLabel,
    emit_unions: bool,
) -> Result<Assembly, Error> {
    let docs = Docs::parse(docs_text)?;
    let mut conflicts = Vec::new();
    let mut stats = Stats {
        pages: docs.pages.len(),
        ..Stats::default()
    };

    // 1. Endpoint pages.
    let mut raw_ops = Vec::new();
    for page in docs.pages.iter().filter(|p| endpoint::is_endpoint_page(p)) {
        raw_ops.push(endpoint::parse(&docs, page)?);
    }
    stats.endpoint_pages = raw_ops.len();
    let facts = Facts::parse(facts_text)?;
    let mut duplicates = Vec::new();
    let ops = collapse_duplicates(raw_ops.clone(), &facts, &mut duplicates)?;
    stats.operations = ops.len();

    // 2. Data models and error-code pages.
    let dm_page = docs.page(&facts.api.data_models_page).ok_or_else(|| {
        invalid(
            "[api] data_models_page",
            format!("no page `{}`", facts.api.data_models_page),
        )
    })?;
    let models = models::parse(&docs, dm_page)?;

    // 3. Evidence.
    let evidencer = Evidencer::new(&docs, &raw_ops, &facts);
    let missing = evidencer.check_all(&facts);
    if !missing.is_empty() {
        return Err(Error::FactsMany(missing));
    }
    for d in &facts.decisions {
        let mut c =
            Conflict::new(Kind::Decided, &d.severity, d.topic.clone()).taken(d.taken.clone());
        for side in &d.sides {
            c = c.side(side.claim.clone(), evidence_pages(&side.evidence));
        }
        conflicts.push(c);
    }
    conflicts.extend(duplicates);
    let gaps = facts
        .overrides
        .iter()
        .map(|o| Gap {
            at: o.at.clone(),
            ty: o.ty.clone(),
            reason: o.reason.clone(),
            pages: evidence_pages(&o.evidence),
        })
        .chain(facts.common_responses.iter().map(|r| Gap {
            at: vec![match &r.with_header {
                Some(h) => format!("every operation with the `{h}` header"),
                None => "every operation".to_string(),
            }],
            ty: format!("{} response", r.status),
            reason: r.description.clone(),
            pages: evidence_pages(&r.evidence),
        }))
        .collect();

    let mut asm = Assembler {
        facts: &facts,
        models: &models,
        ops: &ops,
        conflicts,
        components: Components::new(),
        response_types: BTreeMap::new(),
        response_components: BTreeSet::new(),
        resources: BTreeSet::new(),
        op_data: BTreeMap::new(),
    };
    asm.check_operation_facts()?;

    // 4. Response shapes → components.
    let mut shapes = asm.response_shapes();
    asm.apply_response_overrides(&mut shapes)?;
    let resource_types = asm.extract_components(&mut shapes)?;

    // 5. Facts schemas, enum uses, formats.
    asm.add_facts_schemas()?;
    asm.convert_resources(resource_types)?;
    asm.apply_enum_uses()?;
    asm.apply_formats()?;
    asm.check_refs_defined()?;

    // Members: bounds, descriptions, aliases, guarantees, ids, unions.
    asm.apply_ranges()?;
    asm.apply_descriptions()?;
    asm.apply_aliases()?;
    let seen = asm.observe_examples(&shapes);
    asm.apply_presence(&seen)?;
    asm.apply_ids(&shapes)?;
    asm.describe_from_examples(&seen);
    asm.check_unions(emit_unions)?;

    // Paths.
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    for op in &ops {
        let value = asm.operation_json(op, &shapes, &mut stats)?;
        let method = op.raw.method.to_ascii_lowercase();
        paths
            .entry(op.raw.path.clone())
            .or_default()
            .insert(method, value);
    }
    // Order methods within a path the way readers expect.
    let method_rank = |m: &str| {
        ["get", "post", "put", "patch", "delete"]
            .iter()
            .position(|x| *x == m)
    };
    let mut paths_json = Map::new();
    for (path, methods) in paths {
        let mut sorted: Vec<(String, Value)> = methods.into_iter().collect();
        sorted.sort_by_key(|(m, _)| method_rank(m));
        paths_json.insert(path, Value::Object(sorted.into_iter().collect()));
    }

    let error_codes = asm.error_codes(&docs)?;
    stats.error_codes = error_codes.len();
    stats.schemas = asm.components.len();

    let spec = asm.document(label, paths_json, error_codes);
    check_refs_resolve(&spec)?;
    serde_json::from_value::<openapiv3::OpenAPI>(spec.clone())
        .map_err(|e| Error::InvalidSpec(e.to_string()))?;

    Ok(Assembly {
        spec,
        conflicts: asm.conflicts,
        gaps,
        stats,
        precedence: facts.api.precedence.clone(),
    })
}

/// Collapses pages that document the same operation id.
fn collapse_duplicates(
    raw: Vec<RawOperation>,
    facts: &Facts,
    conflicts: &mut Vec<Conflict>,
) -> Result<Vec<Op>, Error> {
    let mut by_id: BTreeMap<String, Vec<RawOperation>> = BTreeMap::new();
    for op in raw {
        by_id.entry(op.operation_id.clone()).or_default().push(op);
    }
    let mut ops = Vec::new();
    for (id, mut pages) in by_id {
        let first = pages.remove(0);
        for other in &pages {
            let mut a = first.clone();
            let mut b = other.clone();
            a.page.clear();
            b.page.clear();
            let c = Conflict::new(
                Kind::DuplicatePage,
                "C",
                format!("`{}` documented twice", short_id(&id, facts)),
            )
            .side("first page", vec![first.page.clone()])
            .side("second page", vec![other.page.clone()]);
            conflicts.push(if a == b {
                c.taken("identical apart from the URL: collapsed into one operation")
            } else {
                c.taken(format!(
                    "pages differ; the first page ({}) is used",
                    first.page
                ))
            });
        }
        let short = short_id(&id, facts);
        ops.push(Op { raw: first, short });
    }
    // Document order: by path, then method.
    ops.sort_by(|a, b| {
        (a.raw.path.as_str(), &a.raw.method).cmp(&(b.raw.path.as_str(), &b.raw.method))
    });
    Ok(ops)
}

fn short_id(id: &str, facts: &Facts) -> String {
    let s = id
        .strip_prefix(&facts.api.operation_id_prefix)
        .unwrap_or(id);
    s.strip_suffix(&facts.api.operation_id_suffix)
        .unwrap_or(s)
        .to_string()
}

type Shapes = BTreeMap<(String, u16), TsType>;

struct Assembler<'a> {
    facts: &'a Facts,
    models: &'a DataModels,
    ops: &'a [Op],
    conflicts: Vec<Conflict>,
    components: Components,
    /// Ops whose responses carry a data type (short id → rust-facing type), for reports.
    response_types: BTreeMap<String, String>,
    /// Components that describe responses (their members are optional and nullable unless
    /// guaranteed).
    response_components: BTreeSet<String>,
    /// Resource schemas: response components whose uuid `id` identifies them.
    resources: BTreeSet<String>,
    /// The type of each operation's success `data` (short id → type).
    op_data: BTreeMap<String, TsType>,
}

fn ts_at_mut<'t>(ty: &'t mut TsType, path: &[Segment]) -> Option<&'t mut TsType> {
    let Some((first, rest)) = path.split_first() else {
        return Some(ty);
    };
    match (first, ty) {
        (Segment::Member(name), TsType::Struct(fields)) => {
            let f = fields.iter_mut().find(|f| f.name == *name)?;
            ts_at_mut(&mut f.ty, rest)
        }
        (Segment::Items, TsType::Array(Some(item))) => ts_at_mut(item, rest),
        _ => None,
    }
}

fn evidence_pages(list: &[Evidence]) -> Vec<String> {
    let mut pages: Vec<String> = list.iter().map(|e| e.page.clone()).collect();
    pages.dedup();
    pages
}

/// The first piece of evidence as `page: “quote”`, for `x-` extensions naming their evidence.
fn cite(list: &[Evidence]) -> String {
    list.first().map_or_else(String::new, |e| {
        format!("{}: “{}”", e.page, crate::docs::normalize_ws(&e.quote))
    })
}

/// Adds pages to a property's `x-evidence`.
fn add_evidence(p: &mut Property, pages: Vec<String>) {
    if pages.is_empty() {
        return;
    }
    match p.extensions.iter_mut().find(|(k, _)| k == "x-evidence") {
        Some((_, Value::Array(list))) => {
            for page in pages {
                if !list.iter().any(|v| v.as_str() == Some(page.as_str())) {
                    list.push(page.into());
                }
            }
        }
        _ => p.extensions.push(("x-evidence".into(), json!(pages))),
    }
}

impl<'a> Assembler<'a> {
    fn op(&self, short: &str) -> Option<&'a Op> {
        self.ops.iter().find(|o| o.short == short)
    }

    fn check_operation_facts(&self) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for f in &self.facts.operations {
            if self.op(&f.id).is_none() {
                return Err(invalid(
                    format!("[[operation]] {}", f.id),
                    "no endpoint page documents this operation",
                ));
            }
            if !seen.insert(f.id.as_str()) {
                return Err(invalid(format!("[[operation]] {}", f.id), "listed twice"));
            }
        }
        for op in self.ops {
            if !seen.contains(op.short.as_str()) {
                return Err(invalid(
                    "[[operation]]",
                    format!(
                        "operation `{}` ({} {}) has no group/method entry",
                        op.short, op.raw.method, op.raw.path
                    ),
                ));
            }
        }
        Ok(())
    }

    fn response_shapes(&self) -> Shapes {
        let mut shapes = Shapes::new();
        for op in self.ops {
            for r in &op.raw.responses {
                if let Some(shape) = &r.shape {
                    shapes.insert((op.short.clone(), r.status), shape.clone());
                }
            }
        }
        shapes
    }

    fn apply_response_overrides(&self, shapes: &mut Shapes) -> Result<(), Error> {
        for o in &self.facts.overrides {
            let ctx = format!("[[override]] {}", o.at.join(", "));
            let ty = ts::parse_type(&o.ty)
                .map_err(|e| invalid(&ctx, format!("type `{}`: {e}", o.ty)))?;
            for at in &o.at {
                let loc = Location::parse(at).map_err(|m| invalid(&ctx, m))?;
                if let Location::Response { op, status, path } = loc {
                    self.op(&op)
                        .ok_or_else(|| invalid(&ctx, format!("unknown operation `{op}`")))?;
                    let shape = shapes
                        .entry((op.clone(), status))
                        .or_insert(TsType::Unknown);
                    let slot = ts_at_mut(shape, &path).ok_or_else(|| {
                        invalid(&ctx, format!("`{at}` is not in the documented shape"))
                    })?;
                    *slot = ty.clone();
                }
            }
        }
        Ok(())
    }

    /// Hoists the named resources out of the response shapes. Returns each component's type.
    fn extract_components(
        &mut self,
        shapes: &mut Shapes,
    ) -> Result<Vec<(String, TsType, Option<String>)>, Error> {
        let mut types: BTreeMap<String, TsType> = BTreeMap::new();
        let mut order: Vec<(String, Option<String>)> = Vec::new();
        // Component-relative overrides wait until their component exists.
        for c in &self.facts.components {
            let ctx = format!("[[component]] {}", c.name);
            let mut merged: Option<(TsType, String)> = None;
            for at in &c.at {
                let loc = Location::parse(at).map_err(|m| invalid(&ctx, m))?;
                let (slot, origin) = match &loc {
                    Location::Response { op, status, path } => {
                        let page = self
                            .op(op)
                            .map(|o| o.raw.page.clone())
                            .ok_or_else(|| invalid(&ctx, format!("unknown operation `{op}`")))?;
                        let shape = shapes.get_mut(&(op.clone(), *status)).ok_or_else(|| {
                            invalid(&ctx, format!("`{op}` documents no shape for {status}"))
                        })?;
                        (ts_at_mut(shape, path), page)
                    }
                    Location::Component { name, path } => {
                        let parent = types.get_mut(name).ok_or_else(|| {
                            invalid(
                                &ctx,
                                format!("component `{name}` is not defined before `{at}`"),
                            )
                        })?;
                        (ts_at_mut(parent, path), format!("component {name}"))
                    }
                };
                let slot = slot.ok_or_else(|| {
                    invalid(&ctx, format!("`{at}` is not in the documented shape"))
                })?;
                let found = std::mem::replace(slot, TsType::Named(c.name.clone()));
                if let TsType::Named(n) = &found
                    && *n == c.name
                {
                    continue;
                }
                merged = Some(match merged {
                    None => (found, origin),
                    Some((prev, prev_origin)) => {
                        let ty = self.merge_shapes(&c.name, prev, &prev_origin, found, &origin);
                        (ty, prev_origin)
                    }
                });
            }
            let (ty, _) = merged.ok_or_else(|| invalid(&ctx, "no locations"))?;
            if types.insert(c.name.clone(), ty).is_some() {
                return Err(invalid(&ctx, "defined twice"));
            }
            order.push((c.name.clone(), c.description.clone()));
            // Overrides inside this component, now that it exists.
            for o in &self.facts.overrides {
                let oty =
                    ts::parse_type(&o.ty).map_err(|e| invalid("[[override]]", e.to_string()))?;
                for at in &o.at {
                    if let Ok(Location::Component { name, path }) = Location::parse(at)
                        && name == c.name
                    {
                        let root = types
                            .get_mut(&name)
                            .ok_or_else(|| invalid("[[override]]", at.clone()))?;
                        let slot = ts_at_mut(root, &path).ok_or_else(|| {
                            invalid(format!("[[override]] {at}"), "not in the documented shape")
                        })?;
                        *slot = oty.clone();
                    }
                }
            }
        }
        Ok(order
            .into_iter()
            .map(|(name, d)| {
                let ty = types.remove(&name).unwrap_or(TsType::Unknown);
                (name, ty, d)
            })
            .collect())
    }

    /// Merges two shapes of one resource; differences become conflicts.
    fn merge_shapes(
        &mut self,
        name: &str,
        a: TsType,
        a_origin: &str,
        b: TsType,
        b_origin: &str,
    ) -> TsType {
        if a == b {
            return a;
        }
        let (TsType::Struct(fa), TsType::Struct(fb)) = (&a, &b) else {
            self.conflicts.push(
                Conflict::new(Kind::ShapeAcrossPages, "A", format!("`{name}` shape"))
                    .side(a.to_string(), vec![a_origin.to_string()])
                    .side(b.to_string(), vec![b_origin.to_string()])
                    .taken(format!("first shape ({a_origin})")),
            );
            return a;
        };
        let mut merged = fa.clone();
        // (member, what differs)
        let mut diffs: Vec<(&str, String)> = Vec::new();
        for f in fb {
            match merged.iter().find(|m| m.name == f.name) {
                None => {
                    diffs.push((&f.name, format!("`{}` only on {b_origin}", f.name)));
                    merged.push(f.clone());
                }
                Some(m) if m.ty != f.ty => {
                    diffs.push((&f.name, format!("`{}`: {} vs {}", f.name, m.ty, f.ty)))
                }
                Some(_) => {}
            }
        }
        for f in fa {
            if !fb.iter().any(|m| m.name == f.name) {
                diffs.push((&f.name, format!("`{}` only on {a_origin}", f.name)));
            }
        }
        if !diffs.is_empty() {
            self.conflicts.push(
                Conflict::members(
                    Kind::ShapeAcrossPages,
                    "A",
                    &format!("`{name}` differs between pages: "),
                    name,
                    &diffs,
                )
                .side("first page", vec![a_origin.to_string()])
                .side("second page", vec![b_origin.to_string()])
                .taken("union of the members; the first page's type where both have one"),
            );
        }
        TsType::Struct(merged)
    }

    /// Turns each resource's shape into a component, hoisting nested objects.
    fn convert_resources(
        &mut self,
        resources: Vec<(String, TsType, Option<String>)>,
    ) -> Result<(), Error> {
        let types: BTreeMap<String, TsType> = resources
            .iter()
            .map(|(n, t, _)| (n.clone(), t.clone()))
            .collect();
        for (name, ty, description) in resources {
            let fact = self.facts.components.iter().find(|c| c.name == name);
            let table = fact.and_then(|f| f.table.clone());
            let schema = self.response_schema(&ty, &name, None, table.as_deref())?;
            let description =
                description.or_else(|| table.as_deref().and_then(|t| self.models.table_intro(t)));
            if self.components.contains_key(&name) {
                return Err(invalid(
                    format!("[[component]] {name}"),
                    "a schema with this name is also in [[schema]]",
                ));
            }
            self.components.insert(
                name.clone(),
                Component {
                    name: name.clone(),
                    description,
                    schema,
                    extensions: Vec::new(),
                },
            );
            self.response_components.insert(name.clone());
            if let Some(interface) = fact.and_then(|f| f.interface.clone()) {
                self.compare_with_interface(&name, &interface, &ty, &types)?;
            }
        }
        Ok(())
    }

    /// Schema of a response shape. Inline objects below the top become components
    /// named after their parent.
    fn response_schema(
        &mut self,
        ty: &TsType,
        owner: &str,
        member: Option<&str>,
        table: Option<&str>,
    ) -> Result<Schema, Error> {
        Ok(match ty {
            // Response shapes never state value sets; enums come from [[enum_use]].
            TsType::Literal(_) => Schema::String(StringRules::default()),
            TsType::Record(Some(v)) => {
                Schema::Map(Box::new(self.response_schema(v, owner, member, None)?))
            }
            TsType::Array(Some(item)) => Schema::Array {
                items: Box::new(self.response_schema(
                    item,
                    owner,
                    member.map(|m| format!("{m}_item")).as_deref(),
                    None,
                )?),
                min_items: None,
            },
            TsType::Union(members) => {
                let (rest, _) = TsType::Union(members.clone()).strip_null();
                if matches!(rest, TsType::Union(_)) {
                    return Err(invalid(
                        format!("component {owner}"),
                        format!("union `{ty}` cannot be expressed"),
                    ));
                }
                self.response_schema(&rest, owner, member, table)?
            }
            TsType::Struct(fields) => {
                let obj = self.response_object(fields, owner, table)?;
                match member {
                    None => Schema::Object(obj),
                    Some(m) => {
                        let name = format!("{owner}{}", pascal(m.trim_end_matches("_item")));
                        let name = if m.ends_with("_item") {
                            format!("{name}Item")
                        } else {
                            name
                        };
                        if self.components.contains_key(&name) {
                            return Err(invalid(
                                format!("component {owner}"),
                                format!(
                                    "default name `{name}` for `{m}` is taken; name it in [[component]]"
                                ),
                            ));
                        }
                        self.components.insert(
                            name.clone(),
                            Component {
                                name: name.clone(),
                                description: None,
                                schema: Schema::Object(obj),
                                extensions: Vec::new(),
                            },
                        );
                        self.response_components.insert(name.clone());
                        Schema::Ref(name)
                    }
                }
            }
            leaf => leaf_schema(leaf).ok_or_else(|| {
                invalid(
                    format!("component {owner}"),
                    format!("type `{leaf}` cannot be expressed"),
                )
            })?,
        })
    }

    fn response_object(
        &mut self,
        fields: &[TsField],
        owner: &str,
        table: Option<&str>,
    ) -> Result<ObjectSchema, Error> {
        let mut properties = Vec::new();
        for f in fields {
            let mut schema = self.response_schema(&f.ty, owner, Some(&f.name), None)?;
            if let (Some(t), Schema::String(rules)) = (table, &mut schema)
                && let Some(format) = self.models.table_format(t, &f.name)
                && matches!(format.as_str(), "uuid" | "date-time")
            {
                rules.format = Some(format);
            }
            let mut p = Property::new(&f.name, schema);
            p.required = !f.optional;
            // Endpoint shapes mark every member optional and the examples show `null` for
            // absent values; both are accepted (see spec/README.md).
            p.nullable = true;
            p.description = table
                .and_then(|t| self.models.table_description(t, &f.name))
                .map(str::to_string);
            properties.push(p);
        }
        Ok(ObjectSchema {
            properties,
            additional_properties: false,
        })
    }

    /// Records how a response component differs from the data-models interface of the resource,
    /// following nested interfaces into the components the endpoint shapes were split into.
    fn compare_with_interface(
        &mut self,
        name: &str,
        interface: &str,
        shape: &TsType,
        resources: &BTreeMap<String, TsType>,
    ) -> Result<(), Error> {
        let decl = self.models.declarations.get(interface).ok_or_else(|| {
            invalid(
                format!("[[component]] {name}"),
                format!("the data-models page has no interface `{interface}`"),
            )
        })?;
        let mut diffs = Vec::new();
        self.diff_types(decl, shape, resources, "", &mut diffs, 0);
        if !diffs.is_empty() {
            self.conflicts.push(
                Conflict::members(
                    Kind::ReferenceVsDataModels,
                    "A",
                    &format!("`{name}`: "),
                    name,
                    &diffs,
                )
                .side(
                    format!("endpoint response shapes of `{name}`"),
                    self.component_pages(name),
                )
                .side(
                    format!("data-models `interface {interface}`"),
                    vec![self.facts.api.data_models_page.clone()],
                )
                .taken("endpoint reference (members only in data-models are left out)"),
            );
        }
        Ok(())
    }

    fn diff_types(
        &self,
        model: &TsType,
        page: &TsType,
        resources: &BTreeMap<String, TsType>,
        at: &str,
        diffs: &mut Vec<(String, String)>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        let resolve_model = |t: &TsType| -> TsType {
            let (t, _) = t.strip_null();
            match &t {
                TsType::Named(n) => self.models.declarations.get(n).cloned().unwrap_or(t),
                _ => t,
            }
        };
        let resolve_page = |t: &TsType| -> TsType {
            match t {
                TsType::Named(n) => resources.get(n).cloned().unwrap_or_else(|| t.clone()),
                _ => t.clone(),
            }
        };
        let (model, page) = (resolve_model(model), resolve_page(page));
        match (&model, &page) {
            (TsType::Struct(mf), TsType::Struct(pf)) => {
                for m in mf {
                    let path = if at.is_empty() {
                        m.name.clone()
                    } else {
                        format!("{at}.{}", m.name)
                    };
                    match pf.iter().find(|p| p.name == m.name) {
                        None => diffs.push((path.clone(), format!("`{path}` only in data-models"))),
                        Some(p) => {
                            self.diff_types(&m.ty, &p.ty, resources, &path, diffs, depth + 1)
                        }
                    }
                }
                for p in pf {
                    if !mf.iter().any(|m| m.name == p.name) {
                        let path = if at.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{at}.{}", p.name)
                        };
                        diffs.push((path.clone(), format!("`{path}` only on the endpoint pages")));
                    }
                }
            }
            (TsType::Array(Some(mi)), TsType::Array(Some(pi))) => {
                self.diff_types(mi, pi, resources, &format!("{at}[]"), diffs, depth + 1);
            }
            (m, p) if !same_kind(m, p) => {
                diffs.push((
                    at.to_string(),
                    format!("`{at}`: data-models `{m}`, endpoint `{p}`"),
                ));
            }
            _ => {}
        }
    }

    /// The endpoint pages a component's shape comes from, through the components it is
    /// nested in.
    fn component_pages(&self, name: &str) -> Vec<String> {
        let mut pages = BTreeSet::new();
        let mut pending = vec![name.to_string()];
        let mut visited = BTreeSet::new();
        while let Some(name) = pending.pop() {
            if !visited.insert(name.clone()) {
                continue;
            }
            let Some(c) = self.facts.components.iter().find(|c| c.name == name) else {
                continue;
            };
            for at in &c.at {
                match Location::parse(at) {
                    Ok(Location::Response { op, .. }) => {
                        if let Some(o) = self.op(&op) {
                            pages.insert(format!("ep:{}", o.short));
                        }
                    }
                    Ok(Location::Component { name, .. }) => pending.push(name),
                    Err(_) => {}
                }
            }
        }
        pages.into_iter().collect()
    }

    fn add_facts_schemas(&mut self) -> Result<(), Error> {
        for sf in &self.facts.schemas {
            if sf.response {
                self.response_components.insert(sf.name.clone());
            }
            let component = self.facts_schema(sf)?;
            if self.components.insert(sf.name.clone(), component).is_some() {
                return Err(invalid(format!("[[schema]] {}", sf.name), "defined twice"));
            }
        }
        Ok(())
    }

    fn facts_schema(&mut self, sf: &SchemaFact) -> Result<Component, Error> {
        let ctx = format!("[[schema]] {}", sf.name);
        let mut extensions = vec![(
            "x-evidence".to_string(),
            json!(evidence_pages(&sf.evidence)),
        )];
        if let Some(c) = &sf.confidence {
            extensions.push(("x-confidence".into(), json!(c)));
        }
        if let Some(values) = &sf.enum_values {
            if sf.interface.is_some() || !sf.fields.is_empty() {
                return Err(invalid(&ctx, "an enum has no interface or fields"));
            }
            return Ok(Component {
                name: sf.name.clone(),
                description: Some(sf.description.clone()),
                schema: Schema::String(StringRules {
                    enum_values: Some(values.clone()),
                    ..Default::default()
                }),
                extensions,
            });
        }
        // Members from the interface, then the facts' fields.
        let mut members: Vec<(String, TsType, bool)> = Vec::new();
        if let Some(interface) = &sf.interface {
            let decl = self.interface(interface).ok_or_else(|| {
                invalid(
                    &ctx,
                    format!("the data-models page has no interface `{interface}`"),
                )
            })?;
            let TsType::Struct(fields) = &decl else {
                return Err(invalid(
                    &ctx,
                    format!("`{interface}` is not an object interface"),
                ));
            };
            for f in fields {
                let (ty, _) = f.ty.strip_null();
                members.push((f.name.clone(), ty, !f.optional));
            }
            for o in &sf.omit {
                let before = members.len();
                members.retain(|(n, _, _)| n != o);
                if members.len() == before {
                    return Err(invalid(
                        &ctx,
                        format!("omits `{o}`, which `{interface}` does not have"),
                    ));
                }
            }
        }
        let mut props: Vec<Property> = Vec::new();
        let mut field_facts: BTreeMap<&str, &FieldFact> = BTreeMap::new();
        for f in &sf.fields {
            if field_facts.insert(f.name.as_str(), f).is_some() {
                return Err(invalid(&ctx, format!("field `{}` listed twice", f.name)));
            }
            if !members.iter().any(|(n, _, _)| *n == f.name) {
                let ty_text = f.ty.as_deref().ok_or_else(|| {
                    invalid(
                        &ctx,
                        format!(
                            "field `{}` is not in the interface, so it needs a `type`",
                            f.name
                        ),
                    )
                })?;
                let ty = ts::parse_type(ty_text)
                    .map_err(|e| invalid(&ctx, format!("`{}`: {e}", f.name)))?;
                members.push((f.name.clone(), ty, false));
            }
        }
        for (name, ty, required) in &members {
            let fact = field_facts.get(name.as_str());
            let ty = match fact.and_then(|f| f.ty.as_deref()) {
                Some(text) => {
                    ts::parse_type(text).map_err(|e| invalid(&ctx, format!("`{name}`: {e}")))?
                }
                None => ty.clone(),
            };
            let mut schema = self.facts_type(&ty, &sf.name, name, &ctx)?;
            if let Some(f) = fact {
                apply_constraints(&mut schema, f)
                    .map_err(|m| invalid(&ctx, format!("`{name}`: {m}")))?;
            }
            let mut p = Property::new(name, schema);
            p.required = !sf.response && fact.and_then(|f| f.required).unwrap_or(*required);
            p.nullable = sf.response;
            p.description = fact.and_then(|f| f.description.clone());
            if let Some(f) = fact {
                if let Some(c) = &f.confidence {
                    p.extensions.push(("x-confidence".into(), json!(c)));
                }
                if !f.evidence.is_empty() {
                    p.extensions
                        .push(("x-evidence".into(), json!(evidence_pages(&f.evidence))));
                }
            }
            props.push(p);
        }
        if let Some(interface) = &sf.interface {
            self.record_interface_departures(sf, interface, &props);
        }
        Ok(Component {
            name: sf.name.clone(),
            description: Some(sf.description.clone()),
            schema: Schema::Object(ObjectSchema {
                properties: props,
                additional_properties: sf.additional_properties,
            }),
            extensions,
        })
    }

    /// A data-models interface, or a member of one (`SendMessageRequest.template`).
    fn interface(&self, path: &str) -> Option<TsType> {
        let mut parts = path.split('.');
        let mut ty = self.models.declarations.get(parts.next()?)?.clone();
        for member in parts {
            let TsType::Struct(fields) = ty else {
                return None;
            };
            ty = fields
                .into_iter()
                .find(|f| f.name == member)?
                .ty
                .strip_null()
                .0;
        }
        Some(ty)
    }

    fn record_interface_departures(
        &mut self,
        sf: &SchemaFact,
        interface: &str,
        props: &[Property],
    ) {
        let Some(TsType::Struct(original)) = self.interface(interface) else {
            return;
        };
        // (member, what differs)
        let mut diffs: Vec<(&str, String)> = Vec::new();
        for o in &sf.omit {
            diffs.push((o, format!("`{o}` left out")));
        }
        for p in props {
            match original.iter().find(|m| m.name == p.name) {
                None => diffs.push((&p.name, format!("`{}` added", p.name))),
                Some(m) => {
                    let fact = sf.fields.iter().find(|f| f.name == p.name);
                    if let Some(t) = fact.and_then(|f| f.ty.as_deref())
                        && let Ok(t) = ts::parse_type(t)
                    {
                        let (mt, _) = m.ty.strip_null();
                        if !same_kind(&mt, &t) {
                            diffs.push((&p.name, format!("`{}`: `{}` → `{t}`", p.name, m.ty)));
                        }
                    }
                    if let Some(req) = fact.and_then(|f| f.required)
                        && req == m.optional
                    {
                        diffs.push((
                            &p.name,
                            format!("`{}` {}", p.name, if req { "required" } else { "optional" }),
                        ));
                    }
                }
            }
        }
        if diffs.is_empty() {
            return;
        }
        let mut pages: Vec<String> = sf.evidence.iter().map(|e| e.page.clone()).collect();
        for f in &sf.fields {
            pages.extend(f.evidence.iter().map(|e| e.page.clone()));
        }
        pages.retain(|p| *p != self.facts.api.data_models_page);
        pages.sort();
        pages.dedup();
        self.conflicts.push(
            Conflict::members(
                Kind::FactsVsDataModels,
                "A",
                &format!("`{}`: ", sf.name),
                &sf.name,
                &diffs,
            )
            .side(
                format!("data-models `interface {interface}`"),
                vec![self.facts.api.data_models_page.clone()],
            )
            .side(
                "endpoint pages and other evidence cited in spec/facts.toml",
                pages,
            )
            .taken("the cited evidence (endpoint reference first)"),
        );
    }

    /// Schema of a facts-written type. Inline objects become `{Owner}{Member}` components.
    fn facts_type(
        &mut self,
        ty: &TsType,
        owner: &str,
        member: &str,
        ctx: &str,
    ) -> Result<Schema, Error> {
        Ok(match ty {
            TsType::Record(Some(v)) => {
                Schema::Map(Box::new(self.facts_type(v, owner, member, ctx)?))
            }
            TsType::Array(Some(item)) => Schema::Array {
                items: Box::new(self.facts_type(item, owner, member, ctx)?),
                min_items: None,
            },
            TsType::Literal(_) | TsType::Union(_) => match ty.literals() {
                Some(values) => Schema::String(StringRules {
                    enum_values: Some(values),
                    ..Default::default()
                }),
                None => {
                    return Err(invalid(
                        ctx,
                        format!("`{member}`: union `{ty}` cannot be expressed"),
                    ));
                }
            },
            TsType::Struct(fields) => {
                let name = format!("{owner}{}", pascal(member));
                let mut props = Vec::new();
                for f in fields {
                    let (fty, _) = f.ty.strip_null();
                    let mut p = Property::new(&f.name, self.facts_type(&fty, &name, &f.name, ctx)?);
                    p.required = !f.optional;
                    props.push(p);
                }
                if self.components.contains_key(&name) {
                    return Err(invalid(
                        ctx,
                        format!("default name `{name}` for `{member}` is taken"),
                    ));
                }
                self.components.insert(
                    name.clone(),
                    Component {
                        name: name.clone(),
                        description: None,
                        schema: Schema::Object(ObjectSchema {
                            properties: props,
                            additional_properties: false,
                        }),
                        extensions: Vec::new(),
                    },
                );
                Schema::Ref(name)
            }
            leaf => leaf_schema(leaf).ok_or_else(|| {
                invalid(
                    ctx,
                    format!("`{member}`: type `{leaf}` cannot be expressed"),
                )
            })?,
        })
    }

    fn apply_enum_uses(&mut self) -> Result<(), Error> {
        for e in &self.facts.enum_uses {
            let ctx = format!("[[enum_use]] {}", e.enum_name);
            match self.components.get(&e.enum_name).map(|c| &c.schema) {
                Some(Schema::String(StringRules {
                    enum_values: Some(_),
                    ..
                })) => {}
                _ => return Err(invalid(&ctx, "not an enum [[schema]]")),
            }
            for at in &e.at {
                let slot = self.string_slot(at, &ctx)?;
                match (&e.separator, slot) {
                    (None, slot) => *slot = Schema::Ref(e.enum_name.clone()),
                    (Some(separator), Schema::String(rules)) => {
                        rules.delimited = Some(schema::Delimited {
                            separator: separator.clone(),
                            items: e.enum_name.clone(),
                        });
                    }
                    (Some(_), _) => {
                        return Err(invalid(
                            &ctx,
                            format!("`{at}` is not a string, so it cannot list values"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn apply_formats(&mut self) -> Result<(), Error> {
        for f in &self.facts.formats {
            let ctx = format!("[[format]] {}", f.format);
            for at in &f.at {
                if let Some(prop) = at.strip_prefix("*.") {
                    let mut hits = 0;
                    for (cname, c) in self.components.iter_mut() {
                        if f.except.iter().any(|x| *x == format!("{cname}.{prop}")) {
                            continue;
                        }
                        if let Schema::Object(obj) = &mut c.schema
                            && let Some(p) = obj.property_mut(prop)
                            && let Schema::String(rules) = &mut p.schema
                        {
                            rules.format = Some(f.format.clone());
                            hits += 1;
                        }
                    }
                    if hits == 0 {
                        return Err(invalid(&ctx, format!("`{at}` matches no string property")));
                    }
                } else {
                    let format = f.format.clone();
                    match self.string_slot(at, &ctx)? {
                        Schema::String(rules) => rules.format = Some(format),
                        _ => return Err(invalid(&ctx, format!("`{at}` is not a string"))),
                    }
                }
            }
        }
        Ok(())
    }

    /// The string schema at `Component.member` or `Component.member[]`.
    fn string_slot(&mut self, at: &str, ctx: &str) -> Result<&mut Schema, Error> {
        let (p, items) = self.property_at(at, ctx)?;
        let slot = match (&mut p.schema, items) {
            (Schema::Array { items, .. }, true) => items.as_mut(),
            (s, false) => s,
            _ => return Err(invalid(ctx, format!("`{at}` is not an array"))),
        };
        match slot {
            Schema::String(_) | Schema::Any => {
                if matches!(slot, Schema::Any) {
                    *slot = Schema::String(StringRules::default());
                }
                Ok(slot)
            }
            Schema::Ref(_) => Ok(slot),
            other => Err(invalid(ctx, format!("`{at}` is {other:?}, not a string"))),
        }
    }

    /// The property at `Component.member`.
    fn member_mut(&mut self, at: &str, ctx: &str) -> Result<&mut Property, Error> {
        match self.property_at(at, ctx)? {
            (p, false) => Ok(p),
            (_, true) => Err(invalid(ctx, format!("`{at}` must name one member"))),
        }
    }

    /// The property at `Component.member` or `Component.member[]`, and whether `[]` follows.
    fn property_at(&mut self, at: &str, ctx: &str) -> Result<(&mut Property, bool), Error> {
        let Ok(Location::Component { name, path }) = Location::parse(at) else {
            return Err(invalid(ctx, format!("`{at}` is not `Component.member`")));
        };
        let (member, items) = match path.as_slice() {
            [Segment::Member(m)] => (m, false),
            [Segment::Member(m), Segment::Items] => (m, true),
            _ => return Err(invalid(ctx, format!("`{at}` must name one member"))),
        };
        let component = self
            .components
            .get_mut(&name)
            .ok_or_else(|| invalid(ctx, format!("no component `{name}`")))?;
        let Schema::Object(obj) = &mut component.schema else {
            return Err(invalid(ctx, format!("`{name}` is not an object")));
        };
        let p = obj
            .property_mut(member)
            .ok_or_else(|| invalid(ctx, format!("`{name}` has no member `{member}`")))?;
        Ok((p, items))
    }

    fn check_refs_defined(&self) -> Result<(), Error> {
        fn walk(s: &Schema, c: &Components, owner: &str) -> Result<(), Error> {
            match s {
                Schema::Ref(n) if !c.contains_key(n) => Err(invalid(
                    format!("schema {owner}"),
                    format!("refers to `{n}`, which no [[schema]] or [[component]] defines"),
                )),
                Schema::String(StringRules {
                    delimited: Some(d), ..
                }) => walk(&Schema::Ref(d.items.clone()), c, owner),
                Schema::OneOf { variants, .. } => variants
                    .iter()
                    .try_for_each(|v| walk(&Schema::Ref(v.clone()), c, owner)),
                Schema::Array { items, .. } => walk(items, c, owner),
                Schema::Map(v) => walk(v, c, owner),
                Schema::Object(o) => o
                    .properties
                    .iter()
                    .try_for_each(|p| walk(&p.schema, c, owner)),
                _ => Ok(()),
            }
        }
        self.components
            .values()
            .try_for_each(|c| walk(&c.schema, &self.components, &c.name))
    }

    fn envelope_ref(&self) -> Value {
        json!({ "$ref": format!("{}{}", schema::REF_PREFIX, self.facts.api.envelope.schema) })
    }

    fn operation_json(
        &mut self,
        op: &Op,
        shapes: &Shapes,
        stats: &mut Stats,
    ) -> Result<Value, Error> {
        let fact = self
            .facts
            .operations
            .iter()
            .find(|f| f.id == op.short)
            .ok_or_else(|| invalid("[[operation]]", format!("no entry for `{}`", op.short)))?;
        let mut m = Map::new();
        m.insert("tags".into(), json!([op.raw.tag]));
        m.insert("summary".into(), json!(op.raw.summary));
        if !op.raw.description.is_empty() {
            m.insert("description".into(), json!(unflatten(&op.raw.description)));
        }
        m.insert("operationId".into(), json!(op.raw.operation_id));

        let params = self.parameters(op)?;
        if !params.is_empty() {
            m.insert("parameters".into(), Value::Array(params));
        }

        // Request body.
        let body_fact = self
            .facts
            .bodies
            .iter()
            .find(|b| b.operations.contains(&op.short));
        match (&op.raw.body, body_fact) {
            (Some(raw), Some(b)) => {
                if !self.components.contains_key(&b.schema) {
                    return Err(invalid(
                        format!("[[body]] {}", op.short),
                        format!("no schema `{}`", b.schema),
                    ));
                }
                m.insert(
                    "requestBody".into(),
                    json!({
                        "required": b.required,
                        "content": { raw.media_type.clone(): { "schema": { "$ref": format!("{}{}", schema::REF_PREFIX, b.schema) } } },
                        "x-evidence": evidence_pages(&b.evidence),
                    }),
                );
            }
            (Some(raw), None) => {
                return Err(invalid(
                    "[[body]]",
                    format!(
                        "`{}` documents a request body (`{}`) but no [[body]] entry describes it",
                        op.short, raw.shape
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    format!("[[body]] {}", op.short),
                    "the endpoint page documents no request body",
                ));
            }
            (None, None) => {}
        }
        self.check_error_details(op)?;

        // Responses.
        let mut responses = Map::new();
        for r in &op.raw.responses {
            let mut rm = Map::new();
            rm.insert(
                "description".into(),
                json!(if r.description.is_empty() {
                    "Response"
                } else {
                    &r.description
                }),
            );
            let shape = shapes.get(&(op.short.clone(), r.status));
            if let Some(shape) = shape {
                let (schema_json, data_schema) = self.response_content(op, r.status, shape)?;
                let mut content = Map::new();
                content.insert("schema".into(), schema_json);
                if let Some(example) = &r.example {
                    self.check_example(op, r.status, example, data_schema.as_ref());
                    stats.examples += 1;
                    content.insert("example".into(), example.clone());
                }
                let media = r
                    .media_type
                    .clone()
                    .unwrap_or_else(|| "application/json".into());
                rm.insert("content".into(), json!({ media: Value::Object(content) }));
            }
            responses.insert(r.status.to_string(), Value::Object(rm));
        }
        for common in &self.facts.common_responses {
            let applies = common.with_header.as_ref().is_none_or(|h| {
                op.raw
                    .params
                    .iter()
                    .any(|p| p.location == ParamIn::Header && p.name == *h)
            });
            let key = common.status.to_string();
            if !applies || responses.contains_key(&key) {
                continue;
            }
            let headers: Map<String, Value> = common
                .headers
                .iter()
                .map(|(name, description)| {
                    (
                        name.clone(),
                        json!({ "description": description, "schema": { "type": "string" } }),
                    )
                })
                .collect();
            let mut rm = Map::new();
            rm.insert("description".into(), json!(common.description));
            if !headers.is_empty() {
                rm.insert("headers".into(), Value::Object(headers));
            }
            rm.insert(
                "content".into(),
                json!({ "application/json": { "schema": self.envelope_ref() } }),
            );
            rm.insert("x-evidence".into(), json!(evidence_pages(&common.evidence)));
            responses.insert(key, Value::Object(rm));
        }
        m.insert("responses".into(), Value::Object(responses));

        if op.raw.security != [self.facts.api.security.scheme.clone()] {
            let sec: Vec<Value> = op.raw.security.iter().map(|s| json!({ s: [] })).collect();
            m.insert("security".into(), Value::Array(sec));
        }
        m.insert("x-group".into(), json!(fact.group));
        m.insert("x-method".into(), json!(fact.method));
        if let Some(p) = &fact.pagination {
            m.insert(
                "x-pagination".into(),
                json!({
                    "page": p.page,
                    "page_size": p.page_size,
                    "items": p.items,
                    "has_more": p.has_more,
                    "default_page_size": p.default_page_size,
                }),
            );
        }
        m.insert("x-docs-page".into(), json!(op.raw.page));
        Ok(Value::Object(m))
    }

    /// The response schema, and the schema of its `data` when it has one.
    fn response_content(
        &mut self,
        op: &Op,
        status: u16,
        shape: &TsType,
    ) -> Result<(Value, Option<Schema>), Error> {
        let ctx = format!("response {} {status}", op.short);
        let TsType::Struct(fields) = shape else {
            if *shape == TsType::Unknown && status >= 300 {
                return Err(invalid(
                    &ctx,
                    "shape is `unknown`; add an [[override]] stating the envelope",
                ));
            }
            return Err(invalid(
                &ctx,
                format!("shape `{shape}` is not the response envelope; add an [[override]]"),
            ));
        };
        if let Some(f) = fields
            .iter()
            .find(|f| !ENVELOPE_MEMBERS.contains(&f.name.as_str()))
        {
            return Err(invalid(
                &ctx,
                format!("member `{}` is not part of the envelope", f.name),
            ));
        }
        let env = &self.facts.api.envelope;
        let Some(data) = fields.iter().find(|f| f.name == env.data) else {
            return Ok((self.envelope_ref(), None));
        };
        let data_schema = match &data.ty {
            TsType::Named(n) => Schema::Ref(n.clone()),
            TsType::Array(Some(item)) => match item.as_ref() {
                TsType::Named(n) => Schema::Array {
                    items: Box::new(Schema::Ref(n.clone())),
                    min_items: None,
                },
                other => {
                    return Err(invalid(
                        &ctx,
                        format!("data items `{other}` have no component name; add a [[component]]"),
                    ));
                }
            },
            TsType::Unknown | TsType::Empty => Schema::Any,
            other => {
                return Err(invalid(
                    &ctx,
                    format!("data `{other}` has no component name; add a [[component]]"),
                ));
            }
        };
        if let Schema::Ref(n) = &data_schema {
            self.response_types.insert(op.short.clone(), n.clone());
        }
        let schema = json!({
            "allOf": [
                self.envelope_ref(),
                { "type": "object", "properties": { env.data.clone(): data_schema.to_json() } }
            ]
        });
        Ok((schema, Some(data_schema)))
    }

    fn check_example(&mut self, op: &Op, status: u16, example: &Value, data: Option<&Schema>) {
        let env = &self.facts.api.envelope;
        let mut problems = Vec::new();
        if let Some(c) = self.components.get(&env.schema)
            && let Schema::Object(obj) = &c.schema
        {
            let mut without_data = obj.clone();
            without_data.properties.retain(|p| p.name != env.data);
            problems.extend(schema::validate(
                &Schema::Object(without_data),
                example,
                &self.components,
                "",
            ));
        }
        if let Some(data_schema) = data {
            match example.get(&env.data) {
                Some(v) => problems.extend(schema::validate(
                    data_schema,
                    v,
                    &self.components,
                    &env.data,
                )),
                None => problems.push(format!("`{}` missing", env.data)),
            }
        }
        if !problems.is_empty() {
            self.conflicts.push(
                Conflict::new(
                    Kind::ExampleVsShape,
                    "A",
                    format!("`{}` {status} example: {}", op.short, problems.join("; ")),
                )
                .side(
                    "the documented shape (with the facts applied)",
                    vec![format!("ep:{}", op.short)],
                )
                .side(
                    "the JSON example beside it",
                    vec![format!("ep:{}", op.short)],
                )
                .taken("the shape; the example is kept as documented"),
            );
        }
    }

    /// Every field a 400 example's `details` names must exist in the request.
    fn check_error_details(&self, op: &Op) -> Result<(), Error> {
        for r in op.raw.responses.iter().filter(|r| r.status == 400) {
            let Some(details) = r
                .example
                .as_ref()
                .and_then(|e| e.get(&self.facts.api.envelope.error))
                .and_then(|e| e.get("details"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for key in details.keys() {
                let is_param = op.raw.params.iter().any(|p| p.name == *key);
                let in_body = self
                    .facts
                    .bodies
                    .iter()
                    .find(|b| b.operations.contains(&op.short))
                    .is_some_and(|b| self.has_path(&b.schema, key));
                if !is_param && !in_body {
                    return Err(invalid(
                        format!("[[body]] {}", op.short),
                        format!(
                            "the 400 example's `details` names `{key}`, which neither the request body nor a parameter has"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn has_path(&self, schema_name: &str, dotted: &str) -> bool {
        let mut current = schema_name.to_string();
        for (i, part) in dotted.split('.').enumerate() {
            if let Some(Schema::OneOf { variants, .. }) =
                self.components.get(&current).map(|c| &c.schema)
            {
                let rest: Vec<&str> = dotted.split('.').skip(i).collect();
                return variants.iter().any(|v| self.has_path(v, &rest.join(".")));
            }
            let Some(Schema::Object(obj)) = self.components.get(&current).map(|c| &c.schema) else {
                return false;
            };
            let Some(p) = obj.property(part) else {
                return false;
            };
            current = match &p.schema {
                Schema::Ref(n) => n.clone(),
                Schema::Array { items, .. } => match items.as_ref() {
                    Schema::Ref(n) => n.clone(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
        }
        true
    }

    fn parameters(&self, op: &Op) -> Result<Vec<Value>, Error> {
        let mut out = Vec::new();
        let pagination = self
            .facts
            .operations
            .iter()
            .find(|f| f.id == op.short)
            .and_then(|f| f.pagination.as_ref());
        if let Some(p) = pagination {
            for name in [&p.page, &p.page_size] {
                if !op
                    .raw
                    .params
                    .iter()
                    .any(|q| q.location == ParamIn::Query && q.name == *name)
                {
                    return Err(invalid(
                        format!("[[operation]] {}", op.short),
                        format!(
                            "pagination names query parameter `{name}`, which the page does not document"
                        ),
                    ));
                }
            }
        }
        for p in &op.raw.params {
            out.push(self.parameter(op, p)?);
        }
        Ok(out)
    }

    fn parameter(&self, op: &Op, p: &RawParam) -> Result<Value, Error> {
        let mut schema = match leaf_schema(&p.ty) {
            Some(
                s @ (Schema::String(_) | Schema::Integer { .. } | Schema::Number | Schema::Boolean),
            ) => s,
            _ => {
                return Err(invalid(
                    format!("parameter {} of {}", p.name, op.short),
                    format!("type `{}` is not a scalar", p.ty),
                ));
            }
        };
        let mut evidence = Vec::new();
        let mut description = p.description.clone();
        let mut aliases: Vec<String> = Vec::new();
        let mut id_of: Option<(&str, &[Evidence])> = None;
        for f in &self.facts.parameters {
            let applies = f.name == p.name
                && f.location == p.location.as_str()
                && f.operations
                    .as_ref()
                    .is_none_or(|ops| ops.contains(&op.short));
            if !applies {
                continue;
            }
            let ctx = format!("[[parameter]] {}", f.name);
            if let Some(t) = &f.ty {
                if !self.components.contains_key(t) {
                    return Err(invalid(&ctx, format!("no schema `{t}`")));
                }
                schema = Schema::Ref(t.clone());
            }
            match &mut schema {
                Schema::String(rules) => {
                    rules.format = f.format.clone().or(rules.format.take());
                    rules.pattern = f.pattern.clone().or(rules.pattern.take());
                    rules.min_length = f.min_length.or(rules.min_length);
                    rules.max_length = f.max_length.or(rules.max_length);
                }
                Schema::Integer { minimum, maximum } => {
                    *minimum = f.minimum.or(*minimum);
                    *maximum = f.maximum.or(*maximum);
                }
                _ => {}
            }
            if description.is_none() {
                description = f.description.clone();
            }
            aliases.extend(f.aliases.iter().cloned());
            if let Some(resource) = &f.id_of {
                id_of = Some((resource.as_str(), &f.evidence));
            }
            evidence.extend(evidence_pages(&f.evidence));
        }
        if let Schema::String(rules) = &mut schema
            && rules.format.as_deref() == Some("uuid")
        {
            rules.id_of = Some(self.parameter_id(op, p, id_of)?);
        }
        let description = description
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| {
                invalid(
                    format!("parameter {} of {}", p.name, op.short),
                    "the page gives no description; add one to a [[parameter]] fact",
                )
            })?;
        let mut m = Map::new();
        m.insert("name".into(), json!(p.name));
        m.insert("in".into(), json!(p.location.as_str()));
        m.insert(
            "required".into(),
            json!(p.required || p.location == ParamIn::Path),
        );
        m.insert("description".into(), json!(description));
        m.insert("schema".into(), schema.to_json());
        if !aliases.is_empty() {
            aliases.dedup();
            m.insert("x-aliases".into(), json!(aliases));
        }
        if !evidence.is_empty() {
            evidence.dedup();
            m.insert("x-evidence".into(), json!(evidence));
        }
        Ok(Value::Object(m))
    }

    /// Error codes from the error-code pages (in precedence order) and the endpoint examples.
    fn error_codes(&mut self, docs: &Docs) -> Result<Vec<Value>, Error> {
        let mut sightings: Vec<CodeSighting> = Vec::new();
        for name in &self.facts.api.error_code_pages {
            let page = docs
                .page(name)
                .ok_or_else(|| invalid("[api] error_code_pages", format!("no page `{name}`")))?;
            sightings.extend(catalog::from_catalog_page(page));
            sightings.extend(catalog::from_tables(page));
        }
        for op in self.ops {
            for r in &op.raw.responses {
                let err = r
                    .example
                    .as_ref()
                    .and_then(|e| e.get(&self.facts.api.envelope.error));
                if let Some(code) = err.and_then(|e| e.get("code")).and_then(Value::as_str) {
                    sightings.push(CodeSighting {
                        code: code.to_string(),
                        status: r.status,
                        message: err
                            .and_then(|e| e.get("message"))
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        page: format!("ep:{}", op.short),
                    });
                }
            }
        }
        let mut by_code: BTreeMap<String, Vec<CodeSighting>> = BTreeMap::new();
        for s in sightings {
            by_code.entry(s.code.clone()).or_default().push(s);
        }
        let catalog_pages = &self.facts.api.error_code_pages;
        let mut out = Vec::new();
        let mut endpoint_only = Vec::new();
        for (code, seen) in &by_code {
            let first = &seen[0];
            if !catalog_pages.contains(&first.page) {
                endpoint_only.push(format!("{code} ({})", first.status));
            }
            let mut statuses: BTreeMap<u16, BTreeSet<String>> = BTreeMap::new();
            for s in seen {
                statuses.entry(s.status).or_default().insert(s.page.clone());
            }
            if statuses.len() > 1 {
                let mut c = Conflict::new(Kind::ErrorCodes, "B", format!("`{code}` HTTP status"));
                for (status, pages) in &statuses {
                    c = c.side(format!("{status}"), pages.iter().cloned().collect());
                }
                self.conflicts.push(c.taken(format!(
                    "{} as the code's documented status ({}); the client never relies on status alone",
                    first.status, first.page
                )));
            }
            let catalog_messages: BTreeSet<&str> = seen
                .iter()
                .filter(|s| catalog_pages.contains(&s.page))
                .map(|s| s.message.as_str())
                .collect();
            if catalog_messages.len() > 1 {
                let mut c = Conflict::new(Kind::ErrorCodes, "C", format!("`{code}` message"));
                for msg in &catalog_messages {
                    let pages: BTreeSet<String> = seen
                        .iter()
                        .filter(|s| s.message == *msg)
                        .map(|s| s.page.clone())
                        .collect();
                    c = c.side(format!("\"{msg}\""), pages.into_iter().collect());
                }
                self.conflicts
                    .push(c.taken(format!("\"{}\" ({})", first.message, first.page)));
            }
            let mut entry =
                json!({ "code": code, "status": first.status, "message": first.message });
            if self.facts.api.retryable_error_codes.contains(code) {
                entry["retryable"] = Value::Bool(true);
            }
            out.push(entry);
        }
        for code in &self.facts.api.retryable_error_codes {
            if !by_code.contains_key(code) {
                return Err(invalid(
                    "[api] retryable_error_codes",
                    format!("`{code}` is not a documented error code"),
                ));
            }
        }
        if !self.facts.api.retryable_error_codes.is_empty()
            && self.facts.api.retryable_error_codes_evidence.is_empty()
        {
            return Err(invalid(
                "[api] retryable_error_codes",
                "cite the evidence in retryable_error_codes_evidence",
            ));
        }
        if !endpoint_only.is_empty() {
            self.conflicts.push(
                Conflict::new(
                    Kind::ErrorCodes,
                    "A",
                    "codes used by endpoint pages but in no error catalog",
                )
                .side(
                    format!("used: {}", endpoint_only.join(", ")),
                    vec!["endpoint pages".into()],
                )
                .side("not listed", catalog_pages.clone())
                .taken("documented with the status and message of their endpoint example"),
            );
        }
        Ok(out)
    }

    fn document(
        &self,
        label: &SourceLabel,
        paths: Map<String, Value>,
        error_codes: Vec<Value>,
    ) -> Value {
        let api = &self.facts.api;
        let mut tags: Vec<String> = self.ops.iter().map(|o| o.raw.tag.clone()).collect();
        tags.sort();
        tags.dedup();
        let mut schemas = Map::new();
        for (name, c) in &self.components {
            schemas.insert(name.clone(), c.to_json());
        }
        let env = &api.envelope;
        json!({
            "openapi": "3.0.3",
            "info": {
                "title": api.title,
                "version": api.version,
                "description": api.description,
                "x-docs-source": { "url": label.source, "retrieved": label.retrieved },
            },
            "servers": [{ "url": api.server }],
            "security": [{ api.security.scheme.clone(): [] }],
            "tags": tags.iter().map(|t| json!({ "name": t })).collect::<Vec<_>>(),
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    api.security.scheme.clone(): {
                        "type": "apiKey",
                        "in": "header",
                        "name": api.security.header,
                        "description": api.security.description,
                    }
                }
            },
            "x-envelope": {
                "schema": env.schema,
                "data": env.data,
                "error": env.error,
                "meta": env.meta,
                "success": env.success,
            },
            "x-error-codes": error_codes,
        })
    }
}

/// Schema of a type that contains no other type; `None` for arrays with items, maps with values,
/// objects, literals and unions, which callers convert in their own context.
fn leaf_schema(ty: &TsType) -> Option<Schema> {
    Some(match ty {
        TsType::String => Schema::String(StringRules::default()),
        TsType::Number => Schema::Number,
        TsType::Integer => Schema::Integer {
            minimum: None,
            maximum: None,
        },
        TsType::Boolean => Schema::Boolean,
        TsType::Null | TsType::Unknown | TsType::Empty => Schema::Any,
        TsType::Object | TsType::Record(None) => Schema::FreeObject,
        TsType::Array(None) => Schema::Array {
            items: Box::new(Schema::Any),
            min_items: None,
        },
        TsType::Named(n) => Schema::Ref(n.clone()),
        TsType::Literal(_)
        | TsType::Array(Some(_))
        | TsType::Record(Some(_))
        | TsType::Struct(_)
        | TsType::Union(_) => return None,
    })
}

/// Whether two types are the same kind of JSON value (for conflict detection).
fn same_kind(a: &TsType, b: &TsType) -> bool {
    use TsType::*;
    let kind = |t: &TsType| -> u8 {
        match t {
            String | Literal(_) => 1,
            Number | Integer => 2,
            Boolean => 3,
            Array(_) => 4,
            Struct(_) | Object | Record(_) => 5,
            Named(_) => 6,
            Union(m) if t.literals().is_some() || m.is_empty() => 1,
            Unknown | Empty | Null | Union(_) => 0,
        }
    };
    let (ka, kb) = (kind(a), kind(b));
    ka == kb || ka == 0 || kb == 0 || ka == 6 || kb == 6
}

/// Applies a field fact's constraints to its schema.
fn apply_constraints(schema: &mut Schema, f: &FieldFact) -> Result<(), String> {
    let string_rules = f.format.is_some()
        || f.pattern.is_some()
        || f.min_length.is_some()
        || f.max_length.is_some();
    let int_rules = f.minimum.is_some() || f.maximum.is_some();
    let array_rules =
        f.min_items.is_some() || f.items_pattern.is_some() || f.items_format.is_some();
    match schema {
        Schema::String(rules) => {
            if int_rules || array_rules {
                return Err("numeric or array constraints on a string".into());
            }
            rules.format = f.format.clone().or(rules.format.take());
            rules.pattern = f.pattern.clone().or(rules.pattern.take());
            rules.min_length = f.min_length.or(rules.min_length);
            rules.max_length = f.max_length.or(rules.max_length);
        }
        Schema::Integer { minimum, maximum } => {
            if string_rules || array_rules {
                return Err("string or array constraints on an integer".into());
            }
            *minimum = f.minimum.or(*minimum);
            *maximum = f.maximum.or(*maximum);
        }
        Schema::Array { items, min_items } => {
            if string_rules || int_rules {
                return Err("string or numeric constraints on an array (use items_*)".into());
            }
            *min_items = f.min_items.or(*min_items);
            if f.items_pattern.is_some() || f.items_format.is_some() {
                let Schema::String(rules) = items.as_mut() else {
                    return Err("items_* constraints on an array of non-strings".into());
                };
                rules.pattern = f.items_pattern.clone().or(rules.pattern.take());
                rules.format = f.items_format.clone().or(rules.format.take());
            }
        }
        _ if string_rules || int_rules || array_rules => {
            return Err("constraints on a type that takes none".into());
        }
        _ => {}
    }
    Ok(())
}

/// Restores the paragraph breaks the export collapsed before Markdown headings.
fn unflatten(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(" ## ") {
        out.push_str(&rest[..i]);
        out.push_str("\n\n## ");
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

/// Every `$ref` in the document must point at an existing component.
fn check_refs_resolve(spec: &Value) -> Result<(), Error> {
    fn walk(v: &Value, schemas: &Map<String, Value>, at: &str) -> Result<(), Error> {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    let name = r.strip_prefix(schema::REF_PREFIX).unwrap_or_default();
                    if !schemas.contains_key(name) {
                        return Err(Error::InvalidSpec(format!(
                            "`$ref` {r} at {at} does not resolve"
                        )));
                    }
                }
                for (k, child) in m {
                    walk(
                        child,
                        schemas,
                        &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    )?;
                }
                Ok(())
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, c)| walk(c, schemas, &format!("{at}/{i}"))),
            _ => Ok(()),
        }
    }
    let empty = Map::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    walk(spec, schemas, "#")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case() {
        assert_eq!(pascal("billing_contact"), "BillingContact");
        assert_eq!(pascal("useCases"), "UseCases");
        assert_eq!(pascal("rotate-secret"), "RotateSecret");
    }

    #[test]
    fn unflattens_headings() {
        assert_eq!(unflatten("Intro. ## Brand Text"), "Intro.\n\n## Brand Text");
    }

    #[test]
    fn refs_must_resolve() {
        let ok =
            json!({"components": {"schemas": {"A": {}}}, "x": {"$ref": "#/components/schemas/A"}});
        assert!(check_refs_resolve(&ok).is_ok());
        let bad = json!({"components": {"schemas": {}}, "x": {"$ref": "#/components/schemas/B"}});
        let err = check_refs_resolve(&bad).expect_err("must fail").to_string();
        assert!(err.contains("#/x"), "{err}");
    }

    #[test]
    fn constraints_fit_types() {
        let mut f: FieldFact =
            toml::from_str("name = \"x\"\nmin_items = 1\nitems_pattern = \"^a$\"").expect("toml");
        let mut s = Schema::Array {
            items: Box::new(Schema::String(StringRules::default())),
            min_items: None,
        };
        apply_constraints(&mut s, &f).expect("applies");
        assert_eq!(
            s.to_json(),
            json!({"type": "array", "items": {"type": "string", "pattern": "^a$"}, "minItems": 1})
        );
        f.min_items = None;
        f.items_pattern = None;
        f.minimum = Some(1);
        assert!(apply_constraints(&mut Schema::String(StringRules::default()), &f).is_err());
    }
}
