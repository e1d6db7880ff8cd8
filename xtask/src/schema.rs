//! The assembler's schema model, its OpenAPI 3.0 JSON form, and a validator for examples.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// A schema, without the metadata that belongs to the place it is used.
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// Any JSON value.
    Any,
    /// A component, by name.
    Ref(String),
    String(StringRules),
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
    },
    Number,
    Boolean,
    Array {
        items: Box<Schema>,
        min_items: Option<u64>,
    },
    /// An object with known properties.
    Object(ObjectSchema),
    /// A JSON object whose members all have one schema.
    Map(Box<Schema>),
    /// A JSON object with unspecified members.
    FreeObject,
    /// Exactly one of several object components (`oneOf`), told apart by a member's value
    /// when there is a discriminator.
    OneOf {
        variants: Vec<String>,
        discriminator: Option<Discriminator>,
    },
}

/// The member whose value names the variant of a [`Schema::OneOf`], and the variant each
/// value names.
#[derive(Debug, Clone, PartialEq)]
pub struct Discriminator {
    pub property: String,
    /// (value, variant component), in the order of the variants.
    pub mapping: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StringRules {
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub enum_values: Option<Vec<String>>,
    /// A list of an enum's values joined by a separator (`x-delimited`).
    pub delimited: Option<Delimited>,
    /// The resource a uuid identifies (`x-id-of`), with the evidence (`x-id-evidence`).
    pub id_of: Option<IdOf>,
}

/// A string that lists values of an enum component joined by `separator` (`sms,whatsapp`).
#[derive(Debug, Clone, PartialEq)]
pub struct Delimited {
    pub separator: String,
    pub items: String,
}

/// The resource a uuid string identifies, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct IdOf {
    pub resource: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectSchema {
    pub properties: Vec<Property>,
    /// Whether members beyond `properties` are part of the documented contract (request
    /// bodies whose evidence is incomplete say so, so callers can send what the docs only
    /// describe in prose).
    pub additional_properties: bool,
}

/// A property with the metadata of its use.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub schema: Schema,
    pub required: bool,
    pub nullable: bool,
    pub description: Option<String>,
    /// `x-` extensions (confidence, evidence pages, notes).
    pub extensions: Vec<(String, Value)>,
}

impl Property {
    pub fn new(name: impl Into<String>, schema: Schema) -> Property {
        Property {
            name: name.into(),
            schema,
            required: false,
            nullable: false,
            description: None,
            extensions: Vec::new(),
        }
    }
}

/// A named component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub name: String,
    pub description: Option<String>,
    pub schema: Schema,
    pub extensions: Vec<(String, Value)>,
}

/// All components by name.
pub type Components = BTreeMap<String, Component>;

pub const REF_PREFIX: &str = "#/components/schemas/";

impl Schema {
    /// The OpenAPI 3.0 JSON of this schema.
    pub fn to_json(&self) -> Value {
        match self {
            Schema::Any => json!({}),
            Schema::Ref(name) => json!({ "$ref": format!("{REF_PREFIX}{name}") }),
            Schema::String(rules) => {
                let mut m = Map::new();
                m.insert("type".into(), "string".into());
                if let Some(f) = &rules.format {
                    m.insert("format".into(), f.as_str().into());
                }
                if let Some(p) = &rules.pattern {
                    m.insert("pattern".into(), p.as_str().into());
                }
                if let Some(n) = rules.min_length {
                    m.insert("minLength".into(), n.into());
                }
                if let Some(n) = rules.max_length {
                    m.insert("maxLength".into(), n.into());
                }
                if let Some(values) = &rules.enum_values {
                    m.insert("enum".into(), values.clone().into());
                }
                if let Some(d) = &rules.delimited {
                    m.insert(
                        "x-delimited".into(),
                        json!({
                            "separator": d.separator,
                            "items": { "$ref": format!("{REF_PREFIX}{}", d.items) },
                        }),
                    );
                }
                if let Some(id) = &rules.id_of {
                    m.insert("x-id-of".into(), id.resource.as_str().into());
                    m.insert("x-id-evidence".into(), id.evidence.as_str().into());
                }
                Value::Object(m)
            }
            Schema::Integer { minimum, maximum } => {
                let mut m = Map::new();
                m.insert("type".into(), "integer".into());
                if let Some(n) = minimum {
                    m.insert("minimum".into(), (*n).into());
                }
                if let Some(n) = maximum {
                    m.insert("maximum".into(), (*n).into());
                }
                Value::Object(m)
            }
            Schema::Number => json!({ "type": "number" }),
            Schema::Boolean => json!({ "type": "boolean" }),
            Schema::Array { items, min_items } => {
                let mut m = Map::new();
                m.insert("type".into(), "array".into());
                m.insert("items".into(), items.to_json());
                if let Some(n) = min_items {
                    m.insert("minItems".into(), (*n).into());
                }
                Value::Object(m)
            }
            Schema::Object(obj) => obj.to_json(),
            Schema::Map(values) => {
                json!({ "type": "object", "additionalProperties": values.to_json() })
            }
            Schema::FreeObject => json!({ "type": "object" }),
            Schema::OneOf {
                variants,
                discriminator,
            } => {
                let mut m = Map::new();
                let refs: Vec<Value> = variants
                    .iter()
                    .map(|v| json!({ "$ref": format!("{REF_PREFIX}{v}") }))
                    .collect();
                m.insert("oneOf".into(), refs.into());
                if let Some(d) = discriminator {
                    let mapping: Map<String, Value> = d
                        .mapping
                        .iter()
                        .map(|(value, v)| (value.clone(), format!("{REF_PREFIX}{v}").into()))
                        .collect();
                    m.insert(
                        "discriminator".into(),
                        json!({ "propertyName": d.property, "mapping": mapping }),
                    );
                }
                Value::Object(m)
            }
        }
    }
}

impl ObjectSchema {
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    pub fn property_mut(&mut self, name: &str) -> Option<&mut Property> {
        self.properties.iter_mut().find(|p| p.name == name)
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), "object".into());
        let required: Vec<Value> = self
            .properties
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.as_str().into())
            .collect();
        if !required.is_empty() {
            m.insert("required".into(), required.into());
        }
        let mut props = Map::new();
        for p in &self.properties {
            props.insert(p.name.clone(), property_json(p));
        }
        m.insert("properties".into(), Value::Object(props));
        if self.additional_properties {
            m.insert("additionalProperties".into(), true.into());
        }
        Value::Object(m)
    }
}

fn property_json(p: &Property) -> Value {
    let mut inner = p.schema.to_json();
    let is_ref = matches!(p.schema, Schema::Ref(_));
    // OpenAPI 3.0 ignores siblings of `$ref`; wrap it to attach metadata.
    if is_ref && (p.nullable || p.description.is_some() || !p.extensions.is_empty()) {
        inner = json!({ "allOf": [inner] });
    }
    if let Value::Object(m) = &mut inner {
        if let Some(d) = &p.description {
            m.insert("description".into(), d.as_str().into());
        }
        if p.nullable {
            m.insert("nullable".into(), true.into());
        }
        for (k, v) in &p.extensions {
            m.insert(k.clone(), v.clone());
        }
    }
    inner
}

impl Component {
    pub fn to_json(&self) -> Value {
        let mut v = self.schema.to_json();
        if let Value::Object(m) = &mut v {
            let mut out = Map::new();
            if let Some(d) = &self.description {
                out.insert("description".into(), d.as_str().into());
            }
            out.extend(std::mem::take(m));
            for (k, val) in &self.extensions {
                out.insert(k.clone(), val.clone());
            }
            return Value::Object(out);
        }
        v
    }
}

/// Validates `value` against `schema`; returns every mismatch as `path: problem`.
pub fn validate(
    schema: &Schema,
    value: &Value,
    components: &Components,
    path: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    check(schema, value, components, path, &mut problems, 0);
    problems
}

fn check(
    schema: &Schema,
    value: &Value,
    components: &Components,
    path: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        out.push(format!("{path}: schema nesting too deep"));
        return;
    }
    let here = if path.is_empty() { "(root)" } else { path };
    match (schema, value) {
        (Schema::Any, _) => {}
        (Schema::Ref(name), v) => match components.get(name) {
            Some(c) => check(&c.schema, v, components, path, out, depth + 1),
            None => out.push(format!("{here}: unknown component `{name}`")),
        },
        (Schema::String(rules), Value::String(s)) => {
            if let Some(values) = &rules.enum_values
                && !values.iter().any(|v| v == s)
            {
                out.push(format!("{here}: `{s}` is not one of {}", values.join(", ")));
            }
            if let Some(d) = &rules.delimited {
                let values = match components.get(&d.items).map(|c| &c.schema) {
                    Some(Schema::String(StringRules {
                        enum_values: Some(values),
                        ..
                    })) => values.as_slice(),
                    _ => &[],
                };
                for part in s.split(d.separator.as_str()).map(str::trim) {
                    if !values.iter().any(|v| v == part) {
                        out.push(format!(
                            "{here}: `{part}` is not one of {}",
                            values.join(", ")
                        ));
                    }
                }
            }
            if rules.format.as_deref() == Some("uuid") && !is_uuid(s) {
                out.push(format!("{here}: `{s}` is not a UUID"));
            }
            if rules.format.as_deref() == Some("date-time") && !is_date_time(s) {
                out.push(format!("{here}: `{s}` is not an RFC 3339 date-time"));
            }
        }
        (Schema::Integer { .. }, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        (Schema::Number, Value::Number(_)) => {}
        (Schema::Boolean, Value::Bool(_)) => {}
        (Schema::Array { items, .. }, Value::Array(values)) => {
            for (i, v) in values.iter().enumerate() {
                check(
                    items,
                    v,
                    components,
                    &format!("{path}[{i}]"),
                    out,
                    depth + 1,
                );
            }
        }
        (Schema::Object(obj), Value::Object(map)) => {
            for p in &obj.properties {
                let sub = if path.is_empty() {
                    p.name.clone()
                } else {
                    format!("{path}.{}", p.name)
                };
                match map.get(&p.name) {
                    None if p.required => out.push(format!("{sub}: required but missing")),
                    None => {}
                    Some(Value::Null) if p.nullable => {}
                    Some(Value::Null) => out.push(format!("{sub}: null but not nullable")),
                    Some(v) => check(&p.schema, v, components, &sub, out, depth + 1),
                }
            }
        }
        (Schema::Map(values), Value::Object(map)) => {
            for (k, v) in map {
                check(
                    values,
                    v,
                    components,
                    &format!("{path}.{k}"),
                    out,
                    depth + 1,
                );
            }
        }
        (Schema::FreeObject, Value::Object(_)) => {}
        (
            Schema::OneOf {
                variants,
                discriminator,
            },
            whole @ Value::Object(map),
        ) => {
            if let Some(d) = discriminator {
                let value = map.get(&d.property).and_then(Value::as_str);
                match d.mapping.iter().find(|(v, _)| Some(v.as_str()) == value) {
                    Some((_, variant)) => check(
                        &Schema::Ref(variant.clone()),
                        whole,
                        components,
                        path,
                        out,
                        depth + 1,
                    ),
                    None => out.push(format!(
                        "{here}: `{}` names none of the variants",
                        d.property
                    )),
                }
                return;
            }
            let matching: Vec<&String> = variants
                .iter()
                .filter(|v| {
                    let mut problems = Vec::new();
                    let schema = Schema::Ref((*v).clone());
                    check(&schema, whole, components, path, &mut problems, depth + 1);
                    problems.is_empty()
                })
                .collect();
            if matching.len() != 1 {
                out.push(format!(
                    "{here}: matches {} of the variants {} (exactly one must match)",
                    matching.len(),
                    variants.join(", ")
                ));
            }
        }
        (expected, found) => out.push(format!(
            "{here}: expected {}, found {}",
            describe(expected),
            json_kind(found)
        )),
    }
}

fn describe(schema: &Schema) -> &'static str {
    match schema {
        Schema::Any => "anything",
        Schema::Ref(_) => "a component",
        Schema::String(_) => "a string",
        Schema::Integer { .. } => "an integer",
        Schema::Number => "a number",
        Schema::Boolean => "a boolean",
        Schema::Array { .. } => "an array",
        Schema::Object(_) | Schema::Map(_) | Schema::FreeObject | Schema::OneOf { .. } => {
            "an object"
        }
    }
}

pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(props: Vec<Property>) -> Schema {
        Schema::Object(ObjectSchema {
            properties: props,
            additional_properties: false,
        })
    }

    #[test]
    fn nullable_ref_is_wrapped_in_all_of() {
        let mut p = Property::new("cursors", Schema::Ref("Cursors".into()));
        p.nullable = true;
        let v = obj(vec![p]).to_json();
        assert_eq!(
            v["properties"]["cursors"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/Cursors" }], "nullable": true })
        );
    }

    #[test]
    fn validates_examples() {
        let mut id = Property::new(
            "id",
            Schema::String(StringRules {
                format: Some("uuid".into()),
                ..Default::default()
            }),
        );
        id.required = true;
        let mut at = Property::new(
            "at",
            Schema::String(StringRules {
                format: Some("date-time".into()),
                ..Default::default()
            }),
        );
        at.nullable = true;
        let s = obj(vec![
            id,
            at,
            Property::new(
                "n",
                Schema::Integer {
                    minimum: None,
                    maximum: None,
                },
            ),
        ]);
        let c = Components::new();
        assert!(
            validate(
                &s,
                &json!({"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "at": null}),
                &c,
                ""
            )
            .is_empty()
        );
        let problems = validate(
            &s,
            &json!({"at": "2026-04-08T15:54:52.1546567+00:00", "n": 1.5}),
            &c,
            "data",
        );
        assert_eq!(
            problems,
            [
                "data.id: required but missing",
                "data.n: expected an integer, found a number"
            ]
        );
        assert_eq!(
            validate(&s, &json!({"id": "x", "at": "yesterday"}), &c, ""),
            [
                "id: `x` is not a UUID",
                "at: `yesterday` is not an RFC 3339 date-time"
            ]
        );
    }

    #[test]
    fn date_times() {
        assert!(is_date_time("0001-01-01T00:00:00+00:00"));
        assert!(is_date_time("2024-01-15T10:30:00Z"));
        assert!(is_date_time("2026-04-08T15:54:52.1323005+00:00"));
        assert!(!is_date_time("2026-04-08 15:54:52"));
        assert!(!is_date_time("2026-04-08T15:54:52."));
    }
}
