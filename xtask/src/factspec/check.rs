//! Checks a documented example against the schema beside it. Every difference is a finding for
//! the conflicts report, not an error: the documents are the authority on both sides.

use serde_json::{Map, Value};

use super::types::referenced;
use crate::schema::{is_date_time, is_uuid, json_kind};

/// The differences between `example` and `schema`, each as `path: what`.
pub fn mismatches(example: &Value, schema: &Value, components: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    walk(example, schema, components, "$", &mut out, 0);
    out
}

fn walk(
    value: &Value,
    schema: &Value,
    components: &Map<String, Value>,
    path: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    if let Some(name) = referenced(schema) {
        match components.get(name) {
            Some(target) => walk(value, target, components, path, out, depth + 1),
            None => out.push(format!("{path}: no schema `{name}`")),
        }
        return;
    }
    if value.is_null() {
        if schema.get("nullable") != Some(&Value::Bool(true)) && !is_any(schema) {
            out.push(format!("{path}: null, which the schema does not allow"));
        }
        return;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            walk(value, s, components, path, out, depth + 1);
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let results: Vec<Vec<String>> = one
            .iter()
            .map(|s| {
                let mut o = Vec::new();
                walk(value, s, components, path, &mut o, depth + 1);
                o
            })
            .collect();
        let matching = results.iter().filter(|r| r.is_empty()).count();
        if matching == 0 {
            if let Some(closest) = results.into_iter().min_by_key(Vec::len) {
                out.extend(closest);
            }
        } else if matching > 1 {
            out.push(format!(
                "{path}: matches {matching} alternatives of a `oneOf`, not exactly one"
            ));
        }
    }
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let fits = match ty {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            _ => true,
        };
        if !fits {
            out.push(format!(
                "{path}: {} where the schema has {ty}",
                json_kind(value)
            ));
            return;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        out.push(format!("{path}: {value} is not one of the schema's values"));
    }
    if let (Some(format), Some(text)) =
        (schema.get("format").and_then(Value::as_str), value.as_str())
    {
        let fits = match format {
            "date-time" => is_date_time(text),
            "uuid" => is_uuid(text),
            _ => true,
        };
        if !fits {
            out.push(format!("{path}: \"{text}\" is not a {format}"));
        }
    }
    if let Some(prefix) = schema
        .get("pattern")
        .and_then(Value::as_str)
        .and_then(literal_prefix)
        && let Some(text) = value.as_str()
        && !text.starts_with(&prefix)
    {
        out.push(format!("{path}: \"{text}\" does not start with `{prefix}`"));
    }
    match value {
        Value::Object(members) => object(members, schema, components, path, out, depth),
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    walk(
                        item,
                        item_schema,
                        components,
                        &format!("{path}[{i}]"),
                        out,
                        depth + 1,
                    );
                }
            }
        }
        _ => {}
    }
}

fn object(
    members: &Map<String, Value>,
    schema: &Value,
    components: &Map<String, Value>,
    path: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    let properties = schema.get("properties").and_then(Value::as_object);
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !members.contains_key(name) {
                out.push(format!("{path}: required member `{name}` is missing"));
            }
        }
    }
    let additional = schema.get("additionalProperties");
    // Composed schemas check their members in their parts.
    let composed = schema.get("allOf").is_some() || schema.get("oneOf").is_some();
    for (name, value) in members {
        let at = format!("{path}.{name}");
        match (properties.and_then(|p| p.get(name)), additional) {
            (Some(s), _) => walk(value, s, components, &at, out, depth + 1),
            (None, Some(Value::Bool(true))) => {}
            (None, Some(s @ Value::Object(_))) => walk(value, s, components, &at, out, depth + 1),
            (None, _) if composed || is_any(schema) => {}
            (None, _) => out.push(format!("{at}: not a member of the schema")),
        }
    }
}

fn is_any(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| {
        m.keys()
            .all(|k| k == "description" || k == "nullable" || k.starts_with("x-"))
    })
}

/// The literal text a `^prefix…` pattern requires at the start, when it is plain text.
fn literal_prefix(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('^')?;
    let prefix: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!prefix.is_empty()).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_differences() {
        let components: Map<String, Value> = serde_json::from_value(json!({
            "Item": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "at": {"type": "string", "format": "date-time", "nullable": true},
                "kind": {"type": "string", "enum": ["a", "b"]}
            }}
        }))
        .expect("components");
        let schema = json!({"type": "array", "items": {"$ref": "#/components/schemas/Item"}});
        let ok = json!([{"id": "550e8400-e29b-41d4-a716-446655440000", "at": null, "kind": "a"}]);
        assert!(mismatches(&ok, &schema, &components).is_empty());
        let bad = json!([{"at": "2026-03-30T...", "kind": "c", "extra": 1}]);
        let found = mismatches(&bad, &schema, &components);
        assert_eq!(
            found,
            [
                "$[0]: required member `id` is missing",
                "$[0].at: \"2026-03-30T...\" is not a date-time",
                "$[0].kind: \"c\" is not one of the schema's values",
                "$[0].extra: not a member of the schema",
            ]
        );
    }

    #[test]
    fn one_of_needs_exactly_one() {
        let schema =
            json!({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]});
        let none = Map::new();
        assert!(mismatches(&json!("x"), &schema, &none).is_empty());
        assert_eq!(
            mismatches(&json!(1), &schema, &none),
            ["$: an integer where the schema has string"]
        );
    }
}
