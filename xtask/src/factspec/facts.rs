//! The facts file of a fact-driven spec (`spec/<api>/facts.toml`): what the API is, stated
//! fact by fact, each citing its evidence in the vendored documents.
//!
//! Every table keeps its position in the file (`Spanned`), so an inconsistent fact stops the
//! run naming the file, the line and the column. Evidence entries are `{ page, quote }` as in
//! `spec/facts.toml`, where `page` names a vendored document (`send-message.md`) and `quote` is
//! verbatim text of it (whitespace-insensitive).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::facts::{Decision, Evidence};

/// Evidence entries of one fact.
pub type Cites = Vec<Spanned<Evidence>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub api: Spanned<ApiFact>,
    #[serde(default, rename = "server")]
    pub servers: Vec<Spanned<ServerFact>>,
    #[serde(default, rename = "security")]
    pub security: Vec<Spanned<SecurityFact>>,
    pub errors: Option<Spanned<ErrorsFact>>,
    pub webhooks: Option<Spanned<WebhooksFact>>,
    #[serde(default, rename = "operation")]
    pub operations: Vec<Spanned<OperationFact>>,
    /// Responses every operation (or the listed ones) has unless it states its own.
    #[serde(default, rename = "common_response")]
    pub common_responses: Vec<Spanned<ResponseFact>>,
    #[serde(default, rename = "schema")]
    pub schemas: Vec<Spanned<SchemaFact>>,
    #[serde(default, rename = "decision")]
    pub decisions: Vec<Spanned<Decision>>,
    #[serde(default, rename = "silent")]
    pub silences: Vec<Spanned<Silence>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFact {
    pub title: String,
    pub version: String,
    pub description: String,
    #[serde(default)]
    pub env: Vec<Spanned<EnvFact>>,
    pub evidence: Cites,
}

/// An environment variable a client reads: `sets` is `security_scheme` (with `scheme`) or
/// `server_url`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvFact {
    pub name: String,
    pub sets: String,
    pub scheme: Option<String>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFact {
    pub url: String,
    pub description: String,
    pub environment: Option<String>,
    /// Prefix of the credentials that belong to this server (`live_`).
    pub key_prefix: Option<String>,
    pub rate_limit: Option<RateLimit>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests_per_second: u32,
    pub daily_quota: Option<u64>,
}

/// A security scheme; all schemes together form the one requirement of every operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityFact {
    pub name: String,
    /// `http` (with `scheme = "bearer"`) or `apiKey` (with `header`).
    #[serde(rename = "type")]
    pub kind: String,
    pub scheme: Option<String>,
    pub bearer_format: Option<String>,
    pub header: Option<String>,
    /// The documented format of the credential, as a regular expression.
    pub pattern: Option<String>,
    pub description: String,
    pub evidence: Cites,
}

/// Where a documented example or table is: the first fenced block (or the tables of the
/// section) after the text `after`, which must occur exactly once in the document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locator {
    pub page: String,
    pub after: String,
}

/// The error body and the documented error codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFact {
    /// Schema of the error body.
    pub schema: String,
    /// Members of the body holding the message, the status and the code.
    pub message: String,
    pub status: Option<String>,
    pub code: Option<String>,
    /// The section whose tables list the error codes (a `Code` column; `Status` and
    /// `Description` columns where present).
    pub codes_from: Option<Locator>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksFact {
    pub description: String,
    /// Schema of a delivery's body.
    pub payload: Option<String>,
    /// The section whose table lists the event types (`Event` and `When` columns).
    pub events_from: Option<Locator>,
    /// Members of `x-webhooks` the documents leave out (`events`, `payload`).
    #[serde(default)]
    pub undocumented: Vec<String>,
    pub signature: Spanned<SignatureFact>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFact {
    pub algorithm: String,
    pub header: Option<String>,
    pub prefix: Option<String>,
    pub encoding: Option<String>,
    pub timestamp_header: Option<String>,
    pub timestamp_format: Option<String>,
    pub signed_content: Option<String>,
    pub tolerance_seconds: Option<u64>,
    pub secret_prefix: Option<String>,
    /// Members the documents leave out; each is one of the members above and not given.
    #[serde(default)]
    pub undocumented: Vec<String>,
    /// Members stated with less than full evidence: member → `medium` or `low`.
    #[serde(default)]
    pub confidence: BTreeMap<String, String>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFact {
    pub id: String,
    pub method: String,
    pub path: String,
    pub group: Vec<String>,
    /// Method name for generated clients (`x-method`).
    pub name: String,
    pub summary: String,
    pub description: String,
    #[serde(default, rename = "parameter")]
    pub parameters: Vec<Spanned<ParameterFact>>,
    pub body: Option<Spanned<BodyFact>>,
    #[serde(default, rename = "response")]
    pub responses: Vec<Spanned<ResponseFact>>,
    pub pagination: Option<Spanned<PaginationFact>>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterFact {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    pub description: String,
    pub format: Option<String>,
    pub default: Option<toml::Value>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// The header carries an idempotency key (`x-idempotency-key`).
    #[serde(default)]
    pub idempotency_key: bool,
    pub confidence: Option<String>,
    #[serde(default)]
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFact {
    #[serde(default = "json")]
    pub content_type: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub description: Option<String>,
    pub confidence: Option<String>,
    #[serde(default)]
    pub examples: Vec<ExampleFact>,
    #[serde(default)]
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFact {
    /// `200`, `2XX` (the documents do not state the status) or `default`.
    pub status: String,
    pub description: String,
    /// The body's type; no body is described when absent.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    #[serde(default = "json")]
    pub content_type: String,
    /// The member of the body that holds the payload (`x-payload-key`).
    pub payload_key: Option<String>,
    pub confidence: Option<String>,
    #[serde(default)]
    pub examples: Vec<ExampleFact>,
    /// Only in `[[common_response]]`: the operation ids it applies to (all when absent).
    pub operations: Option<Vec<String>>,
    #[serde(default)]
    pub evidence: Cites,
}

/// A documented example: the JSON of the first fenced block after `after` (for an `http`
/// block, the part after the headers).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFact {
    pub page: String,
    pub after: String,
    /// The language of the block to take (`json`, `http`); the first block when absent.
    pub block: Option<String>,
    /// Key in `examples` when a response has several.
    pub name: Option<String>,
    pub summary: Option<String>,
    pub confidence: Option<String>,
}

/// Offset pagination: parameter names, and paths into the payload of the items and the total.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationFact {
    pub style: String,
    pub offset: String,
    pub limit: String,
    pub items: String,
    pub total: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFact {
    pub name: String,
    pub description: String,
    /// A type expression (see `types`); an object when absent.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    #[serde(rename = "enum")]
    pub values: Option<Vec<String>>,
    /// Enum values read from a column of the tables after a heading.
    pub values_from: Option<ColumnLocator>,
    pub one_of: Option<Vec<String>>,
    pub discriminator: Option<String>,
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// `true` for any members beyond the listed ones, or a type expression for their values.
    pub additional_properties: Option<Additional>,
    pub min_properties: Option<u64>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    /// The kinds of value a string identifier can be (`x-identifier-kinds`).
    #[serde(default)]
    pub identifier_kinds: Vec<IdentifierKind>,
    pub confidence: Option<String>,
    #[serde(default, rename = "field")]
    pub fields: Vec<Spanned<FieldFact>>,
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnLocator {
    pub page: String,
    pub after: String,
    pub column: String,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Additional {
    Any(bool),
    Type(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierKind {
    pub kind: String,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldFact {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub nullable: bool,
    pub description: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub values: Option<Vec<String>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub confidence: Option<String>,
    /// The accepted file types of a `binary` member: each extension the documents' tables
    /// list, mapped to its content type.
    #[serde(default)]
    pub file_types: BTreeMap<String, String>,
    /// The section whose tables give each file type's extensions and maximum size.
    pub file_types_from: Option<FileTable>,
    #[serde(default)]
    pub evidence: Cites,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTable {
    pub page: String,
    pub after: String,
    /// Bytes in the documents' `MB`.
    pub megabyte: u64,
}

/// Something the documents do not say, and what the spec does about it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Silence {
    pub topic: String,
    pub note: String,
    #[serde(default)]
    pub evidence: Cites,
}

fn json() -> String {
    "application/json".to_string()
}
