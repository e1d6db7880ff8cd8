//! Type expressions of the facts files and the JSON schemas they stand for.
//!
//! ```text
//! string | integer | number | boolean   the JSON type
//! binary                                a file's bytes (`string`, format `binary`)
//! object                                an object with any members
//! any                                   any JSON value
//! Name                                  the component schema `Name`
//! T[]                                   an array of T
//! map<T>                                an object whose member values are T
//! A | B                                 exactly one of A and B (`oneOf`)
//! ```

use std::collections::BTreeSet;

use serde_json::{Value, json};

/// The schema of a type expression; `names` are the component schemas that exist.
pub fn schema(expr: &str, names: &BTreeSet<String>) -> Result<Value, String> {
    let alternatives = split_top(expr, '|');
    if alternatives.len() > 1 {
        let schemas = alternatives
            .iter()
            .map(|a| schema(a, names))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(json!({ "oneOf": schemas }));
    }
    let expr = expr.trim();
    if let Some(inner) = expr.strip_suffix("[]") {
        return Ok(json!({ "type": "array", "items": schema(inner, names)? }));
    }
    if let Some(inner) = expr
        .strip_prefix("map<")
        .and_then(|rest| rest.strip_suffix('>'))
    {
        return Ok(json!({ "type": "object", "additionalProperties": schema(inner, names)? }));
    }
    Ok(match expr {
        "string" | "integer" | "number" | "boolean" => json!({ "type": expr }),
        "binary" => json!({ "type": "string", "format": "binary" }),
        "object" => json!({ "type": "object", "additionalProperties": true }),
        "any" => json!({}),
        "" => return Err("empty type".into()),
        name if name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            if !names.contains(name) {
                return Err(format!("no schema named `{name}`"));
            }
            reference(name)
        }
        other => return Err(format!("`{other}` is not a type expression")),
    })
}

pub fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The component a schema refers to, if it is a reference.
pub fn referenced(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

/// Splits at `sep` outside `<…>`.
fn split_top(expr: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in expr.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                out.push(&expr[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&expr[start..]);
    out
}

/// Adds `extra` members to a schema; a reference is wrapped in `allOf`, since OpenAPI 3.0
/// ignores the siblings of `$ref`.
pub fn decorate(schema: Value, extra: serde_json::Map<String, Value>) -> Value {
    if extra.is_empty() {
        return schema;
    }
    let mut out = if referenced(&schema).is_some() {
        let mut m = serde_json::Map::new();
        m.insert("allOf".into(), Value::Array(vec![schema]));
        m
    } else {
        match schema {
            Value::Object(m) => m,
            other => return other,
        }
    };
    out.extend(extra);
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> BTreeSet<String> {
        ["Contact".to_string()].into_iter().collect()
    }

    #[test]
    fn expressions() {
        assert_eq!(
            schema("string[]", &names()),
            Ok(json!({"type": "array", "items": {"type": "string"}}))
        );
        assert_eq!(
            schema("string | Contact | Contact[]", &names()),
            Ok(json!({"oneOf": [
                {"type": "string"},
                {"$ref": "#/components/schemas/Contact"},
                {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}
            ]}))
        );
        assert_eq!(
            schema("map<string>", &names()),
            Ok(json!({"type": "object", "additionalProperties": {"type": "string"}}))
        );
        assert!(schema("Missing", &names()).is_err());
        assert!(schema("strng", &names()).is_err());
        assert!(schema("", &names()).is_err());
    }

    #[test]
    fn references_with_siblings_are_wrapped() {
        let mut extra = serde_json::Map::new();
        extra.insert("nullable".into(), json!(true));
        assert_eq!(
            decorate(reference("Contact"), extra.clone()),
            json!({"allOf": [{"$ref": "#/components/schemas/Contact"}], "nullable": true})
        );
        assert_eq!(
            decorate(json!({"type": "string"}), extra),
            json!({"type": "string", "nullable": true})
        );
    }
}
