//! Validation of values against a spec's schemas (the OpenAPI 3.0 subset the specs use), with
//! messages that name the field and the failure.

use serde_json::{Value, json};

use crate::spec::Spec;

/// What kind of rule a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A required member or parameter is missing.
    Required,
    /// The value has another type.
    Type,
    /// A string breaks its `format`.
    Format,
    /// A string does not match its `pattern`.
    Pattern,
    /// A number is out of range.
    Range,
    /// A string is too short or too long.
    Length,
    /// An array or object has too few or too many items or members.
    Items,
    /// The value is not one of the `enum`.
    Enum,
    /// A member the schema does not allow.
    Unknown,
}

/// One validation failure: the field (dotted path) and a message.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The field: a dotted path (`template.id`, `to[0]`), a parameter name, or `body`.
    pub field: String,
    /// What is wrong, naming the field.
    pub message: String,
    /// The rule broken.
    pub rule: Rule,
}

impl FieldError {
    /// A failure of `field` (`""` for the whole body).
    pub fn new(field: &str, rule: Rule, message: String) -> FieldError {
        FieldError {
            field: if field.is_empty() {
                "body".to_owned()
            } else {
                field.to_owned()
            },
            message,
            rule,
        }
    }
}

/// Joins a parent path and a member name.
pub fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

fn shown(path: &str) -> String {
    if path.is_empty() {
        "the request body".to_owned()
    } else {
        format!("'{path}'")
    }
}

/// The JSON type name of a value, as schemas name it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// Whether a string is a UUID in its hyphenated 8-4-4-4-12 form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a string is an email address (a practical subset of RFC 5322: a dot-atom local part
/// and a domain of at least two labels).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Whether a string is an absolute URI by the syntax of RFC 3986: a scheme, `:`, and only
/// characters a URI may contain (percent-escapes well formed).
fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c)) {
            return false;
        }
        i += 1;
    }
    scheme_ok
}

fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "uuid" => is_uuid(s),
        "date-time" => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
        }
        "email" => is_email(s),
        "uri" => is_uri(s),
        _ => true,
    }
}

fn format_message(format: &str, path: &str) -> String {
    let what = match format {
        "uuid" => "a valid UUID",
        "date-time" => "an RFC 3339 date-time",
        "email" => "a valid email address",
        "uri" => "a valid absolute URL",
        other => other,
    };
    format!("{} must be {what}", shown(path))
}

/// Validates `value` against `schema`, appending failures to `errors`.
pub fn validate(
    spec: &Spec,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    validate_depth(spec, schema, value, path, errors, 0);
}

fn validate_depth(
    spec: &Spec,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let Some(obj) = schema.as_object() else {
        return;
    };
    if obj.get("nullable").and_then(Value::as_bool) == Some(true) && value.is_null() {
        return;
    }
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#').and_then(|p| spec.root.pointer(p)) {
            validate_depth(spec, target, value, path, errors, depth + 1);
        }
        return;
    }
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate_depth(spec, s, value, path, errors, depth + 1);
        }
    }
    if let Some(variants) = obj.get("oneOf").and_then(Value::as_array) {
        validate_one_of(spec, obj, variants, value, path, errors, depth);
        return;
    }
    if let Some(expected) = obj.get("type").and_then(Value::as_str) {
        if !type_matches(expected, value) {
            let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            errors.push(FieldError::new(
                path,
                Rule::Type,
                format!(
                    "{} must be {article} {expected}, not {}",
                    shown(path),
                    type_name(value)
                ),
            ));
            return;
        }
    }
    if let Some(options) = obj.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            let list: Vec<String> = options
                .iter()
                .map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned))
                .collect();
            errors.push(FieldError::new(
                path,
                Rule::Enum,
                format!("{} must be one of: {}", shown(path), list.join(", ")),
            ));
        }
    }
    match value {
        Value::String(s) => check_string(spec, obj, s, path, errors),
        Value::Number(n) => check_number(obj, n.as_f64().unwrap_or(0.0), path, errors),
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = obj.get("minItems").and_then(Value::as_u64) {
                if len < min {
                    let msg = if min == 1 {
                        format!("{} must contain at least one item", shown(path))
                    } else {
                        format!("{} must contain at least {min} items", shown(path))
                    };
                    errors.push(FieldError::new(path, Rule::Items, msg));
                }
            }
            if let Some(max) = obj.get("maxItems").and_then(Value::as_u64) {
                if len > max {
                    errors.push(FieldError::new(
                        path,
                        Rule::Items,
                        format!("{} must contain at most {max} items", shown(path)),
                    ));
                }
            }
            if let Some(item_schema) = obj.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let p = format!("{}[{i}]", if path.is_empty() { "body" } else { path });
                    validate_depth(spec, item_schema, item, &p, errors, depth + 1);
                }
            }
        }
        Value::Object(map) => {
            if let Some(min) = obj.get("minProperties").and_then(Value::as_u64) {
                if (map.len() as u64) < min {
                    let msg = if min == 1 {
                        format!("{} must have at least one member", shown(path))
                    } else {
                        format!("{} must have at least {min} members", shown(path))
                    };
                    errors.push(FieldError::new(path, Rule::Items, msg));
                }
            }
            if let Some(required) = obj.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(name) {
                        let p = join(path, name);
                        errors.push(FieldError::new(
                            &p,
                            Rule::Required,
                            format!("'{p}' is required"),
                        ));
                    }
                }
            }
            let props = obj.get("properties").and_then(Value::as_object);
            for (name, member) in map {
                let p = join(path, name);
                match props.and_then(|ps| ps.get(name)) {
                    Some(s) => validate_depth(spec, s, member, &p, errors, depth + 1),
                    None => match obj.get("additionalProperties") {
                        Some(Value::Bool(false)) => errors.push(FieldError::new(
                            &p,
                            Rule::Unknown,
                            format!("'{p}' is not a known field"),
                        )),
                        Some(s @ Value::Object(_)) => {
                            validate_depth(spec, s, member, &p, errors, depth + 1)
                        }
                        _ => {}
                    },
                }
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// A value of a union: with a discriminator, the variant it names; without, any variant it
/// fits. Documented calls that set the members of several variants at once (the SDK pages
/// send a template's id and name together) are accepted, as the API accepts them; a value
/// that fits none reports the failures of the variant it comes closest to.
fn validate_one_of(
    spec: &Spec,
    obj: &serde_json::Map<String, Value>,
    variants: &[Value],
    value: &Value,
    path: &str,
    errors: &mut Vec<FieldError>,
    depth: usize,
) {
    if let Some(discriminator) = obj.get("discriminator") {
        let member = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mapping = discriminator.get("mapping").and_then(Value::as_object);
        let tag = value.get(member).and_then(Value::as_str);
        let chosen = match (tag, mapping) {
            (Some(tag), Some(mapping)) => mapping
                .get(tag)
                .and_then(Value::as_str)
                .map(|reference| json!({ "$ref": reference })),
            (Some(tag), None) => Some(json!({ "$ref": format!("#/components/schemas/{tag}") })),
            (None, _) => None,
        };
        match chosen {
            Some(schema) if variants.contains(&schema) => {
                validate_depth(spec, &schema, value, path, errors, depth + 1);
            }
            _ => {
                let p = join(path, member);
                let known: Vec<&str> = mapping
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                errors.push(FieldError::new(
                    &p,
                    Rule::Enum,
                    format!("{} must be one of: {}", shown(&p), known.join(", ")),
                ));
            }
        }
        return;
    }
    // The closest variant is one of the value's type, if any, then the one with the fewest
    // failures: `[{}]` against "a string, an object or an array of objects" is an array whose
    // item fails, not a value that should have been a string.
    let here = FieldError::new(path, Rule::Type, String::new()).field;
    let mut closest: Option<((bool, usize), Vec<FieldError>)> = None;
    for variant in variants {
        let mut found = Vec::new();
        validate_depth(spec, variant, value, path, &mut found, depth + 1);
        if found.is_empty() {
            return;
        }
        let wrong_type = found
            .iter()
            .any(|e| e.rule == Rule::Type && e.field == here);
        let rank = (wrong_type, found.len());
        if closest.as_ref().is_none_or(|(best, _)| rank < *best) {
            closest = Some((rank, found));
        }
    }
    errors.extend(closest.map(|(_, e)| e).unwrap_or_default());
}

fn check_string(
    spec: &Spec,
    obj: &serde_json::Map<String, Value>,
    s: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let len = s.chars().count() as u64;
    let min = obj.get("minLength").and_then(Value::as_u64);
    let max = obj.get("maxLength").and_then(Value::as_u64);
    let too_short = min.is_some_and(|m| len < m);
    let too_long = max.is_some_and(|m| len > m);
    if too_short || too_long {
        let msg = match (min, max) {
            (Some(a), Some(b)) => format!("{} must be {a}–{b} characters long", shown(path)),
            (Some(a), None) => format!("{} must be at least {a} characters long", shown(path)),
            (None, Some(b)) => format!("{} must be at most {b} characters long", shown(path)),
            (None, None) => String::new(),
        };
        errors.push(FieldError::new(path, Rule::Length, msg));
    }
    if let Some(pattern) = obj.get("pattern").and_then(Value::as_str) {
        if let Some(re) = spec.pattern(pattern) {
            if !re.is_match(s) {
                errors.push(FieldError::new(
                    path,
                    Rule::Pattern,
                    format!("{} must match the pattern {pattern}", shown(path)),
                ));
            }
        }
    }
    if let Some(format) = obj.get("format").and_then(Value::as_str) {
        if !format_ok(format, s) {
            errors.push(FieldError::new(
                path,
                Rule::Format,
                format_message(format, path),
            ));
        }
    }
}

fn check_number(
    obj: &serde_json::Map<String, Value>,
    n: f64,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let min = obj.get("minimum").and_then(Value::as_f64);
    let max = obj.get("maximum").and_then(Value::as_f64);
    let excl_min = obj.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let excl_max = obj.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
    let below = min.is_some_and(|m| if excl_min { n <= m } else { n < m });
    let above = max.is_some_and(|m| if excl_max { n >= m } else { n > m });
    if below || above {
        let msg = match (min, max) {
            (Some(a), Some(b)) => format!("{} must be between {a} and {b}", shown(path)),
            (Some(a), None) => format!("{} must be at least {a}", shown(path)),
            (None, Some(b)) => format!("{} must be at most {b}", shown(path)),
            (None, None) => String::new(),
        };
        errors.push(FieldError::new(path, Rule::Range, msg));
    }
}

/// Whether a schema allows `null` (`nullable: true` on it or on what it refers to).
fn nullable(spec: &Spec, schema: &Value) -> bool {
    let flag = |s: &Value| s.get("nullable").and_then(Value::as_bool) == Some(true);
    flag(schema) || flag(spec.resolve(schema))
}

/// Removes the members of a request body that are `null` where the schema declares an optional
/// member that is not nullable, in nested objects and array items too. Clients generated for
/// the API send `null` for the members they leave unset, and the API takes them as absent. A
/// `null` for a required member, or for a member the schema does not declare, stays (and is
/// refused by [`validate`]).
pub fn drop_null_optionals(spec: &Spec, schema: &Value, value: &mut Value) {
    drop_nulls_depth(spec, schema, value, 0);
}

fn drop_nulls_depth(spec: &Spec, schema: &Value, value: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    let schema = spec.resolve(schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            drop_nulls_depth(spec, s, value, depth + 1);
        }
    }
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        // Nulls are dropped as the variant the value then fits says (the first one, when it
        // fits none): `{"id": …, "name": null}` is a reference by id.
        let mut first = None;
        for variant in variants {
            let mut candidate = value.clone();
            drop_nulls_depth(spec, variant, &mut candidate, depth + 1);
            let mut errors = Vec::new();
            validate(spec, variant, &candidate, "", &mut errors);
            if errors.is_empty() {
                *value = candidate;
                return;
            }
            first.get_or_insert(candidate);
        }
        if let Some(first) = first {
            *value = first;
        }
        return;
    }
    match value {
        Value::Object(map) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let props = schema.get("properties").and_then(Value::as_object);
            map.retain(|name, member| {
                let Some(prop) = props.and_then(|p| p.get(name)) else {
                    return true;
                };
                !member.is_null() || required.contains(&name.as_str()) || nullable(spec, prop)
            });
            for (name, member) in map.iter_mut() {
                match props.and_then(|p| p.get(name)) {
                    Some(prop) => drop_nulls_depth(spec, prop, member, depth + 1),
                    None => {
                        if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
                            drop_nulls_depth(spec, extra, member, depth + 1);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    drop_nulls_depth(spec, item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// The primitive type a (parameter) schema declares, following `$ref` and `allOf`.
pub fn declared_type<'a>(spec: &'a Spec, schema: &'a Value) -> Option<&'a str> {
    let schema = spec.resolve(schema);
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return Some(t);
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|all| all.iter().find_map(|s| declared_type(spec, s)))
}

/// Converts a parameter's text to the JSON value its schema describes.
pub fn coerce(spec: &Spec, schema: &Value, raw: &str, name: &str) -> Result<Value, FieldError> {
    let bad = |what: &str| FieldError::new(name, Rule::Type, format!("'{name}' must be {what}"));
    match declared_type(spec, schema) {
        Some("integer") => match raw.parse::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            // Integers beyond 64 bits are still integers; they are kept as (saturated) numbers.
            Err(_) if is_integer_text(raw) => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| bad("an integer")),
            Err(_) => Err(bad("an integer")),
        },
        Some("number") => raw
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| bad("a number")),
        Some("boolean") => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad("true or false")),
        },
        _ => Ok(Value::String(raw.to_owned())),
    }
}

fn is_integer_text(raw: &str) -> bool {
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `value` satisfies `schema`.
pub fn conforms(spec: &Spec, schema: &Value, value: &Value) -> bool {
    let mut errors = Vec::new();
    validate(spec, schema, value, "", &mut errors);
    errors.is_empty()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const SPEC: &str = r##"{
      "openapi": "3.0.3",
      "paths": {},
      "components": {"schemas": {
        "Fields": {"type": "object", "minProperties": 1, "additionalProperties": true,
                   "properties": {"email": {"type": "string", "format": "email"}}},
        "To": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Fields"},
                          {"type": "array", "items": {"$ref": "#/components/schemas/Fields"}}]}
      }}
    }"##;

    fn errors(schema: &str, value: Value) -> Vec<(String, Rule, String)> {
        let spec = Spec::parse(SPEC);
        let mut errors = Vec::new();
        let schema = json!({ "$ref": format!("#/components/schemas/{schema}") });
        validate(&spec, &schema, &value, "", &mut errors);
        errors
            .into_iter()
            .map(|e| (e.field, e.rule, e.message))
            .collect()
    }

    #[test]
    fn formats() {
        assert!(is_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
        assert!(!is_uuid("6ba7b8109dad11d180b400c04fd430c8"));
        assert!(is_email("a.b+c@example.co"));
        assert!(!is_email("a@b"));
        assert!(format_ok("uri", "http://127.0.0.1:8080/x"));
        assert!(!format_ok("uri", "not a url"));
        assert!(format_ok("uri", "HTTP://"));
        assert!(!format_ok("uri", "http://a b"));
        assert!(!format_ok("uri", "http://x/%zz"));
        assert!(format_ok("date-time", "2026-04-08T15:54:52.1323005+00:00"));
    }

    #[test]
    fn objects_need_their_minimum_of_members() {
        let e = errors("Fields", json!({}));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].1, Rule::Items);
        assert_eq!(e[0].2, "the request body must have at least one member");
        assert!(errors("Fields", json!({"anything": 1})).is_empty());
    }

    #[test]
    fn unions_without_a_tag_take_any_variant_that_fits() {
        assert!(errors("To", json!("user@example.com")).is_empty());
        assert!(errors("To", json!({"email": "user@example.com"})).is_empty());
        assert!(errors("To", json!([{"email": "a@example.com"}, {"x": 1}])).is_empty());
        // Fits none: the failures of the closest variant.
        let e = errors("To", json!([{}]));
        assert_eq!(e[0].0, "body[0]");
        let e = errors("To", json!({"email": "nope"}));
        assert_eq!(e[0].0, "email");
        assert_eq!(e[0].2, "'email' must be a valid email address");
    }
}
