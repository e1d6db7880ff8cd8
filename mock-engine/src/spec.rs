//! An OpenAPI 3.0 description read once into routes, parameters, request bodies and documented
//! responses.

use std::collections::{BTreeMap, HashMap};

use regex_lite::Regex;
use serde_json::Value;

/// Where a parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// One declared parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    /// The name, as declared.
    pub name: String,
    /// Path, query or header.
    pub location: Location,
    /// Whether it must be given (always for path parameters).
    pub required: bool,
    /// Its schema, unresolved.
    pub schema: Value,
    /// Whether it carries an idempotency key: a header marked `x-idempotency-key: true`, or
    /// named `Idempotency-Key`.
    pub idempotency_key: bool,
}

/// A segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A fixed segment (`contacts`).
    Literal(String),
    /// A parameter (`{id}`), by name.
    Param(String),
}

/// A documented error example of an envelope API (`{"error": {"code", "message", "details"}}`):
/// its code, message and whether it lists field details.
#[derive(Debug, Clone)]
pub struct ErrorDoc {
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// Whether `error.details` is an object.
    pub has_details: bool,
}

/// One documented response of an operation.
#[derive(Debug, Clone, Default)]
pub struct ResponseDoc {
    /// The JSON `example` of the whole body, when the response has one.
    pub example: Option<Value>,
    /// The JSON examples: `example` (named `example`), then the named `examples`' values.
    pub examples: Vec<(String, Value)>,
    /// The body's schema, unresolved.
    pub schema: Option<Value>,
    /// `x-payload-key`: the member of the body that holds the payload.
    pub payload_key: Option<String>,
    /// `data` of the JSON example, for envelope APIs (`{success, data, error, meta}`).
    pub example_data: Option<Value>,
    /// The error of the JSON example, for envelope APIs.
    pub error: Option<ErrorDoc>,
    /// The schema of `data`, for envelope responses that state it.
    pub data_schema: Option<Value>,
}

/// Pagination (`x-pagination`): the member that holds the items, and the default page size.
#[derive(Debug, Clone)]
pub struct PaginationDoc {
    /// The member holding the items.
    pub items: String,
    /// `default_page_size`, or `default_limit` for offset pagination (20 when neither is given).
    pub default_page_size: u64,
}

/// An operation's request body.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// Whether the body must be given.
    pub required: bool,
    /// The schema of its `application/json` form (`null` when it has none).
    pub json: Value,
    /// The schema of its `multipart/form-data` form, when it has one.
    pub multipart: Option<Value>,
    /// The JSON examples: `example` (named `example`) and the named `examples`' values.
    pub examples: Vec<(String, Value)>,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The method, upper case.
    pub method: String,
    /// The path template (`/v3/contacts/{id}`).
    pub template: String,
    /// The template's segments.
    pub segments: Vec<Segment>,
    /// `x-group` joined with `.` and `x-method`, e.g. `messages.send`.
    pub key: String,
    /// The operation's parameters and those of its path item.
    pub params: Vec<Param>,
    /// The request body, when the operation takes one.
    pub request_body: Option<RequestBody>,
    /// `(required, schema)` of the JSON request body.
    pub body: Option<(bool, Value)>,
    /// The responses with a numeric status.
    pub responses: BTreeMap<u16, ResponseDoc>,
    /// The responses under a status range (`2XX`) or `default`, by that key.
    pub other_responses: BTreeMap<String, ResponseDoc>,
    /// `x-pagination`.
    pub pagination: Option<PaginationDoc>,
    /// Whether a security requirement applies.
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

    /// Whether the operation declares an idempotency-key header.
    pub fn idempotent(&self) -> bool {
        self.params.iter().any(|p| p.idempotency_key)
    }

    /// The documented success response: the lowest documented `2xx`, else `2XX`.
    pub fn success_doc(&self) -> Option<&ResponseDoc> {
        self.responses
            .iter()
            .find(|(s, _)| (200..300).contains(*s))
            .map(|(_, r)| r)
            .or_else(|| self.other_responses.get("2XX"))
    }

    /// Whether the last segment of the path is a parameter (an item of a collection).
    pub fn is_item_path(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Param(_)))
    }
}

/// Result of matching a request path against the spec's templates.
#[derive(Debug)]
pub enum RouteMatch<'a> {
    /// The operation and the path parameters' values (percent-decoded).
    Found(&'a Operation, Vec<(String, String)>),
    /// A template matches, but not with this method: the methods it has.
    MethodNotAllowed(Vec<String>),
    /// No template matches.
    NotFound,
}

/// The parsed spec.
#[derive(Debug)]
pub struct Spec {
    /// The document.
    pub root: Value,
    /// Every operation, in the order of `paths`.
    pub operations: Vec<Operation>,
    patterns: HashMap<String, Regex>,
    error_codes: HashMap<String, (Option<u16>, String)>,
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
                    error_codes.insert(code.to_owned(), (Some(status), message.to_owned()));
                } else if let Some(code) = c.get("code").and_then(Value::as_str) {
                    let message = c.get("message").and_then(Value::as_str).unwrap_or("");
                    error_codes.insert(code.to_owned(), (None, message.to_owned()));
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
            let idempotency_key = location == Location::Header
                && (p.get("x-idempotency-key").and_then(Value::as_bool) == Some(true)
                    || name.eq_ignore_ascii_case("idempotency-key"));
            let param = Param {
                name: name.to_owned(),
                location,
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
                    || location == Location::Path,
                schema: p.get("schema").cloned().unwrap_or(Value::Null),
                idempotency_key,
            };
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
        let request_body = op.get("requestBody").map(|b| {
            let b = self.resolve(b);
            RequestBody {
                required: b.get("required").and_then(Value::as_bool).unwrap_or(false),
                json: b
                    .pointer("/content/application~1json/schema")
                    .cloned()
                    .unwrap_or(Value::Null),
                multipart: b.pointer("/content/multipart~1form-data/schema").cloned(),
                examples: self.examples_of(b.pointer("/content/application~1json")),
            }
        });
        let body = request_body
            .as_ref()
            .filter(|b| b.multipart.is_none() || !b.json.is_null())
            .map(|b| (b.required, b.json.clone()));
        let mut responses = BTreeMap::new();
        let mut other_responses = BTreeMap::new();
        if let Some(rs) = op.get("responses").and_then(Value::as_object) {
            for (key, r) in rs {
                let r = self.resolve(r);
                let media = r.pointer("/content/application~1json");
                let example = media.and_then(|m| m.get("example"));
                let examples = self.examples_of(media);
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
                let schema = media.and_then(|m| m.get("schema"));
                let data_schema = schema.and_then(|s| self.data_schema(s));
                let doc = ResponseDoc {
                    example: example.cloned(),
                    examples,
                    schema: schema.cloned(),
                    payload_key: r
                        .get("x-payload-key")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    example_data: example.and_then(|e| e.get("data")).cloned(),
                    error,
                    data_schema,
                };
                match key.parse::<u16>() {
                    Ok(status) => {
                        responses.insert(status, doc);
                    }
                    Err(_) => {
                        other_responses.insert(key.clone(), doc);
                    }
                }
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
                .or_else(|| p.get("default_limit"))
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
            request_body,
            body,
            responses,
            other_responses,
            pagination,
            secured,
        }
    }

    /// The examples of a media type object: its `example` (named `example`), then the values of
    /// its named `examples`.
    fn examples_of(&self, media: Option<&Value>) -> Vec<(String, Value)> {
        let Some(media) = media else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(example) = media.get("example") {
            out.push(("example".to_owned(), example.clone()));
        }
        if let Some(named) = media.get("examples").and_then(Value::as_object) {
            for (name, e) in named {
                if let Some(value) = self.resolve(e).get("value") {
                    out.push((name.clone(), value.clone()));
                }
            }
        }
        out
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

    /// Documented status and message of an error code (`x-error-codes`), when the spec gives
    /// its status.
    pub fn error_code(&self, code: &str) -> Option<(u16, &str)> {
        self.error_codes
            .get(code)
            .and_then(|(s, m)| Some(((*s)?, m.as_str())))
    }

    /// The documented message of an error code (`x-error-codes`), with or without a status.
    pub fn error_message(&self, code: &str) -> Option<&str> {
        self.error_codes.get(code).map(|(_, m)| m.as_str())
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
