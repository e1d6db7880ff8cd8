//! The SendSeven API on the engine: authentication, routing, the two operations, and the signed
//! URLs of uploaded files.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use regex_lite::Regex;
use sentdm_mock_engine::pipeline::{Api, Request};
use sentdm_mock_engine::reply::{new_id, random_hex, random_id, timestamp_z};
use sentdm_mock_engine::spec::{Operation, RouteMatch, Spec};
use sentdm_mock_engine::validate::validate;
use sentdm_mock_engine::{BodyLimit, FaultRegistry, Reply, RequestLog, lock};
use serde_json::{Value, json};

use crate::state::{ApiToken, RecordedMessage, Store, StoredAttachment};

/// The spec as shipped with the crate (kept identical to `spec/sendseven/openapi.json`).
pub(crate) const SPEC_JSON: &str = include_str!("../openapi.json");

/// The spec shipped with the crate, parsed once.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_JSON))
}

/// The path of the spec's server URL (`/api/v1`), under which the operations' paths are.
pub(crate) fn base_path(spec: &Spec) -> String {
    let url = spec
        .root
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map(|i| after_scheme[i..].trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

/// What the security schemes say: the bearer token's documented format and the tenant header.
#[derive(Debug)]
pub(crate) struct AuthRules {
    pub token_pattern: Option<Regex>,
    pub token_format: String,
    pub tenant_header: String,
}

impl AuthRules {
    fn of(spec: &Spec) -> AuthRules {
        let schemes = spec
            .root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let mut rules = AuthRules {
            token_pattern: None,
            token_format: String::new(),
            tenant_header: "X-Tenant-ID".to_owned(),
        };
        for scheme in schemes.into_iter().flat_map(|s| s.values()) {
            match scheme.get("type").and_then(Value::as_str) {
                Some("http") => {
                    rules.token_pattern = scheme
                        .get("x-pattern")
                        .and_then(Value::as_str)
                        .and_then(|p| Regex::new(p).ok());
                    rules.token_format = scheme
                        .get("bearerFormat")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                }
                Some("apiKey") if scheme.get("in").and_then(Value::as_str) == Some("header") => {
                    if let Some(name) = scheme.get("name").and_then(Value::as_str) {
                        name.clone_into(&mut rules.tenant_header);
                    }
                }
                _ => {}
            }
        }
        rules
    }
}

/// The upload's accepted types, each with its size limit and file extensions
/// (`x-max-bytes`, `x-file-extensions` of the multipart schema's binary member).
#[derive(Debug, Default)]
pub(crate) struct UploadRules {
    /// The part that carries the file (`file`).
    pub part: String,
    pub max_bytes: BTreeMap<String, u64>,
    pub extensions: BTreeMap<String, Vec<String>>,
}

impl UploadRules {
    fn of(spec: &Spec) -> UploadRules {
        let mut rules = UploadRules::default();
        let Some(schema) = spec
            .operations
            .iter()
            .find_map(|o| o.request_body.as_ref()?.multipart.as_ref())
        else {
            return rules;
        };
        let schema = spec.resolve(schema);
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return rules;
        };
        for (name, prop) in props {
            let prop = spec.resolve(prop);
            if prop.get("format").and_then(Value::as_str) != Some("binary") {
                continue;
            }
            name.clone_into(&mut rules.part);
            if let Some(limits) = prop.get("x-max-bytes").and_then(Value::as_object) {
                for (ty, n) in limits {
                    if let Some(n) = n.as_u64() {
                        rules.max_bytes.insert(ty.clone(), n);
                    }
                }
            }
            if let Some(exts) = prop.get("x-file-extensions").and_then(Value::as_object) {
                for (ty, list) in exts {
                    let list = list
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .collect();
                    rules.extensions.insert(ty.clone(), list);
                }
            }
        }
        rules
    }

    /// The largest limit of any type.
    pub fn largest(&self) -> u64 {
        self.max_bytes.values().copied().max().unwrap_or(0)
    }

    /// The accepted type a file extension (`.jpg`, lower case) belongs to.
    fn type_of_extension(&self, ext: &str) -> Option<&str> {
        self.extensions
            .iter()
            .find(|(_, list)| list.iter().any(|e| e == ext))
            .map(|(ty, _)| ty.as_str())
    }
}

/// The extension of a file name, lower case with its dot (`.jpg`).
fn extension(filename: &str) -> Option<String> {
    let (stem, ext) = filename.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| format!(".{}", ext.to_ascii_lowercase()))
}

/// Bytes as the documents write sizes (`16 MB`, with MB = 2^20 bytes as the spec reads it).
fn megabytes(n: u64) -> String {
    format!("{} MB", n / (1024 * 1024))
}

/// Everything a server's requests share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub spec: &'static Spec,
    pub base_path: String,
    pub auth: AuthRules,
    pub uploads: UploadRules,
    pub tokens: Mutex<Vec<ApiToken>>,
    pub store: Mutex<Store>,
    /// What the store holds at the start, and again after a reset.
    pub initial: Store,
    /// Whether documented requests are answered with the documented responses.
    pub documented_answers: bool,
    pub faults: FaultRegistry,
    pub requests: RequestLog,
}

impl Shared {
    pub fn new(tokens: Vec<ApiToken>, initial: Store, documented_answers: bool) -> Shared {
        let spec = spec();
        Shared {
            spec,
            base_path: base_path(spec),
            auth: AuthRules::of(spec),
            uploads: UploadRules::of(spec),
            tokens: Mutex::new(tokens),
            store: Mutex::new(initial.clone()),
            initial,
            documented_answers,
            faults: FaultRegistry::default(),
            requests: RequestLog::default(),
        }
    }
}

/// An error response: `{detail, status_code}`.
pub(crate) fn error(status: u16, detail: &str) -> Reply {
    Reply::json(status, &json!({ "detail": detail, "status_code": status }))
}

/// The success status of both operations. The documents show the bodies without a status and
/// list 200 Success and 201 Created; both operations create a resource.
const CREATED: u16 = 201;

impl Api for Shared {
    type Extra = ();

    fn spec(&self) -> &Spec {
        self.spec
    }

    fn base_path(&self) -> &str {
        &self.base_path
    }

    fn faults(&self) -> &FaultRegistry {
        &self.faults
    }

    fn log(&self) -> &RequestLog {
        &self.requests
    }

    /// Uploads up to the largest documented limit are read whole; a larger body is drained and
    /// refused with 413.
    fn body_limit(&self) -> BodyLimit {
        let largest = usize::try_from(self.uploads.largest()).unwrap_or(usize::MAX);
        BodyLimit::drain_over(largest.saturating_add(1024 * 1024))
    }

    fn error_reply(&self, status: u16, _request: &Request) -> Reply {
        let detail = match status {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            413 => "Payload Too Large",
            415 => "Unsupported Media Type",
            429 => "Rate limit exceeded",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Error",
        };
        error(status, detail)
    }

    async fn process(&self, request: &Request, slow: Option<Duration>) -> (Reply, Option<()>) {
        if let Some(d) = slow {
            tokio::time::sleep(d).await;
        }
        (self.answer(request).await, None)
    }

    fn finish(&self, reply: Reply, _extra: Option<()>, _request: &Request) -> Reply {
        reply
    }
}

impl Shared {
    async fn answer(&self, request: &Request) -> Reply {
        let Some(path) = request
            .path
            .strip_prefix(self.base_path.as_str())
            .filter(|p| p.starts_with('/'))
        else {
            return error(
                404,
                &format!("Not Found: the API is under {}", self.base_path),
            );
        };
        if let Some(reply) = self.download(request, path) {
            return reply;
        }
        let (op, params) = match self.spec.route(&request.method, path) {
            RouteMatch::Found(op, params) => (op, params),
            RouteMatch::NotFound => return error(404, "Not Found"),
            RouteMatch::MethodNotAllowed(allowed) => {
                return error(405, "Method Not Allowed").with_header("Allow", allowed.join(", "));
            }
        };
        let token = match self.authenticate(request, op) {
            Ok(token) => token,
            Err(reply) => return reply,
        };
        match op.key.as_str() {
            "messages.send" => self.send(request, op, &params, &token),
            "attachments.upload" => self.upload(request, &token).await,
            _ => error(404, "Not Found"),
        }
    }

    /// Bearer token, then tenant, then the operation's scope. The documents: 401 for an invalid
    /// or expired token, 403 for a token without the scope. They do not say what a missing or
    /// foreign `X-Tenant-ID` gets: a missing one is a missing credential (401), one the token
    /// does not belong to is refused (403).
    fn authenticate(&self, request: &Request, op: &Operation) -> Result<ApiToken, Reply> {
        if request.header("authorization").is_none() {
            return Err(error(
                401,
                "Authentication credentials were not provided: send Authorization: Bearer <token>",
            ));
        }
        let Some(token) = request.bearer_token() else {
            return Err(error(
                401,
                "The Authorization header must be 'Bearer <token>'",
            ));
        };
        if let Some(pattern) = &self.auth.token_pattern {
            if !pattern.is_match(&token) {
                return Err(error(
                    401,
                    &format!("Invalid token format: expected {}", self.auth.token_format),
                ));
            }
        }
        let Some(known) = lock(&self.tokens)
            .iter()
            .find(|t| t.token == token)
            .cloned()
        else {
            return Err(error(401, "Invalid or expired token"));
        };
        let header = &self.auth.tenant_header;
        let Some(tenant) = request.header(header).filter(|t| !t.trim().is_empty()) else {
            return Err(error(401, &format!("Missing {header} header")));
        };
        if tenant.trim() != known.tenant_id {
            return Err(error(
                403,
                &format!("The token does not belong to tenant '{}'", tenant.trim()),
            ));
        }
        if let Some(scope) = required_scope(op) {
            if !known.scopes.iter().any(|s| s == scope) {
                return Err(error(403, &format!("The token lacks the '{scope}' scope")));
            }
        }
        Ok(known)
    }

    /// `POST /messages`.
    fn send(
        &self,
        request: &Request,
        op: &Operation,
        params: &[(String, String)],
        token: &ApiToken,
    ) -> Reply {
        let validated = match validate(
            self.spec,
            op,
            params,
            &request.headers,
            request.query.as_deref(),
            &request.body,
        ) {
            Ok(v) => v,
            Err(failures) => {
                let messages: Vec<String> = failures.into_iter().map(|f| f.error.message).collect();
                return error(400, &messages.join("; "));
            }
        };
        if request.oversize.is_some() {
            return error(400, "The request body is too large");
        }
        let body = validated.body.unwrap_or(Value::Null);
        let tenant = token.tenant_id.as_str();
        if self.documented_answers {
            if let Some(answer) = documented_answer(op, &body) {
                self.record(token, &body, &answer);
                return Reply::json(CREATED, &answer);
            }
        }
        let text = |member: &str| body.get(member).and_then(Value::as_str);
        let conversation = text("conversation_id").unwrap_or_default();
        let kind = text("message_type").unwrap_or_default();
        let store = lock(&self.store);
        if !store.has_conversation(tenant, conversation) {
            return error(404, &format!("Conversation '{conversation}' not found"));
        }
        let mut message = json!({
            "id": random_id("msg_", 12).to_ascii_lowercase(),
            "conversation_id": conversation,
            "direction": "outbound",
            "message_type": kind,
        });
        if let Some(text) = text("text") {
            message["text"] = json!(text);
        }
        if kind != "text" {
            let mut attached = Vec::new();
            for id in body
                .get("attachments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let Some(a) = store.attachment(tenant, id) else {
                    return error(400, &format!("Attachment '{id}' not found"));
                };
                if media_kind(&a.content_type) != Some(kind) {
                    return error(
                        400,
                        &format!(
                            "Attachment '{id}' is {}, which a message of type '{kind}' cannot carry",
                            a.content_type
                        ),
                    );
                }
                attached.push(a.json());
            }
            message["attachments"] = Value::Array(attached);
        }
        drop(store);
        message["status"] = json!("pending");
        message["created_at"] = json!(timestamp_z(SystemTime::now()));
        self.record(token, &body, &message);
        Reply::json(CREATED, &message)
    }

    fn record(&self, token: &ApiToken, request: &Value, message: &Value) {
        lock(&self.store).messages.push(RecordedMessage {
            api_token: token.token.clone(),
            tenant_id: token.tenant_id.clone(),
            request: request.clone(),
            message: message.clone(),
            at: SystemTime::now(),
        });
    }

    /// `POST /attachments`: one `file` part, of an accepted type (else 415) within its size
    /// limit (else 413).
    async fn upload(&self, request: &Request, token: &ApiToken) -> Reply {
        let rules = &self.uploads;
        if let Some(total) = request.oversize {
            return error(
                413,
                &format!(
                    "File too large: the request has {total} bytes; no accepted type may exceed {} bytes ({})",
                    rules.largest(),
                    megabytes(rules.largest())
                ),
            );
        }
        let part = match read_part(request, &rules.part).await {
            Ok(part) => part,
            Err(reply) => return reply,
        };
        let ext = part.filename.as_deref().and_then(extension);
        let declared = part
            .content_type
            .filter(|t| t != "application/octet-stream");
        let Some(content_type) = declared.clone().or_else(|| {
            ext.as_deref()
                .and_then(|e| rules.type_of_extension(e))
                .map(str::to_owned)
        }) else {
            let accepted: Vec<&str> = rules
                .extensions
                .values()
                .flatten()
                .map(String::as_str)
                .collect();
            return error(
                415,
                &format!(
                    "Unsupported file type: give the part a Content-Type or a file name with one of the accepted extensions ({})",
                    accepted.join(", ")
                ),
            );
        };
        let Some(&limit) = rules.max_bytes.get(&content_type) else {
            let accepted: Vec<&str> = rules.max_bytes.keys().map(String::as_str).collect();
            return error(
                415,
                &format!(
                    "Unsupported media type '{content_type}': accepted are {}",
                    accepted.join(", ")
                ),
            );
        };
        if let (Some(ext), Some(allowed)) = (&ext, rules.extensions.get(&content_type)) {
            if declared.is_some() && !allowed.contains(ext) {
                return error(
                    415,
                    &format!(
                        "The file name's extension '{ext}' is not one of {content_type}'s ({})",
                        allowed.join(", ")
                    ),
                );
            }
        }
        let size = part.bytes.len() as u64;
        if size > limit {
            return error(
                413,
                &format!(
                    "File too large: {size} bytes; {content_type} files may be at most {limit} bytes ({})",
                    megabytes(limit)
                ),
            );
        }
        let id = new_id();
        let signature = random_hex(16);
        let host = request
            .header("host")
            .unwrap_or_else(|| "127.0.0.1".to_owned());
        let url = format!(
            "http://{host}{}/attachments/{id}/content?signature={signature}",
            self.base_path
        );
        let attachment = StoredAttachment {
            id,
            tenant_id: token.tenant_id.clone(),
            filename: part.filename.unwrap_or_default(),
            content_type,
            bytes: part.bytes,
            file_size: size,
            url,
            uploaded_at: SystemTime::now(),
        };
        let body = attachment.json();
        lock(&self.store).attachments.push(attachment);
        Reply::json(CREATED, &body)
    }

    /// `GET /attachments/{id}/content?signature=…`: the file behind an uploaded attachment's
    /// signed URL (not an operation of the API: the URL the API reports). Only the exact URL
    /// works; anything else under that path is `404`.
    fn download(&self, request: &Request, path: &str) -> Option<Reply> {
        let id = path
            .strip_prefix("/attachments/")?
            .strip_suffix("/content")?;
        if request.method != "GET" {
            return Some(error(405, "Method Not Allowed").with_header("Allow", "GET"));
        }
        let wanted = format!("{path}?{}", request.query.as_deref().unwrap_or_default());
        let store = lock(&self.store);
        let found = store
            .attachments
            .iter()
            .find(|a| a.id == id && a.url.ends_with(&wanted));
        Some(match found {
            Some(a) => Reply::bytes(200, &a.content_type, a.bytes.clone()),
            None => error(404, "Not Found"),
        })
    }
}

/// The scope an operation needs, as its description says (`Needs the `messages:create` scope.`).
fn required_scope(op: &Operation) -> Option<&'static str> {
    let description = spec()
        .root
        .pointer(&format!(
            "/paths/{}/{}/description",
            op.template.replace('~', "~0").replace('/', "~1"),
            op.method.to_ascii_lowercase()
        ))?
        .as_str()?;
    let after = description.split("Needs the `").nth(1)?;
    after.split('`').next()
}

/// The message type that carries a file of this media type.
fn media_kind(content_type: &str) -> Option<&'static str> {
    let top = content_type.split('/').next().unwrap_or_default();
    match top {
        "image" => Some("image"),
        "video" => Some("video"),
        "audio" => Some("audio"),
        "application" | "text" => Some("document"),
        _ => None,
    }
}

/// The response documented for a request equal to one of the documented request examples: the
/// response example of the same name (`text`, `image`).
fn documented_answer(op: &Operation, body: &Value) -> Option<Value> {
    let request_examples = &op.request_body.as_ref()?.examples;
    let (name, _) = request_examples.iter().find(|(_, e)| e == body)?;
    let success = op.success_doc()?;
    success
        .examples
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The file part of an upload.
struct FilePart {
    filename: Option<String>,
    content_type: Option<String>,
    bytes: Bytes,
}

/// Reads the part named `name` of a `multipart/form-data` body.
async fn read_part(request: &Request, name: &str) -> Result<FilePart, Reply> {
    let not_multipart = || {
        error(
            400,
            &format!(
                "Expected a multipart/form-data body with a '{name}' part (Content-Type: multipart/form-data; boundary=…)"
            ),
        )
    };
    let content_type = request.header("content-type").ok_or_else(not_multipart)?;
    let boundary = multer::parse_boundary(&content_type).map_err(|_| not_multipart())?;
    let body = request.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(error(400, &format!("Malformed multipart body: {e}"))),
        };
        if field.name() != Some(name) {
            continue;
        }
        let filename = field.file_name().map(str::to_owned);
        let content_type = field
            .content_type()
            .map(|m| m.essence_str().to_ascii_lowercase());
        let bytes = field
            .bytes()
            .await
            .map_err(|e| error(400, &format!("Malformed multipart body: {e}")))?;
        return Ok(FilePart {
            filename,
            content_type,
            bytes,
        });
    }
    Err(error(
        400,
        &format!("No file in the request: the form needs a '{name}' part"),
    ))
}

/// The conversation ids the message examples name, request and response.
pub(crate) fn example_conversations(spec: &Spec) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for op in &spec.operations {
        let requests = op.request_body.iter().flat_map(|b| b.examples.iter());
        let responses = op.success_doc().into_iter().flat_map(|r| r.examples.iter());
        for (_, example) in requests.chain(responses) {
            if let Some(id) = example.get("conversation_id").and_then(Value::as_str) {
                if !ids.iter().any(|i| i == id) {
                    ids.push(id.to_owned());
                }
            }
        }
    }
    ids
}

/// The upload example's attachment.
pub(crate) fn example_attachment(spec: &Spec) -> Option<Value> {
    spec.operations
        .iter()
        .filter(|op| {
            op.request_body
                .as_ref()
                .is_some_and(|b| b.multipart.is_some())
        })
        .find_map(|op| op.success_doc()?.example.clone())
}
