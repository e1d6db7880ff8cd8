//! `spec/facts.toml`: the reviewed, hand-written facts the endpoint pages lack.
//!
//! Every fact cites evidence: a page and a verbatim quote from it. Before anything is
//! assembled each quote is looked up on its page (whitespace-insensitively), so a fact whose
//! evidence has disappeared from the docs stops the build instead of lingering.
//! Pages are named by their path after `/llms/` (`reference/api/data-models`);
//! `ep:<Name>` names the endpoint page of operation `<prefix><Name><suffix>`.

use serde::Deserialize;

use crate::docs::{Docs, normalize_ws};
use crate::endpoint::RawOperation;
use crate::error::FactsError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub page: String,
    pub quote: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    pub api: Api,
    #[serde(default, rename = "operation")]
    pub operations: Vec<OperationFact>,
    #[serde(default, rename = "override")]
    pub overrides: Vec<OverrideFact>,
    #[serde(default, rename = "component")]
    pub components: Vec<ComponentFact>,
    #[serde(default, rename = "schema")]
    pub schemas: Vec<SchemaFact>,
    #[serde(default, rename = "enum_use")]
    pub enum_uses: Vec<EnumUse>,
    #[serde(default, rename = "format")]
    pub formats: Vec<FormatFact>,
    #[serde(default, rename = "parameter")]
    pub parameters: Vec<ParameterFact>,
    #[serde(default, rename = "body")]
    pub bodies: Vec<BodyFact>,
    #[serde(default, rename = "common_response")]
    pub common_responses: Vec<CommonResponse>,
    #[serde(default, rename = "decision")]
    pub decisions: Vec<Decision>,
    #[serde(default, rename = "presence")]
    pub presences: Vec<PresenceFact>,
    #[serde(default, rename = "id")]
    pub ids: Vec<IdFact>,
    #[serde(default, rename = "describe")]
    pub describes: Vec<DescribeFact>,
    #[serde(default, rename = "alias")]
    pub aliases: Vec<AliasFact>,
    #[serde(default, rename = "range")]
    pub ranges: Vec<RangeFact>,
    #[serde(default, rename = "union")]
    pub unions: Vec<UnionFact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: String,
    pub server: String,
    pub operation_id_prefix: String,
    pub operation_id_suffix: String,
    /// Pages whose error-code sections and tables are read for `x-error-codes`, by precedence.
    pub error_code_pages: Vec<String>,
    /// The page with the data-models interfaces and field tables.
    pub data_models_page: String,
    /// One-line summary of the precedence rule (the full rule is in `spec/README.md`).
    pub precedence: String,
    pub security: Security,
    pub envelope: EnvelopeFact,
    pub evidence: Vec<Evidence>,
    /// Error codes that are transient whatever their status (`"retryable": true` in
    /// `x-error-codes`), with the evidence that says so.
    #[serde(default)]
    pub retryable_error_codes: Vec<String>,
    #[serde(default)]
    pub retryable_error_codes_evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub scheme: String,
    pub header: String,
    pub description: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeFact {
    pub schema: String,
    pub data: String,
    pub error: String,
    pub meta: String,
    pub success: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationFact {
    pub id: String,
    pub group: Vec<String>,
    pub method: String,
    pub pagination: Option<PaginationFact>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationFact {
    pub page: String,
    pub page_size: String,
    pub items: String,
    pub has_more: String,
    pub default_page_size: u32,
}

/// Replaces the type at some response locations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideFact {
    pub at: Vec<String>,
    #[serde(rename = "type")]
    pub ty: String,
    pub reason: String,
    pub evidence: Vec<Evidence>,
}

/// Names a response shape (and merges every location it appears at).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentFact {
    pub name: String,
    pub description: Option<String>,
    pub at: Vec<String>,
    /// Data-models field table describing the same resource (descriptions, formats).
    pub table: Option<String>,
    /// Data-models interface of the same resource (compared; differences are conflicts).
    pub interface: Option<String>,
}

/// A schema stated by the facts (request bodies, enums, the envelope, response shapes the
/// endpoint pages left as `unknown`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFact {
    pub name: String,
    pub description: String,
    /// Start from this data-models interface; `field` entries override or add members.
    pub interface: Option<String>,
    /// Interface members left out (each must be justified by a decision or field evidence).
    #[serde(default)]
    pub omit: Vec<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub additional_properties: bool,
    /// Whether the schema describes a response: members are optional and nullable.
    #[serde(default)]
    pub response: bool,
    pub confidence: Option<String>,
    /// Data-models field table whose descriptions the members take where they have none.
    pub table: Option<String>,
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldFact>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldFact {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub required: Option<bool>,
    pub description: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub min_items: Option<u64>,
    pub items_pattern: Option<String>,
    pub items_format: Option<String>,
    pub confidence: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumUse {
    #[serde(rename = "enum")]
    pub enum_name: String,
    pub at: Vec<String>,
    /// The members are strings listing values of the enum joined by this separator
    /// (`sms,whatsapp`); they stay strings on the wire and get `x-delimited`.
    pub separator: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatFact {
    pub format: String,
    /// `Component.property`, or `*.property` for that property of every response component.
    pub at: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterFact {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    /// Operations (short ids) it applies to; all operations with the parameter when absent.
    pub operations: Option<Vec<String>>,
    /// A component to use as the parameter's schema (an enum).
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    /// Where the page gives none.
    pub description: Option<String>,
    /// Other names for the parameter (`x-aliases`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The resource a uuid parameter identifies, where neither its description nor its path
    /// says.
    pub id_of: Option<String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFact {
    pub operations: Vec<String>,
    pub schema: String,
    pub required: bool,
    pub evidence: Vec<Evidence>,
}

/// A response the reference pages promise on many operations although the endpoint pages
/// leave it out (rate limiting, idempotency conflicts).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonResponse {
    pub status: u16,
    pub description: String,
    /// Only operations documenting this header parameter; every operation when absent.
    pub with_header: Option<String>,
    /// Response headers: name → description.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub topic: String,
    pub severity: String,
    pub sides: Vec<Side>,
    pub taken: String,
}

/// Response members the docs' prose says are always present (`always = true`), or present
/// only sometimes (`always = false`, overriding an interface or the examples).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceFact {
    /// `Component.member` locations.
    pub at: Vec<String>,
    pub always: bool,
    pub evidence: Vec<Evidence>,
}

/// The resource uuid members identify, where neither their name nor their schema says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdFact {
    /// A resource schema: a response component with a uuid `id`.
    pub resource: String,
    /// `Component.member` locations.
    pub at: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// Descriptions of members the docs describe only in prose or examples. A member takes
/// the description in every listed component that has the member and no description yet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribeFact {
    #[serde(rename = "in")]
    pub components: Vec<String>,
    pub members: std::collections::BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
}

/// Other names the docs use for members (SDK argument names and the like): `x-aliases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasFact {
    /// `Component.member`, or `*.member` for that member of every component.
    pub at: Vec<String>,
    pub names: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// Bounds of integer members (counts, sizes) the shapes leave open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeFact {
    /// `Component.member` locations.
    pub at: Vec<String>,
    pub minimum: i64,
    pub maximum: Option<i64>,
    pub evidence: Vec<Evidence>,
}

/// A schema that is one of several variants (`oneOf`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnionFact {
    /// The `[[schema]]` whose members the variants share out.
    pub schema: String,
    /// The member whose value names the variant, if any.
    pub discriminator: Option<String>,
    pub confidence: Option<String>,
    #[serde(rename = "variant")]
    pub variants: Vec<VariantFact>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFact {
    pub name: String,
    pub description: String,
    /// The discriminator's value for this variant.
    pub value: Option<String>,
    /// Members of the schema the variant has, in order.
    pub members: Vec<String>,
    /// Those of them it requires.
    #[serde(default)]
    pub required: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Side {
    pub claim: String,
    pub evidence: Vec<Evidence>,
}

impl Facts {
    pub fn parse(text: &str) -> Result<Facts, FactsError> {
        toml::from_str(text).map_err(|e| FactsError::Toml(e.to_string()))
    }

    /// Every evidence entry with the context it appears in, for checking and for reports.
    pub fn evidence(&self) -> Vec<(String, &Evidence)> {
        fn add<'f>(out: &mut Vec<(String, &'f Evidence)>, ctx: String, list: &'f [Evidence]) {
            out.extend(list.iter().map(|e| (ctx.clone(), e)));
        }
        let mut out = Vec::new();
        add(&mut out, "[api]".into(), &self.api.evidence);
        add(
            &mut out,
            "[api] retryable_error_codes".into(),
            &self.api.retryable_error_codes_evidence,
        );
        add(
            &mut out,
            "[api.security]".into(),
            &self.api.security.evidence,
        );
        for o in &self.operations {
            add(&mut out, format!("[[operation]] {}", o.id), &o.evidence);
        }
        for o in &self.overrides {
            add(
                &mut out,
                format!("[[override]] {}", o.at.join(", ")),
                &o.evidence,
            );
        }
        for s in &self.schemas {
            add(&mut out, format!("[[schema]] {}", s.name), &s.evidence);
            for f in &s.fields {
                add(
                    &mut out,
                    format!("[[schema]] {}.{}", s.name, f.name),
                    &f.evidence,
                );
            }
        }
        for e in &self.enum_uses {
            add(
                &mut out,
                format!("[[enum_use]] {}", e.enum_name),
                &e.evidence,
            );
        }
        for f in &self.formats {
            add(&mut out, format!("[[format]] {}", f.format), &f.evidence);
        }
        for p in &self.parameters {
            add(&mut out, format!("[[parameter]] {}", p.name), &p.evidence);
        }
        for b in &self.bodies {
            add(
                &mut out,
                format!("[[body]] {}", b.operations.join(", ")),
                &b.evidence,
            );
        }
        for p in &self.presences {
            add(
                &mut out,
                format!("[[presence]] {}", p.at.join(", ")),
                &p.evidence,
            );
        }
        for i in &self.ids {
            add(&mut out, format!("[[id]] {}", i.resource), &i.evidence);
        }
        for d in &self.describes {
            add(
                &mut out,
                format!("[[describe]] {}", d.components.join(", ")),
                &d.evidence,
            );
        }
        for a in &self.aliases {
            add(
                &mut out,
                format!("[[alias]] {}", a.at.join(", ")),
                &a.evidence,
            );
        }
        for r in &self.ranges {
            add(
                &mut out,
                format!("[[range]] {}", r.at.join(", ")),
                &r.evidence,
            );
        }
        for u in &self.unions {
            add(&mut out, format!("[[union]] {}", u.schema), &u.evidence);
        }
        for d in &self.decisions {
            for (i, s) in d.sides.iter().enumerate() {
                add(
                    &mut out,
                    format!("[[decision]] {} (side {})", d.topic, i + 1),
                    &s.evidence,
                );
            }
        }
        out
    }
}

/// Resolves page references and checks that every quote is on its page.
pub struct Evidencer<'a> {
    docs: &'a Docs,
    /// (operation id, page name) of every endpoint page.
    endpoints: Vec<(String, String)>,
    prefix: &'a str,
    suffix: &'a str,
    /// Normalised page texts, by page name.
    normalized: std::collections::HashMap<&'a str, String>,
}

impl<'a> Evidencer<'a> {
    pub fn new(docs: &'a Docs, ops: &[RawOperation], facts: &'a Facts) -> Evidencer<'a> {
        Evidencer {
            docs,
            endpoints: ops
                .iter()
                .map(|o| (o.operation_id.clone(), o.page.clone()))
                .collect(),
            prefix: &facts.api.operation_id_prefix,
            suffix: &facts.api.operation_id_suffix,
            normalized: docs
                .pages
                .iter()
                .map(|p| (p.name.as_str(), normalize_ws(&p.text)))
                .collect(),
        }
    }

    /// The page name a reference stands for (`ep:X` → the endpoint page of operation X).
    pub fn resolve(&self, page: &str) -> Option<String> {
        match page.strip_prefix("ep:") {
            Some(short) => {
                let id = format!("{}{short}{}", self.prefix, self.suffix);
                self.endpoints
                    .iter()
                    .find(|(op, _)| *op == id)
                    .map(|(_, p)| p.clone())
            }
            None => self.docs.page(page).map(|p| p.name.clone()),
        }
    }

    /// Checks every evidence entry; returns all failures.
    pub fn check_all(&self, facts: &Facts) -> Vec<FactsError> {
        let mut errors = Vec::new();
        for (context, e) in facts.evidence() {
            let Some(name) = self.resolve(&e.page) else {
                errors.push(FactsError::Invalid {
                    context,
                    message: format!("no page named `{}`", e.page),
                });
                continue;
            };
            let quote = normalize_ws(&e.quote);
            let found = self
                .normalized
                .get(name.as_str())
                .is_some_and(|text| !quote.is_empty() && text.contains(&quote));
            if !found {
                errors.push(FactsError::MissingEvidence {
                    context,
                    page: e.page.clone(),
                    quote: e.quote.clone(),
                });
            }
        }
        errors
    }
}

/// A parsed response location: `Op STATUS path` or `Component.path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Response {
        op: String,
        status: u16,
        path: Vec<Segment>,
    },
    Component {
        name: String,
        path: Vec<Segment>,
    },
}

/// A step into a type: a member, or `[]` for array items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Member(String),
    Items,
}

impl Location {
    pub fn parse(text: &str) -> Result<Location, String> {
        let mut words = text.split_whitespace();
        let first = words.next().ok_or("empty location")?;
        match (words.next(), words.next(), words.next()) {
            (Some(status), path, None) => {
                let status: u16 = status
                    .parse()
                    .map_err(|_| format!("`{status}` is not a status in location `{text}`"))?;
                Ok(Location::Response {
                    op: first.to_string(),
                    status,
                    path: path.map(parse_path).transpose()?.unwrap_or_default(),
                })
            }
            (None, None, None) => {
                let (name, rest) = first.split_once('.').unwrap_or((first, ""));
                Ok(Location::Component {
                    name: name.to_string(),
                    path: if rest.is_empty() {
                        Vec::new()
                    } else {
                        parse_path(rest)?
                    },
                })
            }
            _ => Err(format!(
                "location `{text}` is neither `Op STATUS path` nor `Component.path`"
            )),
        }
    }
}

fn parse_path(text: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let (name, items) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        if name.is_empty() {
            return Err(format!("empty member in path `{text}`"));
        }
        out.push(Segment::Member(name.to_string()));
        if items {
            out.push(Segment::Items);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            Location::parse("ContactsGetContacts 200 data.contacts[]"),
            Ok(Location::Response {
                op: "ContactsGetContacts".into(),
                status: 200,
                path: vec![
                    Segment::Member("data".into()),
                    Segment::Member("contacts".into()),
                    Segment::Items
                ]
            })
        );
        assert_eq!(
            Location::parse("ProfilesCompleteProfile 202"),
            Ok(Location::Response {
                op: "ProfilesCompleteProfile".into(),
                status: 202,
                path: vec![]
            })
        );
        assert_eq!(
            Location::parse("Profile.brand.contact"),
            Ok(Location::Component {
                name: "Profile".into(),
                path: vec![
                    Segment::Member("brand".into()),
                    Segment::Member("contact".into())
                ]
            })
        );
        assert!(Location::parse("Op abc data").is_err());
        assert!(Location::parse("a..b").is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Facts::parse("[api]\ntitle = 1").expect_err("must fail");
        assert!(err.to_string().contains("facts.toml"));
    }
}
