//! Comparing two schemas member by member: fields added, removed, renamed, retyped, made
//! required or optional; value-set members; constraints.
//!
//! Each difference is classified by what it does to code written against the generated
//! client (see the generator's README): required request members are arguments (of the
//! operation method at the top of a body or among the parameters, of the type's `new` deeper
//! down), optional ones setters; response types are `#[non_exhaustive]`; enums are
//! `#[non_exhaustive]` with an `Unknown` variant; request constraints are checked before
//! sending, responses are not validated.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Change, Kind, Operation};

/// Whether a schema is sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Response,
}

/// What the root of a compared schema is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Parameter,
    Body,
    Response,
    Type,
}

/// Where a schema sits: the root it hangs from and the wire path below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// `request body`, `response 200`, `query parameter `page``, `type `Webhook``.
    pub root: String,
    pub kind: Root,
    /// Wire path below the root (`data.contacts[].id`); empty at the root.
    pub path: String,
    pub side: Side,
    /// Object levels below the root: 1 for a top-level body field.
    pub depth: usize,
    /// The nearest component the path went through, and the path inside it.
    pub component: Option<(String, String)>,
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

impl Place {
    pub fn new(root: impl Into<String>, kind: Root, side: Side) -> Place {
        Place {
            root: root.into(),
            kind,
            path: String::new(),
            side,
            depth: 0,
            component: None,
        }
    }

    /// The same root, starting below a wire path (the envelope's `data`).
    pub fn below(mut self, path: &str) -> Place {
        self.path = path.to_string();
        self
    }

    /// How reports name the place.
    pub fn at(&self) -> String {
        if self.path.is_empty() {
            self.root.clone()
        } else {
            format!("{} `{}`", self.root, self.path)
        }
    }

    pub fn member(&self, name: &str) -> Place {
        Place {
            path: join(&self.path, name),
            depth: self.depth + 1,
            component: self
                .component
                .as_ref()
                .map(|(c, p)| (c.clone(), join(p, name))),
            ..self.clone()
        }
    }

    /// The items of the array at this place.
    pub fn items(&self) -> Place {
        self.suffixed("[]")
    }

    fn suffixed(&self, suffix: &str) -> Place {
        Place {
            path: format!("{}{suffix}", self.path),
            component: self
                .component
                .as_ref()
                .map(|(c, p)| (c.clone(), format!("{p}{suffix}"))),
            ..self.clone()
        }
    }

    pub fn enter(&self, component: &str) -> Place {
        Place {
            component: Some((component.to_string(), String::new())),
            ..self.clone()
        }
    }

    /// What takes a required member of this object as an argument.
    fn constructor(&self) -> String {
        match (&self.component, self.depth) {
            (_, 0) if self.kind != Root::Type => "the operation method".into(),
            (Some((c, p)), _) if p.is_empty() => format!("`{c}::new`"),
            _ => "the type's `new`".into(),
        }
    }
}

/// Where each component of the new document was reached from.
pub type Reach = BTreeMap<String, Vec<(Option<Operation>, Place)>>;

/// Follows a local `$ref` (`#/…`) to what it points at.
pub fn resolve<'v>(doc: &'v Value, mut v: &'v Value) -> &'v Value {
    for _ in 0..16 {
        let Some(pointer) = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        match doc.pointer(pointer) {
            Some(target) => v = target,
            None => break,
        }
    }
    v
}

/// The component a schema refers to.
pub fn schema_ref(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// A single-member `allOf` stands for its member.
fn unwrap_all_of(schema: &Value) -> &Value {
    match schema.get("allOf").and_then(Value::as_array) {
        Some(members) if members.len() == 1 => &members[0],
        _ => schema,
    }
}

fn component<'v>(doc: &'v Value, name: &str) -> Option<&'v Value> {
    doc.pointer("/components/schemas").and_then(|s| s.get(name))
}

/// The Rust type the generator maps a schema to; inline objects and enums are named after
/// their place, so the same place keeps the same name.
pub fn rust_type(schema: &Value) -> String {
    let schema = unwrap_all_of(schema);
    if let Some(name) = schema_ref(schema) {
        return name.to_string();
    }
    let format = schema.get("format").and_then(Value::as_str);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if schema.get("enum").is_some() => "enum".into(),
        Some("string") => match format {
            Some("uuid") => "uuid::Uuid".into(),
            Some("date-time") => "time::OffsetDateTime".into(),
            _ => "String".into(),
        },
        Some("integer") if format == Some("int32") => "i32".into(),
        Some("integer") => "i64".into(),
        Some("number") => "f64".into(),
        Some("boolean") => "bool".into(),
        Some("array") => format!(
            "Vec<{}>",
            schema
                .get("items")
                .map_or_else(|| "serde_json::Value".into(), rust_type)
        ),
        _ if has_properties(schema) => "struct".into(),
        Some("object") => match schema.get("additionalProperties") {
            Some(v @ Value::Object(_)) => format!("BTreeMap<String, {}>", rust_type(v)),
            _ => "serde_json::Map".into(),
        },
        _ => "serde_json::Value".into(),
    }
}

fn has_properties(schema: &Value) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

fn properties(schema: &Value) -> Vec<(&str, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// The members of `these` that `those` lacks, with their positions.
fn missing<'v>(
    these: &[(&'v str, &'v Value)],
    those: &[(&str, &Value)],
) -> Vec<(usize, &'v str, &'v Value)> {
    these
        .iter()
        .enumerate()
        .filter(|(_, (n, _))| !those.iter().any(|(m, _)| m == n))
        .map(|(i, (n, s))| (i, *n, *s))
        .collect()
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn nullable(doc: &Value, schema: &Value) -> bool {
    flag(schema, "nullable") || flag(resolve(doc, unwrap_all_of(schema)), "nullable")
}

fn values(schema: &Value) -> Option<Vec<String>> {
    schema.get("enum").and_then(Value::as_array).map(|v| {
        v.iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect()
    })
}

/// How a constraint tightens.
#[derive(Clone, Copy)]
enum Bound {
    /// A higher value accepts less (`minLength`).
    Lower,
    /// A lower value accepts less (`maxLength`).
    Upper,
    /// `true` accepts less.
    Flag,
    /// Any new pattern may accept less.
    Pattern,
}

const CONSTRAINTS: [(&str, Bound); 12] = [
    ("pattern", Bound::Pattern),
    ("minLength", Bound::Lower),
    ("maxLength", Bound::Upper),
    ("minimum", Bound::Lower),
    ("maximum", Bound::Upper),
    ("exclusiveMinimum", Bound::Flag),
    ("exclusiveMaximum", Bound::Flag),
    ("minItems", Bound::Lower),
    ("maxItems", Bound::Upper),
    ("uniqueItems", Bound::Flag),
    ("minProperties", Bound::Lower),
    ("maxProperties", Bound::Upper),
];

fn tightens(bound: Bound, old: Option<&Value>, new: Option<&Value>) -> bool {
    let number = |v: Option<&Value>| v.and_then(Value::as_f64);
    match bound {
        Bound::Pattern => new.is_some(),
        Bound::Flag => new.and_then(Value::as_bool).unwrap_or(false),
        Bound::Lower => match (number(old), number(new)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b > a,
        },
        Bound::Upper => match (number(old), number(new)) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b < a,
        },
    }
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None => "none".into(),
        Some(Value::String(s)) => format!("`{s}`"),
        Some(other) => other.to_string(),
    }
}

/// Walks two documents side by side and collects the differences.
#[derive(Debug)]
pub struct Walker<'d> {
    pub old: &'d Value,
    pub new: &'d Value,
    /// The operation being compared; `None` for API-wide types.
    pub op: Option<Operation>,
    pub changes: Vec<Change>,
    /// Components entered on either side.
    pub reached: BTreeSet<String>,
    /// Where the new document's components were entered.
    pub reach: Reach,
    /// Components not to enter (reported elsewhere).
    pub skip: BTreeSet<String>,
    stack: Vec<String>,
}

impl<'d> Walker<'d> {
    pub fn new(old: &'d Value, new: &'d Value) -> Walker<'d> {
        Walker {
            old,
            new,
            op: None,
            changes: Vec::new(),
            reached: BTreeSet::new(),
            reach: Reach::new(),
            skip: BTreeSet::new(),
            stack: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        kind: Kind,
        place: &Place,
        detail: impl Into<String>,
        breaking: bool,
        reason: impl Into<String>,
    ) {
        self.changes.push(Change {
            operation: self.op.clone(),
            kind,
            at: place.at(),
            detail: detail.into(),
            breaking,
            reason: reason.into(),
            conflict: None,
            stale_facts: Vec::new(),
            schema_at: place.component.clone(),
        });
    }

    /// Compares two schemas at `place`.
    pub fn schema(&mut self, place: &Place, old: &Value, new: &Value) {
        let (old, new) = (unwrap_all_of(old), unwrap_all_of(new));
        let (was, is) = (rust_type(old), rust_type(new));
        if was != is {
            self.retyped(place, &was, &is);
            return;
        }
        let Some(name) = schema_ref(new) else {
            self.inline(place, old, new);
            return;
        };
        if self.stack.iter().any(|n| n == name) || self.skip.contains(name) {
            return;
        }
        self.reached.insert(name.to_string());
        self.reach
            .entry(name.to_string())
            .or_default()
            .push((self.op.clone(), place.enter(name)));
        let (Some(o), Some(n)) = (component(self.old, name), component(self.new, name)) else {
            return;
        };
        self.stack.push(name.to_string());
        self.schema(&place.enter(name), o, n);
        self.stack.pop();
    }

    fn retyped(&mut self, place: &Place, was: &str, is: &str) {
        let kind = if place.kind == Root::Parameter && place.path.is_empty() {
            Kind::ParameterRetyped
        } else {
            Kind::FieldRetyped
        };
        let reason = match place.side {
            Side::Request => format!(
                "its argument or setter takes `{is}` instead of `{was}`; calls passing a `{was}` no longer compile"
            ),
            Side::Response => format!(
                "the field is `{is}` instead of `{was}`; code reading it as `{was}` no longer compiles"
            ),
        };
        self.push(kind, place, format!("`{was}` → `{is}`"), true, reason);
    }

    /// Compares two schemas of the same Rust type member by member.
    pub fn inline(&mut self, place: &Place, old: &Value, new: &Value) {
        self.values(place, old, new);
        self.constraints(place, old, new);
        if has_properties(old) || has_properties(new) {
            self.properties(place, old, new);
        }
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.schema(&place.items(), a, b);
        }
        if let (Some(a @ Value::Object(_)), Some(b @ Value::Object(_))) = (
            old.get("additionalProperties"),
            new.get("additionalProperties"),
        ) {
            self.schema(&place.suffixed(".*"), a, b);
        }
    }

    fn values(&mut self, place: &Place, old: &Value, new: &Value) {
        let (Some(was), Some(is)) = (values(old), values(new)) else {
            return;
        };
        for v in is.iter().filter(|v| !was.contains(v)) {
            self.push(
                Kind::ValueAdded,
                place,
                format!("`{v}`"),
                false,
                "a new variant of a `#[non_exhaustive]` enum; clients generated before decode it as `Unknown`",
            );
        }
        for v in was.iter().filter(|v| !is.contains(v)) {
            self.push(
                Kind::ValueRemoved,
                place,
                format!("`{v}`"),
                true,
                "the enum loses the variant; code naming it no longer compiles",
            );
        }
    }

    fn constraints(&mut self, place: &Place, old: &Value, new: &Value) {
        for (key, bound) in CONSTRAINTS {
            let (was, is) = (old.get(key), new.get(key));
            if was == is {
                continue;
            }
            let tighter = tightens(bound, was, is);
            let detail = format!("`{key}` {} → {}", shown(was), shown(is));
            let kind = if tighter {
                Kind::ConstraintTightened
            } else {
                Kind::ConstraintLoosened
            };
            let (breaking, reason) = match (place.side, tighter) {
                (Side::Request, true) => (
                    true,
                    "values the old spec allowed now fail the client's validation before sending",
                ),
                (Side::Request, false) => (
                    false,
                    "every value the old spec allowed still passes validation",
                ),
                (Side::Response, _) => (false, "the client does not validate responses"),
            };
            self.push(kind, place, detail, breaking, reason);
        }
        let (was, is) = (old.get("format"), new.get("format"));
        if was != is {
            self.push(
                Kind::FormatChanged,
                place,
                format!("`format` {} → {}", shown(was), shown(is)),
                false,
                "the Rust type stays the same and the client checks no other format",
            );
        }
    }

    fn properties(&mut self, place: &Place, old: &Value, new: &Value) {
        let (was, is) = (properties(old), properties(new));
        let (was_required, is_required) = (required(old), required(new));
        let mut removed = missing(&was, &is);
        let mut added = missing(&is, &was);
        // A member removed and another added at the same position with the same type: renamed.
        let mut renamed = Vec::new();
        removed.retain(|(i, name, schema)| {
            let Some(at) = added
                .iter()
                .position(|(j, _, s)| j == i && rust_type(s) == rust_type(schema))
            else {
                return true;
            };
            let (_, new_name, _) = added.remove(at);
            renamed.push((*name, new_name, rust_type(schema)));
            false
        });
        for (_, name, schema) in removed {
            self.removed(place, name, schema, was_required.contains(name));
        }
        for (old_name, new_name, ty) in renamed {
            let required = was_required.contains(old_name) && is_required.contains(new_name);
            let (breaking, reason) = match place.side {
                Side::Request if required => (
                    false,
                    format!(
                        "passed by position to {}; only the wire name changes",
                        place.constructor()
                    ),
                ),
                Side::Request => (true, "its setter is renamed".to_string()),
                Side::Response => (
                    true,
                    "the field is renamed; code reading it no longer compiles".to_string(),
                ),
            };
            self.push(
                Kind::FieldRenamed,
                &place.member(old_name),
                format!("`{old_name}` → `{new_name}`, `{ty}`, same position"),
                breaking,
                reason,
            );
        }
        for (_, name, schema) in added {
            if place.side == Side::Request && flag(schema, "readOnly") {
                continue;
            }
            self.added(place, name, schema, is_required.contains(name));
        }
        for (name, a) in &was {
            let Some((_, b)) = is.iter().find(|(n, _)| n == name) else {
                continue;
            };
            let member = place.member(name);
            self.required_changed(
                &member,
                place,
                (was_required.contains(name), is_required.contains(name)),
                (nullable(self.old, a), nullable(self.new, b)),
                &rust_type(b),
            );
            self.schema(&member, a, b);
        }
    }

    fn removed(&mut self, place: &Place, name: &str, schema: &Value, required: bool) {
        let reason = match place.side {
            Side::Request if required => format!("{} loses an argument", place.constructor()),
            Side::Request => "its setter goes".into(),
            Side::Response => "code reading the field no longer compiles".into(),
        };
        self.push(
            Kind::FieldRemoved,
            &place.member(name),
            format!("`{}`", rust_type(schema)),
            true,
            reason,
        );
    }

    fn added(&mut self, place: &Place, name: &str, schema: &Value, required: bool) {
        let (breaking, reason) = match place.side {
            Side::Request if required => {
                (true, format!("a new argument of {}", place.constructor()))
            }
            Side::Request => (
                false,
                "an optional field: a new setter; existing calls compile".into(),
            ),
            Side::Response => (
                false,
                "response types are `#[non_exhaustive]`; existing code compiles".into(),
            ),
        };
        let detail = format!(
            "`{}`, {}",
            rust_type(schema),
            if required { "required" } else { "optional" }
        );
        self.push(
            Kind::FieldAdded,
            &place.member(name),
            detail,
            breaking,
            reason,
        );
    }

    /// A member made required or optional (or, in responses, nullable or not).
    fn required_changed(
        &mut self,
        member: &Place,
        parent: &Place,
        (was, is): (bool, bool),
        (was_null, is_null): (bool, bool),
        ty: &str,
    ) {
        let kind = if is {
            Kind::FieldRequired
        } else {
            Kind::FieldOptional
        };
        match member.side {
            Side::Request if was != is => {
                let reason = if is {
                    format!(
                        "now an argument of {}, no longer a setter",
                        parent.constructor()
                    )
                } else {
                    format!(
                        "no longer an argument of {}: callers set it through a setter",
                        parent.constructor()
                    )
                };
                self.push(kind, member, "", true, reason);
            }
            Side::Request => {}
            Side::Response => {
                let (was_option, is_option) = (!was || was_null, !is || is_null);
                if was_option != is_option {
                    let (kind, from, to) = if is_option {
                        (Kind::FieldOptional, ty.to_string(), format!("Option<{ty}>"))
                    } else {
                        (Kind::FieldRequired, format!("Option<{ty}>"), ty.to_string())
                    };
                    self.push(
                        kind,
                        member,
                        format!("`{from}` → `{to}`"),
                        true,
                        "the field's type changes; code reading it no longer compiles",
                    );
                } else if was != is {
                    self.push(
                        kind,
                        member,
                        "",
                        false,
                        "the field is nullable, an `Option` either way",
                    );
                }
            }
        }
    }
}
