//! The OpenAPI description the mock serves, read once into routes, parameters, bodies and
//! documented responses.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use regex_lite::Regex;
use serde_json::Value;

/// The spec as shipped with the crate (kept identical to `spec/openapi.json`).
const SPEC_JSON: &str = include_str!("../openapi.json");

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
}

/// One declared parameter of an operation.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub name: String,
    pub location: Location,
    pub required: bool,
    pub schema: Value,
}

/// A segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
}

/// A documented error example: its code, message and whether it lists field details.
#[derive(Debug, Clone)]
pub(crate) struct ErrorDoc {
    pub code: String,
    pub message: String,
    pub has_details: bool,
}

/// One documented response of an operation.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseDoc {
    /// `data` of the JSON example, when the response has one.
    pub example_data: Option<Value>,
    /// The error of the JSON example, when it has one.
    pub error: Option<ErrorDoc>,
    /// The schema of `data`, for envelope responses that state it.
    pub data_schema: Option<Value>,
}

/// Page-number pagination (`x-pagination`).
#[derive(Debug, Clone)]
pub(crate) struct PaginationDoc {
    pub items: String,
    pub default_page_size: u64,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub method: String,
    pub template: String,
    pub segments: Vec<Segment>,
    /// `x-group` joined with `.` and `x-method`, e.g. `messages.send`.
    pub key: String,
    pub params: Vec<Param>,
    pub body: Option<(bool, Value)>,
    pub responses: BTreeMap<u16, ResponseDoc>,
    pub pagination: Option<PaginationDoc>,
    pub secured: bool,
}

impl Operation {
    /// Whether the operation documents `status`.
    pub fn documents(&self, status: u16) -> bool {
        self.responses.contains_key(&status)
    }

    /// The success status the mock answers with: the 2xx whose example carries data, else the
    /// lowest documented 2xx.
    pub fn success_status(&self) -> u16 {
        let mut two_xx = self
            .responses
            .iter()
            .filter(|(s, _)| (200..300).contains(*s));
        let first = two_xx.clone().next().map(|(s, _)| *s).unwrap_or(200);
        two_xx
            .find(|(_, r)| r.example_data.as_ref().is_some_and(|d| !d.is_null()))
            .map(|(s, _)| *s)
            .unwrap_or(first)
    }

    /// The documented success response.
    pub fn success(&self) -> Option<&ResponseDoc> {
        self.responses.get(&self.success_status())
    }

    /// The example error documented for `status`.
    pub fn error_doc(&self, status: u16) -> Option<&ErrorDoc> {
        self.responses.get(&status).and_then(|r| r.error.as_ref())
    }

    /// Whether the operation declares the `Idempotency-Key` header.
    pub fn idempotent(&self) -> bool {
        self.params.iter().any(|p| {
            p.location == Location::Header && p.name.eq_ignore_ascii_case("idempotency-key")
        })
    }

    /// Whether the last segment of the path is a parameter (an item of a collection).
    pub fn is_item_path(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Param(_)))
    }
}

/// Result of matching a request path against the spec's templates.
#[derive(Debug)]
pub(crate) enum RouteMatch<'a> {
    Found(&'a Operation, Vec<(String, String)>),
    MethodNotAllowed(Vec<String>),
    NotFound,
}

/// The parsed spec.
#[derive(Debug)]
pub(crate) struct Spec {
    pub root: Value,
    pub operations: Vec<Operation>,
    patterns: HashMap<String, Regex>,
    error_codes: HashMap<String, (u16, String)>,
}

/// The spec shipped with the crate, parsed once.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_JSON))
}

impl Spec {
    /// Parses a spec document. A document that is not JSON yields a spec without operations.
    pub fn parse(text: &str) -> Spec {
        let root: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let mut patterns = HashMap::new();
        collect_patterns(&root, &mut patterns);
        let mut error_codes = HashMap::new();
        if let Some(codes) = root.get("x-error-codes").and_then(Value::as_array) {
            for c in codes {
                if let (Some(code), Some(status), Some(message)) = (
                    c.get("code").and_then(Value::as_str),
                    c.get("status").and_then(Value::as_u64),
                    c.get("message").and_then(Value::as_str),
                ) {
                    let status = u16::try_from(status).unwrap_or(500);
                    error_codes.insert(code.to_owned(), (status, message.to_owned()));
                }
            }
        }
        let mut spec = Spec {
            root,
            operations: Vec::new(),
            patterns,
            error_codes,
        };
        spec.operations = spec.read_operations();
        spec
    }

    fn read_operations(&self) -> Vec<Operation> {
        let mut ops = Vec::new();
        let global_security = self
            .root
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty());
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return ops;
        };
        for (template, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            let shared: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (method, op) in item {
                if !matches!(
                    method.as_str(),
                    "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace"
                ) {
                    continue;
                }
                ops.push(self.read_operation(template, method, op, &shared, global_security));
            }
        }
        ops
    }

    fn read_operation(
        &self,
        template: &str,
        method: &str,
        op: &Value,
        shared: &[Value],
        global_security: bool,
    ) -> Operation {
        let segments = template
            .split('/')
            .skip(1)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        let mut params: Vec<Param> = Vec::new();
        let own = op.get("parameters").and_then(Value::as_array);
        for raw in shared.iter().chain(own.into_iter().flatten()) {
            let p = self.resolve(raw);
            let (Some(name), Some(location)) = (
                p.get("name").and_then(Value::as_str),
                p.get("in").and_then(Value::as_str),
            ) else {
                continue;
            };
            let location = match location {
                "path" => Location::Path,
                "query" => Location::Query,
                "header" => Location::Header,
                _ => continue,
            };
            let param = Param {
                name: name.to_owned(),
                location,
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
                    || location == Location::Path,
                schema: p.get("schema").cloned().unwrap_or(Value::Null),
            };
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
        let body = op.get("requestBody").map(|b| {
            let b = self.resolve(b);
            let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = b
                .pointer("/content/application~1json/schema")
                .cloned()
                .unwrap_or(Value::Null);
            (required, schema)
        });
        let mut responses = BTreeMap::new();
        if let Some(rs) = op.get("responses").and_then(Value::as_object) {
            for (status, r) in rs {
                let Ok(status) = status.parse::<u16>() else {
                    continue;
                };
                let r = self.resolve(r);
                let media = r.pointer("/content/application~1json");
                let example = media.and_then(|m| m.get("example"));
                let error = example.and_then(|e| e.get("error")).and_then(|e| {
                    Some(ErrorDoc {
                        code: e.get("code")?.as_str()?.to_owned(),
                        message: e
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        has_details: e.get("details").is_some_and(Value::is_object),
                    })
                });
                let data_schema = media
                    .and_then(|m| m.get("schema"))
                    .and_then(|s| self.data_schema(s));
                responses.insert(
                    status,
                    ResponseDoc {
                        example_data: example.and_then(|e| e.get("data")).cloned(),
                        error,
                        data_schema,
                    },
                );
            }
        }
        let mut key: Vec<String> = op
            .get("x-group")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(m) = op.get("x-method").and_then(Value::as_str) {
            key.push(m.to_owned());
        }
        let pagination = op.get("x-pagination").map(|p| PaginationDoc {
            items: p
                .get("items")
                .and_then(Value::as_str)
                .unwrap_or("items")
                .to_owned(),
            default_page_size: p
                .get("default_page_size")
                .and_then(Value::as_u64)
                .unwrap_or(20),
        });
        let secured = match op.get("security").and_then(Value::as_array) {
            Some(s) => !s.is_empty(),
            None => global_security,
        };
        Operation {
            method: method.to_ascii_uppercase(),
            template: template.to_owned(),
            segments,
            key: key.join("."),
            params,
            body,
            responses,
            pagination,
            secured,
        }
    }

    /// The schema of `data` inside an envelope response schema.
    fn data_schema(&self, schema: &Value) -> Option<Value> {
        let schema = self.resolve(schema);
        if let Some(data) = schema.pointer("/properties/data") {
            if data.get("nullable").and_then(Value::as_bool) == Some(true)
                && data.as_object().is_some_and(|o| o.len() == 1)
            {
                return None;
            }
            return Some(data.clone());
        }
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().rev().find_map(|s| self.data_schema(s)))
    }

    /// Follows `$ref` (repeatedly) to the schema or object it names.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut current = value;
        for _ in 0..32 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                    Some(target) => current = target,
                    None => return current,
                },
                None => return current,
            }
        }
        current
    }

    /// The compiled form of a schema `pattern`.
    pub fn pattern(&self, pattern: &str) -> Option<&Regex> {
        self.patterns.get(pattern)
    }

    /// Documented status and message of an error code (`x-error-codes`).
    pub fn error_code(&self, code: &str) -> Option<(u16, &str)> {
        self.error_codes.get(code).map(|(s, m)| (*s, m.as_str()))
    }

    /// The first documented error code with `status`, in the order of `x-error-codes`.
    pub fn code_for_status(&self, status: u16) -> Option<&str> {
        self.root
            .get("x-error-codes")
            .and_then(Value::as_array)?
            .iter()
            .find(|c| c.get("status").and_then(Value::as_u64) == Some(u64::from(status)))
            .and_then(|c| c.get("code"))
            .and_then(Value::as_str)
    }

    /// Finds the operation for a method and a request path.
    pub fn route(&self, method: &str, path: &str) -> RouteMatch<'_> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        if !path.starts_with('/') {
            return RouteMatch::NotFound;
        }
        // Among the templates that match, the one with the most literal segments wins, so
        // `/v3/webhooks/event-types` is preferred over `/v3/webhooks/{id}`.
        let mut best: Option<(usize, &str)> = None;
        for op in &self.operations {
            if op.segments.len() != parts.len() {
                continue;
            }
            let mut literals = 0;
            let matched = op.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                Segment::Literal(l) => {
                    literals += 1;
                    l == part
                }
                Segment::Param(_) => !part.is_empty(),
            });
            if matched && best.is_none_or(|(score, _)| literals > score) {
                best = Some((literals, op.template.as_str()));
            }
        }
        let Some((_, template)) = best else {
            return RouteMatch::NotFound;
        };
        let same_template = || self.operations.iter().filter(|o| o.template == template);
        match same_template().find(|o| o.method == method) {
            Some(op) => {
                let params = op
                    .segments
                    .iter()
                    .zip(&parts)
                    .filter_map(|(seg, part)| match seg {
                        Segment::Param(name) => Some((
                            name.clone(),
                            percent_encoding::percent_decode_str(part)
                                .decode_utf8_lossy()
                                .into_owned(),
                        )),
                        Segment::Literal(_) => None,
                    })
                    .collect();
                RouteMatch::Found(op, params)
            }
            None => {
                RouteMatch::MethodNotAllowed(same_template().map(|o| o.method.clone()).collect())
            }
        }
    }

    /// The operation with a given method and template.
    pub fn operation(&self, method: &str, template: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.method == method && o.template == template)
    }
}

fn collect_patterns(value: &Value, out: &mut HashMap<String, Regex>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get("pattern") {
                if let Ok(re) = Regex::new(p) {
                    out.insert(p.clone(), re);
                }
            }
            for v in map.values() {
                collect_patterns(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn reads_every_operation() {
        let spec = spec();
        let declared: usize = spec.root["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "parameters")
                    .count()
            })
            .sum();
        assert!(declared >= 40);
        assert_eq!(spec.operations.len(), declared);
        assert!(spec.operations.iter().all(|o| o.secured));
    }

    #[test]
    fn literal_segments_win() {
        let spec = spec();
        match spec.route("GET", "/v3/webhooks/event-types") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.template, "/v3/webhooks/event-types");
                assert!(params.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match spec.route("GET", "/v3/webhooks/abc") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.template, "/v3/webhooks/{id}");
                assert_eq!(params, vec![("id".to_owned(), "abc".to_owned())]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            spec.route("GET", "/v3/nothing"),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            spec.route("PATCH", "/v3/messages"),
            RouteMatch::MethodNotAllowed(_)
        ));
    }

    #[test]
    fn success_statuses_and_data_schemas() {
        let spec = spec();
        let send = spec.operation("POST", "/v3/messages").unwrap();
        assert_eq!(send.success_status(), 202);
        assert_eq!(send.key, "messages.send");
        assert!(send.success().unwrap().data_schema.is_some());
        let complete = spec
            .operation("POST", "/v3/profiles/{profileId}/complete")
            .unwrap();
        assert_eq!(complete.success_status(), 202);
        let delete = spec.operation("DELETE", "/v3/contacts/{id}").unwrap();
        assert_eq!(delete.success_status(), 204);
        assert_eq!(
            spec.operation("POST", "/v3/messages")
                .unwrap()
                .error_doc(400)
                .unwrap()
                .code,
            "VALIDATION_004"
        );
    }
}
