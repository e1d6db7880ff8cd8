//! Facts + documents → OpenAPI 3.0.3 document.
//!
//! The facts state the API; the documents are read for what they hold in structured form
//! (examples in fenced JSON blocks, error codes, file types and event types in tables), so a
//! change to them shows in the spec or stops the run. Every evidence quote is checked first.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};
use toml::Spanned;

use super::docs::{Doc, Label, Located, Record, unquote};
use super::facts::{
    Additional, Cites, ExampleFact, Facts, FieldFact, OperationFact, ParameterFact, ResponseFact,
    SchemaFact,
};
use super::report::{Finding, FindingKind};
use super::{SpecError, check, types};
use crate::assemble::pascal;
use crate::error::Position;
use crate::facts::Evidence;

/// The assembled spec and what was met on the way.
#[derive(Debug)]
pub struct Assembled {
    pub spec: Value,
    pub findings: Vec<Finding>,
    pub stats: Stats,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub documents: usize,
    pub operations: usize,
    pub schemas: usize,
    pub examples: usize,
    pub error_codes: usize,
}

/// A JSON object.
type Object = Map<String, Value>;

const CONFIDENCE: [&str; 2] = ["medium", "low"];
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const SIGNATURE_MEMBERS: [&str; 9] = [
    "algorithm",
    "header",
    "prefix",
    "encoding",
    "timestamp_header",
    "timestamp_format",
    "signed_content",
    "tolerance_seconds",
    "secret_prefix",
];
const WEBHOOK_MEMBERS: [&str; 2] = ["payload", "events"];

/// An example waiting to be checked once every schema exists.
struct PendingExample {
    at: String,
    page: String,
    value: Value,
    schema: Value,
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    docs: &'a [Doc],
    names: BTreeSet<String>,
    /// Binary members with accepted content types: schema → [(member, content types)].
    file_members: BTreeMap<String, Vec<(String, Vec<String>)>>,
    examples: Vec<PendingExample>,
    findings: Vec<Finding>,
}

impl<'a> Cx<'a> {
    fn new(file: &'a str, text: &'a str, docs: &'a [Doc]) -> Cx<'a> {
        Cx {
            file,
            text,
            docs,
            names: BTreeSet::new(),
            file_members: BTreeMap::new(),
            examples: Vec::new(),
            findings: Vec::new(),
        }
    }
}

/// A fact citing a quote its document no longer has.
#[derive(Debug, Clone)]
pub struct Unquoted {
    /// The fact, as the facts file names it (`[[operation]] sendEvent parameter event`).
    pub context: String,
    /// The document, as shown in messages.
    pub doc: String,
    pub quote: String,
    /// The operation the fact is part of, when the spec leaves it out because none of the
    /// quotes of the `[[operation]]` itself is left: the documents no longer describe it.
    pub removed_operation: Option<String>,
}

/// A spec assembled in spite of quotes the documents no longer have.
#[derive(Debug)]
pub struct Lenient {
    pub assembled: Assembled,
    /// Every fact whose quote is gone.
    pub unquoted: Vec<Unquoted>,
}

/// Assembles the spec of one API.
pub fn assemble(
    facts_text: &str,
    shown: &str,
    label: &Label,
    docs: &[Doc],
) -> Result<Assembled, SpecError> {
    let facts: Facts = super::parse_toml(facts_text, shown)?;
    let cx = Cx::new(shown, facts_text, docs);
    match cx.evidence_errors(&facts) {
        mut errors if errors.len() == 1 => Err(errors.remove(0)),
        errors if !errors.is_empty() => Err(SpecError::Many(errors)),
        _ => build(cx, facts, label),
    }
}

/// Assembles the spec of one API, for a change report, when facts cite quotes the documents
/// no longer have: those facts are listed instead of stopping the run, and operations with no
/// quote of their own left are left out. Any other problem stops it as [`assemble`] does.
pub fn assemble_leniently(
    facts_text: &str,
    shown: &str,
    label: &Label,
    docs: &[Doc],
) -> Result<Lenient, SpecError> {
    let mut facts: Facts = super::parse_toml(facts_text, shown)?;
    let cx = Cx::new(shown, facts_text, docs);
    let mut unquoted = Vec::new();
    for error in cx.evidence_errors(&facts) {
        match error {
            SpecError::MissingEvidence {
                context,
                doc,
                quote,
                ..
            } => unquoted.push(Unquoted {
                context,
                doc,
                quote,
                removed_operation: None,
            }),
            other => return Err(other),
        }
    }
    facts.operations.retain(|o| {
        let op = o.get_ref();
        let own = format!("[[operation]] {}", op.id);
        let gone = unquoted.iter().filter(|u| u.context == own).count();
        let keep = gone == 0 || gone < op.evidence.len();
        if !keep {
            // The facts of the operation: itself and its parameters, body and responses.
            let part = format!("{own} ");
            for u in &mut unquoted {
                if u.context == own || u.context.starts_with(&part) {
                    u.removed_operation = Some(op.id.clone());
                }
            }
        }
        keep
    });
    Ok(Lenient {
        assembled: build(cx, facts, label)?,
        unquoted,
    })
}

/// Builds the spec from facts whose evidence has been checked.
fn build(mut cx: Cx<'_>, facts: Facts, label: &Label) -> Result<Assembled, SpecError> {
    let shown = cx.file;
    for s in &facts.schemas {
        if !cx.names.insert(s.get_ref().name.clone()) {
            return Err(cx.at(s, format!("[[schema]] {}: named twice", s.get_ref().name)));
        }
    }
    let mut schemas = BTreeMap::new();
    for s in &facts.schemas {
        schemas.insert(s.get_ref().name.clone(), cx.schema(s)?);
    }
    let schemas: Object = schemas.into_iter().collect();

    let (schemes, requirement) = cx.security(&facts)?;
    let servers = cx.servers(&facts)?;
    let (paths, tags, operations) = cx.paths(&facts, &schemas)?;
    let (error_body, error_codes) = cx.errors(&facts, &schemas)?;
    let webhooks = cx.webhooks(&facts)?;

    let mut info = Map::new();
    let api = facts.api.get_ref();
    info.insert("title".into(), json!(api.title));
    info.insert("version".into(), json!(api.version));
    info.insert("description".into(), json!(api.description));
    info.insert("x-docs-sources".into(), sources(label));
    if !api.env.is_empty() {
        info.insert("x-env".into(), cx.env(&facts, &schemes)?);
    }

    let mut spec = Map::new();
    spec.insert("openapi".into(), json!("3.0.3"));
    spec.insert("info".into(), Value::Object(info));
    spec.insert("servers".into(), Value::Array(servers));
    spec.insert("security".into(), json!([requirement]));
    spec.insert("tags".into(), json!(tags));
    spec.insert("paths".into(), Value::Object(paths));
    spec.insert(
        "components".into(),
        json!({ "schemas": schemas, "securitySchemes": schemes }),
    );
    let error_count = error_codes.as_ref().map_or(0, Vec::len);
    if let Some(body) = error_body {
        spec.insert("x-error-body".into(), body);
    }
    if let Some(codes) = error_codes {
        spec.insert("x-error-codes".into(), Value::Array(codes));
    }
    if let Some(w) = webhooks {
        spec.insert("x-webhooks".into(), w);
    }
    if !facts.silences.is_empty() {
        let list: Vec<Value> = facts
            .silences
            .iter()
            .map(|s| json!({ "topic": s.get_ref().topic, "note": s.get_ref().note }))
            .collect();
        spec.insert("x-undocumented".into(), Value::Array(list));
    }

    cx.record_decisions(&facts);
    let checked = cx.check_examples(&schemas);
    let spec = Value::Object(spec);
    cx.record_confidence(&spec);
    let text = serde_json::to_string(&spec).map_err(|e| SpecError::File {
        file: shown.to_string(),
        message: e.to_string(),
    })?;
    serde_json::from_str::<openapiv3::OpenAPI>(&text).map_err(|e| SpecError::File {
        file: shown.to_string(),
        message: format!("the assembled spec is not valid OpenAPI: {e}"),
    })?;
    Ok(Assembled {
        stats: Stats {
            documents: cx.docs.len(),
            operations,
            schemas: schemas.len(),
            examples: checked,
            error_codes: error_count,
        },
        spec,
        findings: cx.findings,
    })
}

fn sources(label: &Label) -> Value {
    Value::Array(
        label
            .documents
            .iter()
            .map(|d| {
                let mut m = Map::new();
                m.insert("file".into(), json!(d.file));
                m.insert("title".into(), json!(d.title));
                m.insert("original".into(), json!(d.original));
                m.insert("source".into(), json!(d.source));
                if let Some(r) = &d.revision {
                    m.insert("revision".into(), json!(r));
                }
                m.insert("sha256".into(), json!(d.sha256));
                Value::Object(m)
            })
            .collect(),
    )
}

/// The pages a list of evidence cites, each once, in order.
fn pages(cites: &Cites) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in cites {
        if !out.contains(&c.get_ref().page) {
            out.push(c.get_ref().page.clone());
        }
    }
    out
}

fn insert_evidence(m: &mut Object, cites: &Cites) {
    if !cites.is_empty() {
        m.insert("x-evidence".into(), json!(pages(cites)));
    }
}

impl Cx<'_> {
    fn at<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> SpecError {
        SpecError::At {
            file: self.file.to_string(),
            at: Position::locate(self.text, spanned.span().start),
            message: message.into(),
        }
    }

    fn doc(&self, name: &str) -> Option<&Doc> {
        self.docs.iter().find(|d| d.name == name)
    }

    fn confidence<T>(
        &self,
        spanned: &Spanned<T>,
        c: Option<&String>,
        ctx: &str,
    ) -> Result<(), SpecError> {
        match c {
            Some(c) if !CONFIDENCE.contains(&c.as_str()) => Err(self.at(
                spanned,
                format!("{ctx}: confidence `{c}` is neither `medium` nor `low`"),
            )),
            _ => Ok(()),
        }
    }

    /// Every evidence quote not in its document, and every fact that must cite evidence and
    /// does not.
    fn evidence_errors(&self, facts: &Facts) -> Vec<SpecError> {
        let mut cited: Vec<(String, &Spanned<Evidence>)> = Vec::new();
        // Facts that must cite evidence: context, position, whether the list is empty.
        let mut required: Vec<(String, std::ops::Range<usize>, bool)> = Vec::new();
        let add =
            |ctx: String, span: std::ops::Range<usize>, list: &Cites| (ctx, span, list.is_empty());
        let api = facts.api.get_ref();
        required.push(add("[api]".into(), facts.api.span(), &api.evidence));
        cited.extend(api.evidence.iter().map(|e| ("[api]".to_string(), e)));
        for env in &api.env {
            let ctx = format!("[[api.env]] {}", env.get_ref().name);
            required.push(add(ctx.clone(), env.span(), &env.get_ref().evidence));
            cited.extend(env.get_ref().evidence.iter().map(|e| (ctx.clone(), e)));
        }
        for s in &facts.servers {
            let ctx = format!("[[server]] {}", s.get_ref().url);
            required.push(add(ctx.clone(), s.span(), &s.get_ref().evidence));
            cited.extend(s.get_ref().evidence.iter().map(|e| (ctx.clone(), e)));
        }
        for s in &facts.security {
            let ctx = format!("[[security]] {}", s.get_ref().name);
            required.push(add(ctx.clone(), s.span(), &s.get_ref().evidence));
            cited.extend(s.get_ref().evidence.iter().map(|e| (ctx.clone(), e)));
        }
        if let Some(e) = &facts.errors {
            required.push(add("[errors]".into(), e.span(), &e.get_ref().evidence));
            cited.extend(
                e.get_ref()
                    .evidence
                    .iter()
                    .map(|c| ("[errors]".to_string(), c)),
            );
        }
        if let Some(w) = &facts.webhooks {
            let sig = &w.get_ref().signature;
            required.push(add("[webhooks]".into(), w.span(), &w.get_ref().evidence));
            required.push(add(
                "[webhooks.signature]".into(),
                sig.span(),
                &sig.get_ref().evidence,
            ));
            cited.extend(
                w.get_ref()
                    .evidence
                    .iter()
                    .map(|c| ("[webhooks]".to_string(), c)),
            );
            cited.extend(
                sig.get_ref()
                    .evidence
                    .iter()
                    .map(|c| ("[webhooks.signature]".to_string(), c)),
            );
        }
        for o in &facts.operations {
            let op = o.get_ref();
            let ctx = format!("[[operation]] {}", op.id);
            required.push(add(ctx.clone(), o.span(), &op.evidence));
            cited.extend(op.evidence.iter().map(|e| (ctx.clone(), e)));
            for p in &op.parameters {
                let c = format!("{ctx} parameter {}", p.get_ref().name);
                cited.extend(p.get_ref().evidence.iter().map(|e| (c.clone(), e)));
            }
            if let Some(b) = &op.body {
                let c = format!("{ctx} body");
                cited.extend(b.get_ref().evidence.iter().map(|e| (c.clone(), e)));
            }
            for r in &op.responses {
                let c = format!("{ctx} response {}", r.get_ref().status);
                cited.extend(r.get_ref().evidence.iter().map(|e| (c.clone(), e)));
            }
        }
        for r in &facts.common_responses {
            let c = format!("[[common_response]] {}", r.get_ref().status);
            cited.extend(r.get_ref().evidence.iter().map(|e| (c.clone(), e)));
        }
        for s in &facts.schemas {
            let ctx = format!("[[schema]] {}", s.get_ref().name);
            required.push(add(ctx.clone(), s.span(), &s.get_ref().evidence));
            cited.extend(s.get_ref().evidence.iter().map(|e| (ctx.clone(), e)));
            for f in &s.get_ref().fields {
                let c = format!("{ctx}.{}", f.get_ref().name);
                cited.extend(f.get_ref().evidence.iter().map(|e| (c.clone(), e)));
            }
        }
        for s in &facts.silences {
            let c = format!("[[silent]] {}", s.get_ref().topic);
            cited.extend(s.get_ref().evidence.iter().map(|e| (c.clone(), e)));
        }
        let mut errors = Vec::new();
        for (ctx, span, missing) in required {
            if missing {
                errors.push(SpecError::At {
                    file: self.file.to_string(),
                    at: Position::locate(self.text, span.start),
                    message: format!("{ctx}: cites no evidence"),
                });
            }
        }
        for (ctx, e) in cited {
            if let Some(err) = self.quote_error(&ctx, e.span(), e.get_ref()) {
                errors.push(err);
            }
        }
        for d in &facts.decisions {
            for (i, side) in d.get_ref().sides.iter().enumerate() {
                let ctx = format!("[[decision]] {} (side {})", d.get_ref().topic, i + 1);
                for e in &side.evidence {
                    if let Some(err) = self.quote_error(&ctx, d.span(), e) {
                        errors.push(err);
                    }
                }
            }
        }
        errors
    }

    fn quote_error(
        &self,
        ctx: &str,
        span: std::ops::Range<usize>,
        e: &Evidence,
    ) -> Option<SpecError> {
        let at = Position::locate(self.text, span.start);
        match self.doc(&e.page) {
            None => Some(SpecError::At {
                file: self.file.to_string(),
                at,
                message: format!("{ctx}: no vendored document `{}`", e.page),
            }),
            Some(doc) if !doc.has_quote(&e.quote) => Some(SpecError::MissingEvidence {
                file: self.file.to_string(),
                at,
                context: ctx.to_string(),
                doc: doc.shown.clone(),
                quote: e.quote.clone(),
            }),
            Some(_) => None,
        }
    }

    /// A located table section or example's document, or an error at the fact.
    fn located_doc<T>(
        &self,
        spanned: &Spanned<T>,
        ctx: &str,
        page: &str,
    ) -> Result<&Doc, SpecError> {
        self.doc(page)
            .ok_or_else(|| self.at(spanned, format!("{ctx}: no vendored document `{page}`")))
    }

    /// The rows with a `column` of the tables after `after` in `page`, or an error at the fact.
    fn records<T>(
        &self,
        spanned: &Spanned<T>,
        ctx: &str,
        page: &str,
        after: &str,
        column: &str,
    ) -> Result<(&Doc, Vec<Record>), SpecError> {
        let doc = self.located_doc(spanned, ctx, page)?;
        let records = doc
            .records_after(after, column)
            .map_err(|e| self.at(spanned, format!("{ctx}: {e}")))?;
        Ok((doc, records))
    }

    fn schema(&mut self, s: &Spanned<SchemaFact>) -> Result<Value, SpecError> {
        let f = s.get_ref();
        let ctx = format!("[[schema]] {}", f.name);
        let kinds = [
            f.ty.is_some(),
            f.values.is_some() || f.values_from.is_some(),
            f.one_of.is_some(),
            !f.fields.is_empty(),
        ];
        if kinds.iter().filter(|k| **k).count() > 1 {
            return Err(self.at(
                s,
                format!(
                    "{ctx}: a schema has one of `type`, `enum`/`values_from`, `one_of` or fields"
                ),
            ));
        }
        self.confidence(s, f.confidence.as_ref(), &ctx)?;
        let mut m = Map::new();
        m.insert("description".into(), json!(f.description));
        if let Some(ty) = &f.ty {
            let base =
                types::schema(ty, &self.names).map_err(|e| self.at(s, format!("{ctx}: {e}")))?;
            match base {
                Value::Object(b) if types::referenced(&Value::Object(b.clone())).is_none() => {
                    m.extend(b)
                }
                other => {
                    m.insert("allOf".into(), json!([other]));
                }
            }
        }
        if f.values.is_some() || f.values_from.is_some() {
            let mut values = f.values.clone().unwrap_or_default();
            if let Some(from) = &f.values_from {
                let (_, records) = self.records(s, &ctx, &from.page, &from.after, &from.column)?;
                values.extend(
                    records
                        .iter()
                        .filter_map(|r| r.get(&from.column))
                        .map(str::to_string),
                );
            }
            m.insert("type".into(), json!("string"));
            m.insert("enum".into(), json!(values));
        }
        if let Some(alternatives) = &f.one_of {
            let list = alternatives
                .iter()
                .map(|a| types::schema(a, &self.names))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| self.at(s, format!("{ctx}: {e}")))?;
            m.insert("oneOf".into(), Value::Array(list));
            if let Some(property) = &f.discriminator {
                let mut mapping = Map::new();
                for (value, target) in &f.mapping {
                    if !alternatives.contains(target) {
                        return Err(self.at(s, format!("{ctx}: mapping `{value}` names `{target}`, which is not in `one_of`")));
                    }
                    mapping.insert(value.clone(), types::reference(target)["$ref"].clone());
                }
                m.insert(
                    "discriminator".into(),
                    json!({ "propertyName": property, "mapping": mapping }),
                );
            }
        } else if f.discriminator.is_some() || !f.mapping.is_empty() {
            return Err(self.at(
                s,
                format!("{ctx}: `discriminator` and `mapping` need `one_of`"),
            ));
        }
        if !f.fields.is_empty()
            || (f.ty.is_none()
                && f.values.is_none()
                && f.values_from.is_none()
                && f.one_of.is_none())
        {
            m.insert("type".into(), json!("object"));
            let mut required = Vec::new();
            let mut properties = Map::new();
            for field in &f.fields {
                let name = &field.get_ref().name;
                if properties.contains_key(name) {
                    return Err(self.at(field, format!("{ctx}.{name}: listed twice")));
                }
                if field.get_ref().required {
                    required.push(json!(name));
                }
                let schema = self.field(field, &f.name)?;
                properties.insert(name.clone(), schema);
            }
            if !required.is_empty() {
                m.insert("required".into(), Value::Array(required));
            }
            m.insert("properties".into(), Value::Object(properties));
        }
        match &f.additional_properties {
            None => {}
            Some(Additional::Any(any)) => {
                m.insert("additionalProperties".into(), json!(any));
            }
            Some(Additional::Type(t)) => {
                let schema =
                    types::schema(t, &self.names).map_err(|e| self.at(s, format!("{ctx}: {e}")))?;
                m.insert("additionalProperties".into(), schema);
            }
        }
        if let Some(n) = f.min_properties {
            m.insert("minProperties".into(), json!(n));
        }
        if let Some(format) = &f.format {
            m.insert("format".into(), json!(format));
        }
        if let Some(pattern) = &f.pattern {
            m.insert("pattern".into(), json!(pattern));
        }
        if !f.identifier_kinds.is_empty() {
            let kinds: Vec<Value> = f
                .identifier_kinds
                .iter()
                .map(|k| {
                    let mut o = Map::new();
                    o.insert("kind".into(), json!(k.kind));
                    for (key, v) in [
                        ("format", &k.format),
                        ("pattern", &k.pattern),
                        ("description", &k.description),
                    ] {
                        if let Some(v) = v {
                            o.insert(key.into(), json!(v));
                        }
                    }
                    Value::Object(o)
                })
                .collect();
            m.insert("x-identifier-kinds".into(), Value::Array(kinds));
        }
        insert_evidence(&mut m, &f.evidence);
        if let Some(c) = &f.confidence {
            m.insert("x-confidence".into(), json!(c));
        }
        Ok(Value::Object(m))
    }

    fn field(&mut self, fl: &Spanned<FieldFact>, owner: &str) -> Result<Value, SpecError> {
        let f = fl.get_ref();
        let ctx = format!("[[schema]] {owner}.{}", f.name);
        self.confidence(fl, f.confidence.as_ref(), &ctx)?;
        let mut base =
            types::schema(&f.ty, &self.names).map_err(|e| self.at(fl, format!("{ctx}: {e}")))?;
        let kind = base.get("type").and_then(Value::as_str).map(str::to_string);
        let constraints: [(&str, Option<Value>, &str); 6] = [
            ("format", f.format.as_ref().map(|v| json!(v)), "string"),
            ("pattern", f.pattern.as_ref().map(|v| json!(v)), "string"),
            ("enum", f.values.as_ref().map(|v| json!(v)), "string"),
            ("minLength", f.min_length.map(|v| json!(v)), "string"),
            ("maxLength", f.max_length.map(|v| json!(v)), "string"),
            ("minItems", f.min_items.map(|v| json!(v)), "array"),
        ];
        for (key, value, needs) in constraints {
            let Some(value) = value else { continue };
            if kind.as_deref() != Some(needs) {
                return Err(self.at(
                    fl,
                    format!(
                        "{ctx}: `{key}` applies to a {needs}, and the type is `{}`",
                        f.ty
                    ),
                ));
            }
            if let Value::Object(m) = &mut base {
                m.insert(key.into(), value);
            }
        }
        if !f.file_types.is_empty() || f.file_types_from.is_some() {
            let types = self.file_types(fl, &ctx, owner)?;
            if let Value::Object(m) = &mut base {
                m.extend(types);
            }
        }
        let mut extra = Map::new();
        if let Some(d) = &f.description {
            extra.insert("description".into(), json!(d));
        }
        if f.nullable {
            extra.insert("nullable".into(), json!(true));
        }
        insert_evidence(&mut extra, &f.evidence);
        if let Some(c) = &f.confidence {
            extra.insert("x-confidence".into(), json!(c));
        }
        Ok(types::decorate(base, extra))
    }

    /// `maxLength`, `x-max-bytes` and `x-file-extensions` of a binary member, read from the
    /// documents' file-type tables.
    fn file_types(
        &mut self,
        fl: &Spanned<FieldFact>,
        ctx: &str,
        owner: &str,
    ) -> Result<Object, SpecError> {
        let f = fl.get_ref();
        if f.ty != "binary" {
            return Err(self.at(fl, format!("{ctx}: file types belong to a `binary` member")));
        }
        let Some(from) = &f.file_types_from else {
            return Err(self.at(fl, format!("{ctx}: `file_types` needs `file_types_from`")));
        };
        let (doc, records) = self.records(fl, ctx, &from.page, &from.after, "Extensions")?;
        // Content type → (bytes, extensions), in the documents' order.
        let mut found: Vec<(String, u64, Vec<String>)> = Vec::new();
        let mut seen = BTreeSet::new();
        for row in &records {
            let line = doc.position(row.offset).line;
            let size_text = row.get("Max Size").unwrap_or_default();
            let bytes = size_text
                .strip_suffix(" MB")
                .and_then(|n| n.trim().parse::<u64>().ok())
                .map(|n| n * from.megabyte)
                .ok_or_else(|| SpecError::At {
                    file: doc.shown.clone(),
                    at: doc.position(row.offset),
                    message: format!("`{size_text}` is not a size in MB"),
                })?;
            let extensions = row.get("Extensions").unwrap_or_default().split(',');
            for extension in extensions
                .map(|e| unquote(e.trim()))
                .filter(|e| !e.is_empty())
            {
                let Some(content_type) = f.file_types.get(extension) else {
                    return Err(self.at(fl, format!(
                        "{ctx}: `{}` line {line} lists `{extension}`, which `file_types` does not map to a content type",
                        doc.name
                    )));
                };
                seen.insert(extension.to_string());
                match found.iter_mut().find(|(c, _, _)| c == content_type) {
                    Some((_, b, _)) if *b != bytes => {
                        return Err(self.at(
                            fl,
                            format!(
                                "{ctx}: `{content_type}` has two size limits in `{}` (line {line})",
                                doc.name
                            ),
                        ));
                    }
                    Some((_, _, list)) => list.push(extension.to_string()),
                    None => found.push((content_type.clone(), bytes, vec![extension.to_string()])),
                }
            }
        }
        if let Some(extra) = f.file_types.keys().find(|e| !seen.contains(*e)) {
            return Err(self.at(
                fl,
                format!(
                    "{ctx}: `{extra}` is not in the tables after `{}`",
                    from.after
                ),
            ));
        }
        let mut max_bytes = Map::new();
        let mut extensions = Map::new();
        let mut content_types = Vec::new();
        for (content_type, bytes, ext) in &found {
            max_bytes.insert(content_type.clone(), json!(bytes));
            extensions.insert(content_type.clone(), json!(ext));
            content_types.push(content_type.clone());
        }
        let largest = found.iter().map(|(_, b, _)| *b).max().unwrap_or_default();
        self.file_members
            .entry(owner.to_string())
            .or_default()
            .push((f.name.clone(), content_types));
        let mut out = Map::new();
        out.insert("maxLength".into(), json!(largest));
        out.insert("x-max-bytes".into(), Value::Object(max_bytes));
        out.insert("x-file-extensions".into(), Value::Object(extensions));
        Ok(out)
    }

    fn security(&self, facts: &Facts) -> Result<(Object, Object), SpecError> {
        let mut schemes = Map::new();
        let mut requirement = Map::new();
        for s in &facts.security {
            let f = s.get_ref();
            let ctx = format!("[[security]] {}", f.name);
            let mut m = Map::new();
            match (f.kind.as_str(), &f.scheme, &f.header) {
                ("http", Some(scheme), None) => {
                    m.insert("type".into(), json!("http"));
                    m.insert("scheme".into(), json!(scheme));
                    if let Some(b) = &f.bearer_format {
                        m.insert("bearerFormat".into(), json!(b));
                    }
                }
                ("apiKey", None, Some(header)) if f.bearer_format.is_none() => {
                    m.insert("type".into(), json!("apiKey"));
                    m.insert("in".into(), json!("header"));
                    m.insert("name".into(), json!(header));
                }
                _ => {
                    return Err(self.at(s, format!(
                        "{ctx}: a scheme is `type = \"http\"` with `scheme`, or `type = \"apiKey\"` with `header`"
                    )));
                }
            }
            m.insert("description".into(), json!(f.description));
            if let Some(p) = &f.pattern {
                m.insert("x-pattern".into(), json!(p));
            }
            insert_evidence(&mut m, &f.evidence);
            if schemes.insert(f.name.clone(), Value::Object(m)).is_some() {
                return Err(self.at(s, format!("{ctx}: named twice")));
            }
            requirement.insert(f.name.clone(), json!([]));
        }
        if schemes.is_empty() {
            return Err(SpecError::File {
                file: self.file.to_string(),
                message: "no [[security]] scheme".into(),
            });
        }
        Ok((schemes, requirement))
    }

    fn env(&self, facts: &Facts, schemes: &Object) -> Result<Value, SpecError> {
        let mut out = Vec::new();
        for e in &facts.api.get_ref().env {
            let f = e.get_ref();
            let ctx = format!("[[api.env]] {}", f.name);
            let mut m = Map::new();
            m.insert("name".into(), json!(f.name));
            m.insert("sets".into(), json!(f.sets));
            match (f.sets.as_str(), &f.scheme) {
                ("security_scheme", Some(s)) if schemes.contains_key(s) => {
                    m.insert("scheme".into(), json!(s));
                }
                ("server_url", None) => {}
                _ => {
                    return Err(self.at(e, format!(
                        "{ctx}: `sets` is `security_scheme` with the `scheme` of a [[security]], or `server_url`"
                    )));
                }
            }
            out.push(Value::Object(m));
        }
        Ok(Value::Array(out))
    }

    fn servers(&self, facts: &Facts) -> Result<Vec<Value>, SpecError> {
        if facts.servers.is_empty() {
            return Err(SpecError::File {
                file: self.file.to_string(),
                message: "no [[server]]".into(),
            });
        }
        Ok(facts
            .servers
            .iter()
            .map(|s| {
                let f = s.get_ref();
                let mut m = Map::new();
                m.insert("url".into(), json!(f.url));
                m.insert("description".into(), json!(f.description));
                if let Some(e) = &f.environment {
                    m.insert("x-environment".into(), json!(e));
                }
                if let Some(p) = &f.key_prefix {
                    m.insert("x-key-prefix".into(), json!(p));
                }
                if let Some(r) = &f.rate_limit {
                    let mut limit = Map::new();
                    limit.insert("requests_per_second".into(), json!(r.requests_per_second));
                    if let Some(q) = r.daily_quota {
                        limit.insert("daily_quota".into(), json!(q));
                    }
                    m.insert("x-rate-limit".into(), Value::Object(limit));
                }
                insert_evidence(&mut m, &f.evidence);
                Value::Object(m)
            })
            .collect())
    }

    fn paths(
        &mut self,
        facts: &Facts,
        schemas: &Object,
    ) -> Result<(Object, Vec<Value>, usize), SpecError> {
        let mut paths: BTreeMap<String, BTreeMap<usize, (String, Value)>> = BTreeMap::new();
        let mut tags = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for c in &facts.common_responses {
            if let Some(ops) = &c.get_ref().operations {
                for id in ops {
                    if !facts.operations.iter().any(|o| &o.get_ref().id == id) {
                        return Err(self.at(
                            c,
                            format!(
                                "[[common_response]] {}: no operation `{id}`",
                                c.get_ref().status
                            ),
                        ));
                    }
                }
            }
        }
        for o in &facts.operations {
            let op = o.get_ref();
            if !ids.insert(op.id.clone()) {
                return Err(self.at(o, format!("[[operation]] {}: id used twice", op.id)));
            }
            let method = op.method.to_ascii_lowercase();
            let Some(order) = METHODS.iter().position(|m| *m == method) else {
                return Err(self.at(
                    o,
                    format!(
                        "[[operation]] {}: method `{}` is not one of GET, PUT, POST, DELETE, PATCH",
                        op.id, op.method
                    ),
                ));
            };
            let Some(group) = op.group.first() else {
                return Err(self.at(o, format!("[[operation]] {}: `group` is empty", op.id)));
            };
            let tag = pascal(group);
            tags.insert(tag.clone());
            let value = self.operation(o, &tag, facts, schemas)?;
            let slot = paths.entry(op.path.clone()).or_default();
            if slot.insert(order, (method, value)).is_some() {
                return Err(self.at(
                    o,
                    format!(
                        "[[operation]] {}: {} {} is stated twice",
                        op.id, op.method, op.path
                    ),
                ));
            }
        }
        let count = ids.len();
        let paths = paths
            .into_iter()
            .map(|(path, methods)| {
                let item: Object = methods.into_values().collect();
                (path, Value::Object(item))
            })
            .collect();
        let tags = tags.into_iter().map(|t| json!({ "name": t })).collect();
        Ok((paths, tags, count))
    }

    fn operation(
        &mut self,
        o: &Spanned<OperationFact>,
        tag: &str,
        facts: &Facts,
        schemas: &Object,
    ) -> Result<Value, SpecError> {
        let op = o.get_ref();
        let ctx = format!("[[operation]] {}", op.id);
        if !op.path.starts_with('/') {
            return Err(self.at(o, format!("{ctx}: the path does not start with `/`")));
        }
        let mut m = Map::new();
        m.insert("tags".into(), json!([tag]));
        m.insert("summary".into(), json!(op.summary));
        m.insert("description".into(), json!(op.description));
        m.insert("operationId".into(), json!(op.id));

        let placeholders: Vec<&str> = op
            .path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect();
        let mut parameters = Vec::new();
        for p in &op.parameters {
            parameters.push(self.parameter(p, &ctx, &placeholders)?);
        }
        for name in &placeholders {
            if !op
                .parameters
                .iter()
                .any(|p| p.get_ref().location == "path" && p.get_ref().name == *name)
            {
                return Err(self.at(o, format!("{ctx}: path parameter `{name}` is not stated")));
            }
        }
        if !parameters.is_empty() {
            m.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(b) = &op.body {
            m.insert("requestBody".into(), self.body(b, &ctx)?);
        }

        let mut responses = BTreeMap::new();
        for r in &op.responses {
            let status = r.get_ref().status.clone();
            let value = self.response(r, &ctx, schemas)?;
            if responses.insert(status.clone(), value).is_some() {
                return Err(self.at(r, format!("{ctx}: response {status} stated twice")));
            }
        }
        for c in &facts.common_responses {
            let applies = c
                .get_ref()
                .operations
                .as_ref()
                .is_none_or(|ops| ops.contains(&op.id));
            if applies && !responses.contains_key(&c.get_ref().status) {
                let value = self.response(c, &ctx, schemas)?;
                responses.insert(c.get_ref().status.clone(), value);
            }
        }
        if !responses.keys().any(|s| s.starts_with('2')) {
            return Err(self.at(o, format!("{ctx}: no success response")));
        }
        m.insert(
            "responses".into(),
            Value::Object(responses.into_iter().collect()),
        );
        m.insert("x-group".into(), json!(op.group));
        m.insert("x-method".into(), json!(op.name));
        if let Some(p) = &op.pagination {
            m.insert("x-pagination".into(), self.pagination(p, o, &ctx, schemas)?);
        }
        if let Some(first) = op.evidence.first() {
            m.insert("x-docs-page".into(), json!(first.get_ref().page));
        }
        insert_evidence(&mut m, &op.evidence);
        Ok(Value::Object(m))
    }

    fn parameter(
        &self,
        p: &Spanned<ParameterFact>,
        ctx: &str,
        placeholders: &[&str],
    ) -> Result<Value, SpecError> {
        let f = p.get_ref();
        let ctx = format!("{ctx} parameter {}", f.name);
        self.confidence(p, f.confidence.as_ref(), &ctx)?;
        match f.location.as_str() {
            "path" if !placeholders.contains(&f.name.as_str()) => {
                return Err(self.at(p, format!("{ctx}: not a placeholder of the path")));
            }
            "path" if !f.required => {
                return Err(self.at(p, format!("{ctx}: a path parameter is required")));
            }
            "path" | "query" | "header" => {}
            other => {
                return Err(self.at(
                    p,
                    format!("{ctx}: `in = \"{other}\"` is not path, query or header"),
                ));
            }
        }
        if f.idempotency_key && f.location != "header" {
            return Err(self.at(p, format!("{ctx}: an idempotency key is a header")));
        }
        let mut schema =
            types::schema(&f.ty, &self.names).map_err(|e| self.at(p, format!("{ctx}: {e}")))?;
        let constraints = [
            ("format", f.format.as_ref().map(|v| json!(v))),
            (
                "default",
                f.default
                    .as_ref()
                    .and_then(|v| serde_json::to_value(v).ok()),
            ),
            ("minimum", f.minimum.map(|v| json!(v))),
            ("maximum", f.maximum.map(|v| json!(v))),
        ];
        for (key, value) in constraints {
            let Some(value) = value else { continue };
            match &mut schema {
                Value::Object(s) if types::referenced(&Value::Object(s.clone())).is_none() => {
                    s.insert(key.into(), value);
                }
                _ => return Err(self.at(p, format!("{ctx}: `{key}` on a reference to a schema"))),
            }
        }
        let mut m = Map::new();
        m.insert("name".into(), json!(f.name));
        m.insert("in".into(), json!(f.location));
        m.insert("required".into(), json!(f.required));
        m.insert("description".into(), json!(f.description));
        m.insert("schema".into(), schema);
        if f.idempotency_key {
            m.insert("x-idempotency-key".into(), json!(true));
        }
        insert_evidence(&mut m, &f.evidence);
        if let Some(c) = &f.confidence {
            m.insert("x-confidence".into(), json!(c));
        }
        Ok(Value::Object(m))
    }

    fn body(&mut self, b: &Spanned<super::facts::BodyFact>, ctx: &str) -> Result<Value, SpecError> {
        let f = b.get_ref();
        let ctx = format!("{ctx} body");
        self.confidence(b, f.confidence.as_ref(), &ctx)?;
        let schema =
            types::schema(&f.ty, &self.names).map_err(|e| self.at(b, format!("{ctx}: {e}")))?;
        let mut media = Map::new();
        media.insert("schema".into(), schema.clone());
        self.add_examples(b, &ctx, &f.examples, &schema, &mut media)?;
        if f.content_type == "multipart/form-data" {
            let members = types::referenced(&schema)
                .and_then(|name| self.file_members.get(name))
                .cloned()
                .unwrap_or_default();
            if !members.is_empty() {
                let encoding: Object = members
                    .into_iter()
                    .map(|(member, types)| (member, json!({ "contentType": types.join(", ") })))
                    .collect();
                media.insert("encoding".into(), Value::Object(encoding));
            }
        }
        let mut m = Map::new();
        if let Some(d) = &f.description {
            m.insert("description".into(), json!(d));
        }
        m.insert("required".into(), json!(f.required));
        m.insert("content".into(), json!({ f.content_type.clone(): media }));
        insert_evidence(&mut m, &f.evidence);
        if let Some(c) = &f.confidence {
            m.insert("x-confidence".into(), json!(c));
        }
        Ok(Value::Object(m))
    }

    fn response(
        &mut self,
        r: &Spanned<ResponseFact>,
        ctx: &str,
        schemas: &Object,
    ) -> Result<Value, SpecError> {
        let f = r.get_ref();
        let ctx = format!("{ctx} response {}", f.status);
        self.confidence(r, f.confidence.as_ref(), &ctx)?;
        let valid_status = f.status == "default"
            || (f.status.len() == 3
                && matches!(f.status.as_bytes()[0], b'1'..=b'5')
                && (f.status[1..].bytes().all(|c| c.is_ascii_digit()) || &f.status[1..] == "XX"));
        if !valid_status {
            return Err(self.at(
                r,
                format!("{ctx}: `{}` is not a status, `NXX` or `default`", f.status),
            ));
        }
        let mut m = Map::new();
        m.insert("description".into(), json!(f.description));
        if let Some(ty) = &f.ty {
            let schema =
                types::schema(ty, &self.names).map_err(|e| self.at(r, format!("{ctx}: {e}")))?;
            if let Some(key) = &f.payload_key
                && resolve_member(&schema, key, schemas).is_none()
            {
                return Err(self.at(
                    r,
                    format!("{ctx}: the payload key `{key}` is not a member of `{ty}`"),
                ));
            }
            let mut media = Map::new();
            media.insert("schema".into(), schema.clone());
            self.add_examples(r, &ctx, &f.examples, &schema, &mut media)?;
            m.insert("content".into(), json!({ f.content_type.clone(): media }));
        } else if f.payload_key.is_some() || !f.examples.is_empty() {
            return Err(self.at(
                r,
                format!("{ctx}: a payload key or an example needs a `type`"),
            ));
        }
        if let Some(key) = &f.payload_key {
            m.insert("x-payload-key".into(), json!(key));
        }
        insert_evidence(&mut m, &f.evidence);
        if let Some(c) = &f.confidence {
            m.insert("x-confidence".into(), json!(c));
        }
        Ok(Value::Object(m))
    }

    fn add_examples<T>(
        &mut self,
        spanned: &Spanned<T>,
        ctx: &str,
        examples: &[ExampleFact],
        schema: &Value,
        media: &mut Object,
    ) -> Result<(), SpecError> {
        let mut named = Map::new();
        for e in examples {
            self.confidence(spanned, e.confidence.as_ref(), ctx)?;
            let doc = self.located_doc(spanned, ctx, &e.page)?;
            let (value, at) =
                doc.json_after(&e.after, e.block.as_deref())
                    .map_err(|l| match l {
                        Located::Fact(message) => self.at(spanned, format!("{ctx}: {message}")),
                        Located::Doc(err) => err,
                    })?;
            self.examples.push(PendingExample {
                at: match &e.name {
                    Some(name) => format!("{ctx} example `{name}`"),
                    None => format!("{ctx} example"),
                },
                page: format!("{} line {}", e.page, at.line),
                value: value.clone(),
                schema: schema.clone(),
            });
            if examples.len() == 1 && e.summary.is_none() && e.confidence.is_none() {
                media.insert("example".into(), value);
                return Ok(());
            }
            let Some(name) = &e.name else {
                return Err(self.at(
                    spanned,
                    format!("{ctx}: an example among several, or with a summary, needs a `name`"),
                ));
            };
            let mut ex = Map::new();
            if let Some(s) = &e.summary {
                ex.insert("summary".into(), json!(s));
            }
            ex.insert("value".into(), value);
            if let Some(c) = &e.confidence {
                ex.insert("x-confidence".into(), json!(c));
            }
            if named.insert(name.clone(), Value::Object(ex)).is_some() {
                return Err(self.at(spanned, format!("{ctx}: example `{name}` named twice")));
            }
        }
        if !named.is_empty() {
            media.insert("examples".into(), Value::Object(named));
        }
        Ok(())
    }

    fn pagination(
        &self,
        p: &Spanned<super::facts::PaginationFact>,
        o: &Spanned<OperationFact>,
        ctx: &str,
        schemas: &Object,
    ) -> Result<Value, SpecError> {
        let f = p.get_ref();
        let op = o.get_ref();
        if f.style != "offset" {
            return Err(self.at(
                p,
                format!("{ctx}: pagination style `{}` is not `offset`", f.style),
            ));
        }
        let param = |name: &str| {
            op.parameters
                .iter()
                .map(Spanned::get_ref)
                .find(|q| q.name == name && q.location == "query")
                .ok_or_else(|| {
                    self.at(
                        p,
                        format!("{ctx}: pagination names `{name}`, which is not a query parameter"),
                    )
                })
        };
        param(&f.offset)?;
        let limit = param(&f.limit)?;
        let success = op
            .responses
            .iter()
            .map(Spanned::get_ref)
            .find(|r| r.status.starts_with('2'))
            .ok_or_else(|| self.at(p, format!("{ctx}: pagination needs a success response")))?;
        let payload = match (&success.ty, &success.payload_key) {
            (Some(ty), Some(key)) => types::schema(ty, &self.names)
                .ok()
                .and_then(|s| resolve_member(&s, key, schemas)),
            (Some(ty), None) => types::schema(ty, &self.names).ok(),
            _ => None,
        }
        .ok_or_else(|| {
            self.at(
                p,
                format!("{ctx}: the success response has no payload to page through"),
            )
        })?;
        let mut m = Map::new();
        m.insert("style".into(), json!(f.style));
        m.insert("offset".into(), json!(f.offset));
        m.insert("limit".into(), json!(f.limit));
        for (key, path) in [("items", Some(&f.items)), ("total", f.total.as_ref())] {
            let Some(path) = path else { continue };
            let mut schema = Some(payload.clone());
            for member in path.split('.') {
                schema = schema.and_then(|s| resolve_member(&s, member, schemas));
            }
            let found = schema.map(|s| resolve(&s, schemas));
            let fits = match key {
                "items" => found.as_ref().and_then(|s| s.get("type")) == Some(&json!("array")),
                _ => found.as_ref().and_then(|s| s.get("type")) == Some(&json!("integer")),
            };
            if !fits {
                return Err(self.at(
                    p,
                    format!(
                        "{ctx}: `{key} = \"{path}\"` is not {} in the payload",
                        if key == "items" {
                            "an array"
                        } else {
                            "an integer"
                        }
                    ),
                ));
            }
            m.insert(key.into(), json!(path));
        }
        if let Some(d) = limit.default.as_ref().and_then(toml::Value::as_integer) {
            m.insert("default_limit".into(), json!(d));
        }
        if let Some(max) = limit.maximum {
            m.insert("max_limit".into(), json!(max));
        }
        Ok(Value::Object(m))
    }

    fn errors(
        &self,
        facts: &Facts,
        schemas: &Object,
    ) -> Result<(Option<Value>, Option<Vec<Value>>), SpecError> {
        let Some(e) = &facts.errors else {
            return Ok((None, None));
        };
        let f = e.get_ref();
        let schema = schemas
            .get(&f.schema)
            .ok_or_else(|| self.at(e, format!("[errors]: no schema `{}`", f.schema)))?;
        let mut body = Map::new();
        body.insert("schema".into(), json!(f.schema));
        for (key, member) in [
            ("message", Some(&f.message)),
            ("status", f.status.as_ref()),
            ("code", f.code.as_ref()),
        ] {
            let Some(member) = member else { continue };
            if schema.pointer(&format!("/properties/{member}")).is_none() {
                return Err(self.at(
                    e,
                    format!("[errors]: `{member}` is not a member of `{}`", f.schema),
                ));
            }
            body.insert(key.into(), json!(member));
        }
        let codes = match &f.codes_from {
            None => None,
            Some(from) => {
                let (doc, records) =
                    self.records(e, "[errors] codes_from", &from.page, &from.after, "Code")?;
                let mut codes: Vec<Value> = Vec::new();
                let mut seen = BTreeSet::new();
                for row in &records {
                    let code = row.get("Code").unwrap_or_default().to_string();
                    if code.is_empty() || !seen.insert(code.clone()) {
                        continue;
                    }
                    let mut m = Map::new();
                    m.insert("code".into(), json!(code));
                    if let Some(text) = row.get("Status") {
                        let status: u16 = text.parse().map_err(|_| SpecError::At {
                            file: doc.shown.clone(),
                            at: doc.position(row.offset),
                            message: format!("`{text}` is not an HTTP status"),
                        })?;
                        m.insert("status".into(), json!(status));
                    }
                    if let Some(text) = row.get("Description") {
                        m.insert("message".into(), json!(text));
                    }
                    codes.push(Value::Object(m));
                }
                Some(codes)
            }
        };
        insert_evidence(&mut body, &f.evidence);
        Ok((Some(Value::Object(body)), codes))
    }

    fn webhooks(&self, facts: &Facts) -> Result<Option<Value>, SpecError> {
        let Some(w) = &facts.webhooks else {
            return Ok(None);
        };
        let f = w.get_ref();
        let sig = f.signature.get_ref();
        let mut s = Map::new();
        let given: [(&str, Option<Value>); 9] = [
            ("algorithm", Some(json!(sig.algorithm))),
            ("header", sig.header.as_ref().map(|v| json!(v))),
            ("prefix", sig.prefix.as_ref().map(|v| json!(v))),
            ("encoding", sig.encoding.as_ref().map(|v| json!(v))),
            (
                "timestamp_header",
                sig.timestamp_header.as_ref().map(|v| json!(v)),
            ),
            (
                "timestamp_format",
                sig.timestamp_format.as_ref().map(|v| json!(v)),
            ),
            (
                "signed_content",
                sig.signed_content.as_ref().map(|v| json!(v)),
            ),
            ("tolerance_seconds", sig.tolerance_seconds.map(|v| json!(v))),
            (
                "secret_prefix",
                sig.secret_prefix.as_ref().map(|v| json!(v)),
            ),
        ];
        for (key, value) in given {
            let silent = sig.undocumented.iter().any(|u| u == key);
            match (value, silent) {
                (Some(_), true) => {
                    return Err(self.at(
                        &f.signature,
                        format!(
                            "[webhooks.signature]: `{key}` is given and listed as undocumented"
                        ),
                    ));
                }
                (None, false) => {
                    return Err(self.at(&f.signature, format!("[webhooks.signature]: `{key}` is neither given nor listed in `undocumented`")));
                }
                (Some(v), false) => {
                    s.insert(key.into(), v);
                }
                (None, true) => {}
            }
        }
        for u in &sig.undocumented {
            if !SIGNATURE_MEMBERS.contains(&u.as_str()) {
                return Err(self.at(
                    &f.signature,
                    format!("[webhooks.signature]: `{u}` is not a signature member"),
                ));
            }
        }
        if !sig.undocumented.is_empty() {
            s.insert("undocumented".into(), json!(sig.undocumented));
        }
        if !sig.confidence.is_empty() {
            for (key, c) in &sig.confidence {
                if !s.contains_key(key) || !CONFIDENCE.contains(&c.as_str()) {
                    return Err(self.at(&f.signature, format!("[webhooks.signature]: confidence of `{key}` must name a given member and be `medium` or `low`")));
                }
            }
            s.insert("x-confidence".into(), json!(sig.confidence));
        }
        let mut m = Map::new();
        m.insert("description".into(), json!(f.description));
        m.insert("signature".into(), Value::Object(s));
        if let Some(p) = &f.payload {
            let schema = types::schema(p, &self.names)
                .map_err(|e| self.at(w, format!("[webhooks]: {e}")))?;
            m.insert("payload".into(), schema);
        }
        if let Some(from) = &f.events_from {
            let (_, records) = self.records(
                w,
                "[webhooks] events_from",
                &from.page,
                &from.after,
                "Event",
            )?;
            let events: Vec<Value> = records
                .iter()
                .map(|row| {
                    let mut e = Map::new();
                    e.insert("type".into(), json!(row.get("Event").unwrap_or_default()));
                    if let Some(text) = row.get("When") {
                        e.insert("description".into(), json!(text));
                    }
                    Value::Object(e)
                })
                .collect();
            m.insert("events".into(), Value::Array(events));
        }
        for key in WEBHOOK_MEMBERS {
            let silent = f.undocumented.iter().any(|u| u == key);
            if m.contains_key(key) == silent {
                return Err(self.at(w, format!("[webhooks]: `{key}` must be either given or listed in `undocumented`, not both or neither")));
            }
        }
        for u in &f.undocumented {
            if !WEBHOOK_MEMBERS.contains(&u.as_str()) {
                return Err(self.at(w, format!("[webhooks]: `{u}` is not a webhooks member")));
            }
        }
        if !f.undocumented.is_empty() {
            m.insert("undocumented".into(), json!(f.undocumented));
        }
        insert_evidence(&mut m, &f.evidence);
        Ok(Some(Value::Object(m)))
    }

    fn record_decisions(&mut self, facts: &Facts) {
        for d in &facts.decisions {
            let d = d.get_ref();
            self.findings.push(Finding {
                kind: FindingKind::Decided,
                severity: d.severity.clone(),
                topic: d.topic.clone(),
                sides: d
                    .sides
                    .iter()
                    .map(|s| {
                        let mut pages: Vec<String> = Vec::new();
                        for e in &s.evidence {
                            if !pages.contains(&e.page) {
                                pages.push(e.page.clone());
                            }
                        }
                        (s.claim.clone(), pages)
                    })
                    .collect(),
                taken: d.taken.clone(),
            });
        }
        for s in &facts.silences {
            let s = s.get_ref();
            self.findings.push(Finding {
                kind: FindingKind::Silent,
                severity: String::new(),
                topic: s.topic.clone(),
                sides: Vec::new(),
                taken: s.note.clone(),
            });
        }
    }

    /// Checks every example; returns how many were checked.
    fn check_examples(&mut self, schemas: &Object) -> usize {
        let examples = std::mem::take(&mut self.examples);
        for e in &examples {
            let found = check::mismatches(&e.value, &e.schema, schemas);
            if !found.is_empty() {
                self.findings.push(Finding {
                    kind: FindingKind::Example,
                    severity: "C".into(),
                    topic: format!("{} ({})", e.at, e.page),
                    sides: found.into_iter().map(|f| (f, Vec::new())).collect(),
                    taken: "the schema; the example is published as documented".into(),
                });
            }
        }
        examples.len()
    }

    /// Lists every place the spec labels with `x-confidence`.
    fn record_confidence(&mut self, spec: &Value) {
        fn walk(v: &Value, at: &str, out: &mut Vec<(String, String, String)>) {
            match v {
                Value::Object(m) => {
                    let what = m
                        .get("description")
                        .and_then(Value::as_str)
                        .or_else(|| m.get("summary").and_then(Value::as_str))
                        .unwrap_or_default();
                    match m.get("x-confidence") {
                        Some(Value::String(c)) => {
                            out.push((at.to_string(), c.clone(), what.to_string()));
                        }
                        // Per member: `{member: confidence}`.
                        Some(Value::Object(members)) => {
                            for (member, c) in members {
                                let value = m.get(member).map(Value::to_string).unwrap_or_default();
                                out.push((
                                    format!("{at}/{member}"),
                                    c.as_str().unwrap_or_default().to_string(),
                                    value,
                                ));
                            }
                        }
                        _ => {}
                    }
                    for (k, v) in m {
                        walk(
                            v,
                            &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                            out,
                        );
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, &format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(spec, "", &mut found);
        for (at, confidence, what) in found {
            self.findings.push(Finding {
                kind: FindingKind::Inferred,
                severity: confidence,
                topic: format!("`{at}`"),
                sides: Vec::new(),
                taken: what,
            });
        }
    }
}

/// The schema itself, or the component it refers to.
fn resolve(schema: &Value, schemas: &Object) -> Value {
    match types::referenced(schema).and_then(|n| schemas.get(n)) {
        Some(target) => target.clone(),
        None => match schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([only]) => resolve(only, schemas),
            _ => schema.clone(),
        },
    }
}

/// The schema of member `key` of an object schema (following references).
fn resolve_member(schema: &Value, key: &str, schemas: &Object) -> Option<Value> {
    resolve(schema, schemas)
        .pointer(&format!("/properties/{key}"))
        .cloned()
}
