//! Checking a request's parameters and JSON body against its operation.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::schema::{self, FieldError, Rule};
use crate::spec::{Location, Operation, Spec};

/// A validation failure and where it came from.
#[derive(Debug)]
pub struct Failure {
    /// What failed.
    pub error: FieldError,
    /// The parameter's location, or `None` for the body.
    pub location: Option<Location>,
    /// Whether the failing parameter is the idempotency-key header.
    pub idempotency_key: bool,
}

/// The request's parameters and body, converted and checked.
#[derive(Debug, Default)]
pub struct Validated {
    /// The query parameters the operation declares, converted to their schemas' types.
    pub query: Map<String, Value>,
    /// The JSON body, with `null` optional members left out.
    pub body: Option<Value>,
    /// The idempotency-key header, when the operation declares one and it was given.
    pub idempotency_key: Option<String>,
}

/// Checks the path parameters (as routed), query, headers and JSON body of a request against
/// its operation. A body of another media type (a multipart upload) is the caller's to check.
///
/// # Errors
///
/// Every failure found, when there is one.
pub fn validate(
    spec: &Spec,
    op: &Operation,
    path_params: &[(String, String)],
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<Validated, Vec<Failure>> {
    let mut failures = Vec::new();
    let mut out = Validated::default();
    let pairs: Vec<(String, String)> = query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    for p in &op.params {
        let values: Vec<String> = match p.location {
            Location::Path => path_params
                .iter()
                .filter(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
                .collect(),
            Location::Query => pairs
                .iter()
                .filter(|(n, _)| *n == p.name)
                .map(|(_, v)| v.clone())
                .collect(),
            Location::Header => headers
                .get_all(p.name.as_str())
                .iter()
                .map(|v| match v.to_str() {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(v.as_bytes()).into_owned() + "\u{fffd}",
                })
                .collect(),
        };
        let idem = p.idempotency_key;
        let mut fail = |error: FieldError| {
            failures.push(Failure {
                error,
                location: Some(p.location),
                idempotency_key: idem,
            });
        };
        let raw = match values.as_slice() {
            [] => {
                if p.required {
                    fail(FieldError {
                        field: p.name.clone(),
                        message: format!("'{}' is required", p.name),
                        rule: Rule::Required,
                    });
                }
                continue;
            }
            [one] => one,
            [..] if schema::declared_type(spec, &p.schema) != Some("array") => {
                fail(FieldError {
                    field: p.name.clone(),
                    message: format!("'{}' must be given once", p.name),
                    rule: Rule::Type,
                });
                continue;
            }
            [first, ..] => first,
        };
        let value = match schema::coerce(spec, &p.schema, raw, &p.name) {
            Ok(v) => v,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let mut errors = Vec::new();
        schema::validate(spec, &p.schema, &value, &p.name, &mut errors);
        if errors.is_empty() {
            match p.location {
                Location::Query => {
                    out.query.insert(p.name.clone(), value);
                }
                Location::Header if idem => out.idempotency_key = Some(raw.clone()),
                _ => {}
            }
        }
        errors.into_iter().for_each(&mut fail);
    }
    if let Some((required, body_schema)) = &op.body {
        let text = std::str::from_utf8(body).map(str::trim);
        match text {
            Ok("") => {
                if *required {
                    failures.push(Failure {
                        error: FieldError {
                            field: "body".into(),
                            message: "A JSON request body is required".into(),
                            rule: Rule::Required,
                        },
                        location: None,
                        idempotency_key: false,
                    });
                }
            }
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(mut value) => {
                    schema::drop_null_optionals(spec, body_schema, &mut value);
                    let mut errors = Vec::new();
                    schema::validate(spec, body_schema, &value, "", &mut errors);
                    failures.extend(errors.into_iter().map(|error| Failure {
                        error,
                        location: None,
                        idempotency_key: false,
                    }));
                    out.body = Some(value);
                }
                Err(e) => failures.push(Failure {
                    error: FieldError {
                        field: "body".into(),
                        message: format!("The request body is not valid JSON: {e}"),
                        rule: Rule::Type,
                    },
                    location: None,
                    idempotency_key: false,
                }),
            },
            Err(_) => failures.push(Failure {
                error: FieldError {
                    field: "body".into(),
                    message: "The request body is not valid UTF-8".into(),
                    rule: Rule::Type,
                },
                location: None,
                idempotency_key: false,
            }),
        }
    }
    if failures.is_empty() {
        Ok(out)
    } else {
        Err(failures)
    }
}
