//! Comparing two OpenAPI documents: operation by operation (parameters, request body,
//! statuses, success payloads, error codes), then API-wide (error-code catalog, types, server,
//! authentication, envelope).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::fields::{Place, Reach, Root, Side, Walker, resolve, rust_type, schema_ref};
use super::{Change, Kind, Operation};

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "options", "head", "trace",
];

/// One operation of a document.
struct Op<'d> {
    method: &'d str,
    path: &'d str,
    op: &'d Value,
    item: &'d Value,
}

impl<'d> Op<'d> {
    fn id(&self) -> Option<&'d str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    /// `group.method` from `x-group`/`x-method`, the name the client gives the operation.
    fn client(&self) -> Option<String> {
        let group: Vec<&str> = self
            .op
            .get("x-group")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let method = self.op.get("x-method")?.as_str()?;
        Some(format!("{}.{method}", group.join(".")))
    }

    fn describe(&self) -> Operation {
        Operation {
            method: self.method.to_ascii_uppercase(),
            path: self.path.to_string(),
            id: self.id().map(str::to_string),
            client: self.client(),
        }
    }
}

fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push(Op {
                        method,
                        path,
                        op,
                        item,
                    });
                }
            }
        }
    }
    out
}

/// Every difference between two documents, and where the new document's components are used.
pub fn compare(old: &Value, new: &Value) -> (Vec<Change>, Reach) {
    let mut w = Walker::new(old, new);
    let (was, is) = (operations(old), operations(new));
    let mut old_paired = vec![false; was.len()];
    let mut partner: Vec<Option<usize>> = vec![None; is.len()];
    for (j, n) in is.iter().enumerate() {
        if let Some(i) = was
            .iter()
            .position(|o| o.method == n.method && o.path == n.path)
        {
            partner[j] = Some(i);
            old_paired[i] = true;
        }
    }
    // Operations that moved keep their operation id.
    for (j, n) in is.iter().enumerate() {
        if partner[j].is_some() {
            continue;
        }
        let Some(id) = n.id() else { continue };
        if let Some(i) = (0..was.len()).find(|&i| !old_paired[i] && was[i].id() == Some(id)) {
            partner[j] = Some(i);
            old_paired[i] = true;
        }
    }
    let here = Place::new("operation", Root::Type, Side::Request);
    for (j, n) in is.iter().enumerate() {
        w.op = Some(n.describe());
        match partner[j] {
            Some(i) => operation(&mut w, &was[i], n),
            None => w.push(
                Kind::OperationAdded,
                &here,
                "",
                false,
                "a new method; existing code is unaffected",
            ),
        }
    }
    for (o, _) in was.iter().zip(&old_paired).filter(|(_, paired)| !**paired) {
        w.op = Some(o.describe());
        w.push(
            Kind::OperationRemoved,
            &here,
            "",
            true,
            "the method and its builder go; code calling it no longer compiles",
        );
    }
    w.op = None;
    api_wide(&mut w);
    let mut changes = w.changes;
    order(&mut changes);
    (changes, w.reach)
}

/// Orders changes by operation (path, then method), API-wide ones last; the order within an
/// operation stays.
pub fn order(changes: &mut [Change]) {
    let rank = |c: &Change| {
        c.operation.as_ref().map(|o| {
            let m = o.method.to_ascii_lowercase();
            (
                o.path.clone(),
                METHODS
                    .iter()
                    .position(|x| *x == m)
                    .unwrap_or(METHODS.len()),
            )
        })
    };
    changes.sort_by(|a, b| match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

fn operation(w: &mut Walker<'_>, o: &Op<'_>, n: &Op<'_>) {
    let here = Place::new("operation", Root::Type, Side::Request);
    let (was, is) = (o.client(), n.client());
    if was != is {
        let name = |c: &Option<String>| c.clone().unwrap_or_else(|| "(derived)".into());
        w.push(
            Kind::OperationRenamed,
            &here,
            format!("`{}` → `{}`", name(&was), name(&is)),
            true,
            "the client method is renamed; calls to the old name no longer compile",
        );
    }
    if o.method != n.method || o.path != n.path {
        let named = was.is_some() && was == is;
        w.push(
            Kind::OperationMoved,
            &here,
            format!(
                "`{} {}` → `{} {}`",
                o.method.to_ascii_uppercase(),
                o.path,
                n.method.to_ascii_uppercase(),
                n.path
            ),
            !named,
            if named {
                "the method keeps its name (`x-group`/`x-method`); requests go to the new path"
            } else {
                "the method's name derives from its path and may change"
            },
        );
    }
    let paged = |op: &Op<'_>| op.op.get("x-pagination").is_some();
    match (paged(o), paged(n)) {
        (false, true) => w.push(
            Kind::PaginationAdded,
            &here,
            "",
            false,
            "the builder gains the `pages()` and `items()` streams",
        ),
        (true, false) => w.push(
            Kind::PaginationRemoved,
            &here,
            "",
            true,
            "the builder loses `pages()` and `items()`; code streaming pages no longer compiles",
        ),
        _ => {}
    }
    parameters(w, o, n);
    body(w, o, n);
    responses(w, o, n);
}

struct Param<'d> {
    location: &'d str,
    name: &'d str,
    required: bool,
    schema: &'d Value,
}

impl Param<'_> {
    fn same(&self, other: &Param<'_>) -> bool {
        self.location == other.location
            && if self.location == "header" {
                self.name.eq_ignore_ascii_case(other.name)
            } else {
                self.name == other.name
            }
    }

    fn place(&self) -> Place {
        Place::new(
            format!("{} parameter `{}`", self.location, self.name),
            Root::Parameter,
            Side::Request,
        )
    }
}

const NO_SCHEMA: Value = Value::Null;

/// The parameters of an operation, its own before its path's.
fn parameters_of<'d>(doc: &'d Value, op: &Op<'d>) -> Vec<Param<'d>> {
    let mut out: Vec<Param<'d>> = Vec::new();
    for list in [op.op.get("parameters"), op.item.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let p = resolve(doc, p);
            let (Some(name), Some(location)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let param = Param {
                location,
                name,
                required: location == "path"
                    || p.get("required").and_then(Value::as_bool).unwrap_or(false),
                schema: p.get("schema").unwrap_or(&NO_SCHEMA),
            };
            if !out.iter().any(|q| q.same(&param)) {
                out.push(param);
            }
        }
    }
    out
}

/// Whether the operation method takes the parameter as an argument (pagination parameters
/// are builder methods even when required).
fn argument(p: &Param<'_>, op: &Op<'_>) -> bool {
    let paging = |key: &str| {
        op.op
            .get("x-pagination")
            .and_then(|x| x.get(key))
            .and_then(Value::as_str)
            == Some(p.name)
    };
    p.location == "path" || (p.required && !paging("page") && !paging("page_size"))
}

fn parameters(w: &mut Walker<'_>, o: &Op<'_>, n: &Op<'_>) {
    let (was, is) = (parameters_of(w.old, o), parameters_of(w.new, n));
    let mut removed: Vec<usize> = (0..was.len())
        .filter(|&i| !is.iter().any(|p| p.same(&was[i])))
        .collect();
    let mut added: Vec<usize> = (0..is.len())
        .filter(|&j| !was.iter().any(|p| p.same(&is[j])))
        .collect();
    let mut renamed = Vec::new();
    removed.retain(|&i| {
        let same_slot = |&j: &usize| {
            j == i
                && is[j].location == was[i].location
                && rust_type(is[j].schema) == rust_type(was[i].schema)
        };
        match added.iter().position(same_slot) {
            Some(k) => {
                renamed.push((i, added.remove(k)));
                false
            }
            None => true,
        }
    });
    for i in removed {
        let p = &was[i];
        let reason = if argument(p, o) {
            "the operation method loses an argument"
        } else {
            "its builder method goes"
        };
        w.push(
            Kind::ParameterRemoved,
            &p.place(),
            format!("`{}`", rust_type(p.schema)),
            true,
            reason,
        );
    }
    for (i, j) in renamed {
        let (a, b) = (&was[i], &is[j]);
        let positional = argument(a, o) && argument(b, n);
        w.push(
            Kind::ParameterRenamed,
            &a.place(),
            format!(
                "`{}` → `{}`, `{}`, same position",
                a.name,
                b.name,
                rust_type(b.schema)
            ),
            !positional,
            if positional {
                "passed by position to the operation method; only the wire name changes"
            } else {
                "its builder method is renamed"
            },
        );
    }
    for j in added {
        let p = &is[j];
        let (breaking, reason) = if argument(p, n) {
            (true, "a new argument of the operation method")
        } else {
            (false, "a new builder method; existing calls compile")
        };
        w.push(
            Kind::ParameterAdded,
            &p.place(),
            format!(
                "`{}`, {}",
                rust_type(p.schema),
                if p.required { "required" } else { "optional" }
            ),
            breaking,
            reason,
        );
    }
    for a in &was {
        let Some(b) = is.iter().find(|b| b.same(a)) else {
            continue;
        };
        let (arg_was, arg_is) = (argument(a, o), argument(b, n));
        if a.required != b.required || arg_was != arg_is {
            let kind = if b.required {
                Kind::ParameterRequired
            } else {
                Kind::ParameterOptional
            };
            let (breaking, reason) = match (arg_was, arg_is) {
                (false, true) => (true, "now an argument of the operation method"),
                (true, false) => (
                    true,
                    "no longer an argument of the operation method: callers set it through a builder method",
                ),
                _ => (false, "a pagination parameter: a builder method either way"),
            };
            w.push(kind, &b.place(), "", breaking, reason);
        }
        w.schema(&b.place(), a.schema, b.schema);
    }
}

/// The JSON schema of a request body or response.
fn json_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    let media = content
        .get("application/json")
        .or_else(|| {
            content
                .iter()
                .find(|(k, _)| k.contains("json"))
                .map(|(_, v)| v)
        })
        .or_else(|| content.values().next())?;
    media.get("schema")
}

fn body_of<'d>(doc: &'d Value, op: &Op<'d>) -> Option<&'d Value> {
    json_schema(resolve(doc, op.op.get("requestBody")?))
}

fn is_object(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    s.get("properties").is_some() || s.get("type").and_then(Value::as_str) == Some("object")
}

fn body(w: &mut Walker<'_>, o: &Op<'_>, n: &Op<'_>) {
    let place = Place::new("request body", Root::Body, Side::Request);
    let empty = json!({ "type": "object" });
    let (was, is) = match (body_of(w.old, o), body_of(w.new, n)) {
        (None, None) => return,
        (a, b) => (a.unwrap_or(&empty), b.unwrap_or(&empty)),
    };
    let same_type = schema_ref(was) == schema_ref(is);
    if same_type || !is_object(w.old, was) || !is_object(w.new, is) {
        w.schema(&place, was, is);
        return;
    }
    // The operation takes the body's members, not the body type: a body type renamed, added
    // or dropped is compared member by member.
    let place = match schema_ref(is).or(schema_ref(was)) {
        Some(name) => place.enter(name),
        None => place,
    };
    let (a, b) = (resolve(w.old, was), resolve(w.new, is));
    w.inline(&place, a, b);
}

/// What a response decodes to: nothing, or a schema below a wire path (the envelope's data).
enum Payload<'d> {
    Empty,
    Schema(String, &'d Value),
}

impl Payload<'_> {
    fn rust(&self) -> String {
        match self {
            Payload::Empty => "()".into(),
            Payload::Schema(_, s) => rust_type(s),
        }
    }
}

fn payload<'d>(doc: &'d Value, response: &'d Value) -> Payload<'d> {
    let Some(schema) = json_schema(response) else {
        return Payload::Empty;
    };
    let envelope = doc.get("x-envelope");
    let field = |k: &str| envelope.and_then(|e| e.get(k)).and_then(Value::as_str);
    if let (Some(env), Some(data)) = (field("schema"), field("data")) {
        if schema_ref(schema) == Some(env) {
            return Payload::Empty;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array)
            && all.iter().any(|m| schema_ref(m) == Some(env))
        {
            return match all
                .iter()
                .find_map(|m| m.get("properties").and_then(|p| p.get(data)))
            {
                Some(s) => Payload::Schema(data.to_string(), s),
                None => Payload::Empty,
            };
        }
    }
    Payload::Schema(String::new(), schema)
}

fn responses_of<'d>(doc: &'d Value, op: &Op<'d>) -> Vec<(&'d str, &'d Value)> {
    op.op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .map(|(status, v)| (status.as_str(), resolve(doc, v)))
                .collect()
        })
        .unwrap_or_default()
}

fn success(status: &str) -> bool {
    status.starts_with('2')
}

/// The type a call resolves to: the success payload when the success responses agree.
fn call_type(doc: &Value, responses: &[(&str, &Value)]) -> String {
    let types: BTreeSet<String> = responses
        .iter()
        .filter(|(s, _)| success(s))
        .map(|(_, r)| payload(doc, r).rust())
        .collect();
    match types.len() {
        0 => "()".into(),
        1 => types.into_iter().next().unwrap_or_default(),
        _ => "serde_json::Value".into(),
    }
}

/// The error codes an operation's examples show, each with its status.
fn error_codes<'d>(
    doc: &'d Value,
    responses: &[(&'d str, &'d Value)],
) -> BTreeMap<&'d str, &'d str> {
    let member = doc
        .pointer("/x-envelope/error")
        .and_then(Value::as_str)
        .unwrap_or("error");
    let mut out = BTreeMap::new();
    for (status, r) in responses {
        let media = r.get("content").and_then(Value::as_object);
        for m in media.into_iter().flat_map(|c| c.values()) {
            let named = m.get("examples").and_then(Value::as_object);
            let examples = m.get("example").into_iter().chain(
                named
                    .into_iter()
                    .flat_map(|e| e.values())
                    .filter_map(|e| resolve(doc, e).get("value")),
            );
            for example in examples {
                if let Some(code) = example
                    .get(member)
                    .and_then(|e| e.get("code"))
                    .and_then(Value::as_str)
                {
                    out.insert(code, *status);
                }
            }
        }
    }
    out
}

fn responses(w: &mut Walker<'_>, o: &Op<'_>, n: &Op<'_>) {
    let (was, is) = (responses_of(w.old, o), responses_of(w.new, n));
    let (call_was, call_is) = (call_type(w.old, &was), call_type(w.new, &is));
    if call_was != call_is {
        w.push(
            Kind::PayloadRetyped,
            &Place::new("success response", Root::Response, Side::Response),
            format!("`Response<{call_was}>` → `Response<{call_is}>`"),
            true,
            "the call resolves to another payload type; code using the old one no longer compiles",
        );
    }
    for (status, a) in &was {
        let Some((_, b)) = is.iter().find(|(t, _)| t == status) else {
            continue;
        };
        if !success(status) {
            continue;
        }
        if let (Payload::Schema(pa, sa), Payload::Schema(pb, sb)) =
            (payload(w.old, a), payload(w.new, b))
            && pa == pb
            && rust_type(sa) == rust_type(sb)
        {
            let place =
                Place::new(format!("response {status}"), Root::Response, Side::Response).below(&pb);
            w.schema(&place, sa, sb);
        }
    }
    let status_reason = |status: &str| {
        if success(status) {
            "statuses are not part of the client's types; the payload type is compared on its own"
        } else {
            "error responses decode into the client's `Error` whatever their status"
        }
    };
    for (kind, these, those) in [
        (Kind::StatusRemoved, &was, &is),
        (Kind::StatusAdded, &is, &was),
    ] {
        for (status, _) in these
            .iter()
            .filter(|(s, _)| !those.iter().any(|(t, _)| t == s))
        {
            w.push(
                kind,
                &Place::new(format!("response {status}"), Root::Response, Side::Response),
                "",
                false,
                status_reason(status),
            );
        }
    }
    let (codes_was, codes_is) = (error_codes(w.old, &was), error_codes(w.new, &is));
    let reason = "codes are not typed per operation; the client reports whichever code it receives";
    for (kind, these, those) in [
        (Kind::ErrorCodeRemoved, &codes_was, &codes_is),
        (Kind::ErrorCodeAdded, &codes_is, &codes_was),
    ] {
        for (code, status) in these.iter().filter(|(c, _)| !those.contains_key(*c)) {
            w.push(
                kind,
                &Place::new(format!("response {status}"), Root::Response, Side::Response),
                format!("`{code}`"),
                false,
                reason,
            );
        }
    }
}

/// The documented error-code catalog (`x-error-codes`): code → status.
fn catalog(doc: &Value) -> BTreeMap<&str, String> {
    doc.get("x-error-codes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let code = c.get("code")?.as_str()?;
            let status = c.get("status").map(Value::to_string).unwrap_or_default();
            Some((code, status))
        })
        .collect()
}

fn schemas(doc: &Value) -> Vec<&str> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The security schemes the document requires by default.
fn auth(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for requirement in doc
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for name in requirement.as_object().into_iter().flat_map(|r| r.keys()) {
            let scheme = doc
                .pointer("/components/securitySchemes")
                .and_then(|s| s.get(name))
                .map(|s| resolve(doc, s))
                .cloned()
                .unwrap_or(Value::Null);
            // The description is prose; what the client sends is the rest.
            let mut scheme = scheme;
            if let Some(m) = scheme.as_object_mut() {
                m.remove("description");
            }
            out.push(scheme);
        }
    }
    out
}

fn api_wide(w: &mut Walker<'_>) {
    let (old, new) = (w.old, w.new);
    let codes = Place::new("`ErrorCode`", Root::Type, Side::Response);
    let (was, is) = (catalog(old), catalog(new));
    for (kind, these, those, breaking, reason) in [
        (
            Kind::ErrorCodeAdded,
            &is,
            &was,
            false,
            "`ErrorCode` is `#[non_exhaustive]`: a new variant breaks no code",
        ),
        (
            Kind::ErrorCodeRemoved,
            &was,
            &is,
            true,
            "`ErrorCode` loses the variant; code naming it no longer compiles",
        ),
    ] {
        for (code, status) in these.iter().filter(|(c, _)| !those.contains_key(*c)) {
            w.push(
                kind,
                &codes,
                format!("`{code}` ({status})"),
                breaking,
                reason,
            );
        }
    }
    let (was, is) = (schemas(old), schemas(new));
    for (kind, these, those, breaking, reason) in [
        (Kind::TypeAdded, &is, &was, false, "a new type"),
        (
            Kind::TypeRemoved,
            &was,
            &is,
            true,
            "code naming the type no longer compiles",
        ),
    ] {
        for name in these.iter().filter(|n| !those.contains(n)) {
            let place = Place::new(format!("type `{name}`"), Root::Type, Side::Response);
            w.push(kind, &place, "", breaking, reason);
        }
    }
    // Types no operation reaches (webhook payloads, the envelope) are compared on their own,
    // as received data; the ones operations reach were compared there.
    w.skip = w.reached.clone();
    let unreached: Vec<&str> = was
        .iter()
        .filter(|n| is.contains(n) && !w.skip.contains(**n))
        .copied()
        .collect();
    for name in unreached {
        // Each type on its own: the types it refers to are compared by name only.
        w.skip = was
            .iter()
            .chain(&is)
            .filter(|n| **n != name)
            .map(|n| n.to_string())
            .collect();
        let r = json!({ "$ref": format!("#/components/schemas/{name}") });
        let place = Place::new(format!("type `{name}`"), Root::Type, Side::Response);
        w.schema(&place, &r, &r);
    }
    let here = Place::new("API", Root::Type, Side::Request);
    let server = |d: &Value| {
        d.pointer("/servers/0/url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (a, b) = (server(old), server(new));
    if a != b {
        w.push(
            Kind::ServerChanged,
            &here,
            format!("`{a}` → `{b}`"),
            false,
            "the default base URL; a base URL set on the client overrides it",
        );
    }
    if auth(old) != auth(new) {
        w.push(
            Kind::AuthChanged,
            &here,
            "",
            true,
            "requests are authenticated differently; credentials set up for the old scheme may be refused",
        );
    }
    if old.get("x-envelope") != new.get("x-envelope") {
        w.push(
            Kind::EnvelopeChanged,
            &here,
            "",
            true,
            "payloads are unwrapped from another envelope",
        );
    }
}
