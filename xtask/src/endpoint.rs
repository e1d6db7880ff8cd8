//! Parser for endpoint reference pages.
//!
//! An endpoint page reads (newlines collapsed by the export):
//!
//! ```text
//! # GET /v3/contacts <title> <description> **Operation ID:** `…` **Tags:** Contacts
//! ## Parameters ### Query Parameters | Name | Type | Required | Description | |---|…| | `page` | `integer` | true | … |
//! ## Request Body ### application/json ```typescript object ```
//! ## Responses ### 200 <description> #### application/json ```typescript { … } ``` ##### Example ```json { … } ```
//! ### 401 <description> …
//! ## Security - **CustomerApiKey**
//! ```

use crate::docs::{Docs, Page};
use crate::error::DocsError;
use crate::ts::{self, TsType};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const OPERATION_ID: &str = "**Operation ID:**";
const TAGS: &str = "**Tags:**";

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

impl ParamIn {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
        }
    }
}

/// A parameter row of an endpoint page.
#[derive(Debug, Clone, PartialEq)]
pub struct RawParam {
    pub location: ParamIn,
    pub name: String,
    pub ty: TsType,
    pub required: bool,
    pub description: Option<String>,
}

/// The request body section.
#[derive(Debug, Clone, PartialEq)]
pub struct RawBody {
    pub media_type: String,
    pub shape: TsType,
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResponse {
    pub status: u16,
    pub description: String,
    pub media_type: Option<String>,
    pub shape: Option<TsType>,
    pub example: Option<serde_json::Value>,
}

/// Everything an endpoint page says about its operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RawOperation {
    /// Name of the page it came from.
    pub page: String,
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub tag: String,
    pub summary: String,
    pub description: String,
    pub params: Vec<RawParam>,
    pub body: Option<RawBody>,
    pub responses: Vec<RawResponse>,
    pub security: Vec<String>,
}

/// Whether a page documents one endpoint: its file name is an operation id, or it states one.
pub fn is_endpoint_page(page: &Page) -> bool {
    page.name.ends_with("Endpoint") || page.text.contains(OPERATION_ID)
}

#[derive(Debug, Clone, PartialEq)]
enum Block<'a> {
    Heading { level: usize, text: &'a str },
    Code { lang: &'a str, body: &'a str },
    Text(&'a str),
}

/// Splits page text into headings, fenced code and the text between them.
/// Each block carries its byte offset in `text`.
fn blocks(text: &str) -> Result<Vec<(Block<'_>, usize)>, (usize, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    fn flush<'t>(text: &'t str, out: &mut Vec<(Block<'t>, usize)>, from: usize, to: usize) {
        let t = text[from..to].trim();
        if !t.is_empty() {
            let lead = text[from..to].len() - text[from..to].trim_start().len();
            out.push((Block::Text(t), from + lead));
        }
    }
    while i < bytes.len() {
        if text[i..].starts_with("```") {
            flush(text, &mut out, text_start, i);
            let lang_start = i + 3;
            let lang_end = text[lang_start..]
                .find(char::is_whitespace)
                .map_or(text.len(), |n| lang_start + n);
            let close = text[lang_end..]
                .find("```")
                .map(|n| lang_end + n)
                .ok_or((i, "code block is not closed (page truncated?)".to_string()))?;
            out.push((
                Block::Code {
                    lang: &text[lang_start..lang_end],
                    body: text[lang_end..close].trim(),
                },
                i,
            ));
            i = close + 3;
            text_start = i;
            continue;
        }
        let at_word_start = i == 0 || bytes[i - 1].is_ascii_whitespace();
        if bytes[i] == b'#' && at_word_start {
            let level = text[i..].bytes().take_while(|b| *b == b'#').count();
            if text[i + level..].starts_with(' ') && level <= 6 {
                flush(text, &mut out, text_start, i);
                let start = i + level + 1;
                let end = next_marker(text, start);
                let heading = text[start..end].trim();
                let (heading, rest_from) = match heading.find(" | ") {
                    Some(p) if heading.starts_with(|c: char| c.is_alphabetic()) => {
                        (heading[..p].trim(), start + p)
                    }
                    _ => (heading, end),
                };
                out.push((
                    Block::Heading {
                        level,
                        text: heading,
                    },
                    i,
                ));
                i = rest_from;
                text_start = i;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    flush(text, &mut out, text_start, text.len());
    Ok(out)
}

/// Byte offset of the next heading or code fence at or after `from`.
fn next_marker(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if text[i..].starts_with("```") {
            return i;
        }
        if bytes[i] == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            let level = text[i..].bytes().take_while(|b| *b == b'#').count();
            if text[i + level..].starts_with(' ') {
                return i;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    text.len()
}

struct Ctx<'d> {
    docs: &'d Docs,
    page: &'d Page,
}

impl Ctx<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> DocsError {
        DocsError::Syntax {
            page: self.page.url.clone(),
            at: self.docs.position(self.page, offset),
            message: message.into(),
        }
    }
}

/// Parses one endpoint page.
pub fn parse(docs: &Docs, page: &Page) -> Result<RawOperation, DocsError> {
    let cx = Ctx { docs, page };
    let text = page.text.as_str();

    // `# METHOD /path` opens the page.
    let head = text.strip_prefix("# ").ok_or_else(|| {
        cx.err(
            0,
            "endpoint page does not start with a `# METHOD /path` line",
        )
    })?;
    let mut words = head.splitn(3, ' ');
    let method = words.next().unwrap_or_default();
    let path = words.next().unwrap_or_default();
    if !METHODS.contains(&method) || !path.starts_with('/') {
        return Err(cx.err(
            0,
            format!("endpoint page does not start with a `# METHOD /path` line (found `# {method} {path}`)"),
        ));
    }
    let after_path = 2 + method.len() + 1 + path.len();

    let opid_at = text
        .find(OPERATION_ID)
        .ok_or_else(|| cx.err(after_path, format!("no `{OPERATION_ID}` on the page")))?;
    let intro = text[after_path..opid_at].trim();
    let (summary, description) = match intro.strip_prefix(page.title.as_str()) {
        Some(rest) => (page.title.clone(), rest.trim().to_string()),
        None => (page.title.clone(), intro.to_string()),
    };

    let after_opid = opid_at + OPERATION_ID.len();
    let operation_id = backticked(&text[after_opid..])
        .ok_or_else(|| cx.err(after_opid, "operation id is not in backticks"))?
        .to_string();
    let tags_at = text[after_opid..]
        .find(TAGS)
        .map(|n| after_opid + n)
        .ok_or_else(|| cx.err(after_opid, format!("no `{TAGS}` after the operation id")))?;
    let tags_end = next_marker(text, tags_at);
    let tag = text[tags_at + TAGS.len()..tags_end].trim().to_string();
    if tag.is_empty() {
        return Err(cx.err(tags_at, "empty tag"));
    }

    let sections = blocks(&text[tags_end..]).map_err(|(o, m)| cx.err(tags_end + o, m))?;
    let mut op = RawOperation {
        page: page.name.clone(),
        method: method.to_string(),
        path: path.to_string(),
        operation_id,
        tag,
        summary,
        description,
        params: Vec::new(),
        body: None,
        responses: Vec::new(),
        security: Vec::new(),
    };

    #[derive(PartialEq)]
    enum Section {
        None,
        Params,
        Body,
        Responses,
        Security,
    }
    #[derive(PartialEq)]
    enum Expect {
        Nothing,
        ParamTable(ParamIn),
        BodyShape,
        ResponseShape,
        ResponseExample,
    }
    let mut section = Section::None;
    let mut expect = Expect::Nothing;
    let mut body_media: Option<String> = None;

    for (block, rel) in &sections {
        let offset = tags_end + rel;
        match block {
            Block::Heading { level: 2, text: h } => {
                section = match *h {
                    "Parameters" => Section::Params,
                    "Request Body" => Section::Body,
                    "Responses" => Section::Responses,
                    s if s.starts_with("Security") => {
                        op.security.extend(security_schemes(s));
                        Section::Security
                    }
                    other => return Err(cx.err(offset, format!("unexpected section `## {other}`"))),
                };
                expect = Expect::Nothing;
            }
            Block::Heading { level: 3, text: h } if section == Section::Params => {
                let location = match *h {
                    "Path Parameters" => ParamIn::Path,
                    "Query Parameters" => ParamIn::Query,
                    "Header Parameters" => ParamIn::Header,
                    other => {
                        return Err(cx.err(offset, format!("unexpected parameter group `{other}`")));
                    }
                };
                expect = Expect::ParamTable(location);
            }
            Block::Text(t) if matches!(expect, Expect::ParamTable(_)) => {
                let Expect::ParamTable(location) = expect else {
                    continue;
                };
                op.params
                    .extend(param_table(t, location).map_err(|m| cx.err(offset, m))?);
                expect = Expect::Nothing;
            }
            Block::Heading { level: 3, text: h } if section == Section::Body => {
                body_media = Some(h.to_string());
                expect = Expect::BodyShape;
            }
            Block::Code {
                lang: "typescript",
                body,
            } if expect == Expect::BodyShape => {
                let shape = ts::parse_shape(body).map_err(|e| {
                    cx.err(offset + code_offset(&text[offset..]) + e.offset, e.message)
                })?;
                op.body = Some(RawBody {
                    media_type: body_media.take().unwrap_or_default(),
                    shape,
                });
                expect = Expect::Nothing;
            }
            Block::Heading { level: 3, text: h } if section == Section::Responses => {
                let (code, desc) = h.split_once(' ').unwrap_or((h, ""));
                let status: u16 = code
                    .parse()
                    .ok()
                    .filter(|s| (100..600).contains(s))
                    .ok_or_else(|| cx.err(offset, format!("`{code}` is not an HTTP status")))?;
                if op.responses.iter().any(|r| r.status == status) {
                    return Err(cx.err(offset, format!("status {status} is documented twice")));
                }
                op.responses.push(RawResponse {
                    status,
                    description: desc.trim().to_string(),
                    media_type: None,
                    shape: None,
                    example: None,
                });
                expect = Expect::Nothing;
            }
            Block::Heading { level: 4, text: h } if section == Section::Responses => {
                let resp = op
                    .responses
                    .last_mut()
                    .ok_or_else(|| cx.err(offset, "media type before any status"))?;
                resp.media_type = Some(h.to_string());
                expect = Expect::ResponseShape;
            }
            Block::Code {
                lang: "typescript",
                body,
            } if expect == Expect::ResponseShape => {
                let shape = ts::parse_shape(body).map_err(|e| {
                    cx.err(offset + code_offset(&text[offset..]) + e.offset, e.message)
                })?;
                if let Some(resp) = op.responses.last_mut() {
                    resp.shape = Some(shape);
                }
                expect = Expect::Nothing;
            }
            Block::Heading {
                level: 5,
                text: "Example",
            } if section == Section::Responses => {
                expect = Expect::ResponseExample;
            }
            Block::Code { lang: "json", body } if expect == Expect::ResponseExample => {
                let value: serde_json::Value = serde_json::from_str(body).map_err(|e| {
                    let inner = byte_offset_of(body, e.line(), e.column());
                    cx.err(
                        offset + code_offset(&text[offset..]) + inner,
                        format!("example is not valid JSON: {e}"),
                    )
                })?;
                if let Some(resp) = op.responses.last_mut() {
                    resp.example = Some(value);
                }
                expect = Expect::Nothing;
            }
            Block::Text(_) if section == Section::Security => {}
            Block::Heading { level, text: h } => {
                return Err(cx.err(
                    offset,
                    format!("unexpected heading `{} {h}`", "#".repeat(*level)),
                ));
            }
            Block::Code { lang, .. } => {
                return Err(cx.err(offset, format!("unexpected `{lang}` code block")));
            }
            Block::Text(t) => {
                return Err(cx.err(offset, format!("unexpected text `{}`", excerpt(t))));
            }
        }
    }
    if expect != Expect::Nothing {
        return Err(cx.err(
            text.len(),
            "page ends where a parameter table, shape or example was announced (truncated?)",
        ));
    }
    if op.responses.is_empty() {
        return Err(cx.err(text.len(), "page documents no responses (truncated?)"));
    }
    Ok(op)
}

/// Offset of the code inside a fenced block starting at `block` (after "```lang ").
fn code_offset(block: &str) -> usize {
    let after_fence = 3 + block[3..].find(char::is_whitespace).unwrap_or(0);
    let rest = &block[after_fence..];
    after_fence + rest.len() - rest.trim_start().len()
}

fn byte_offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len() + 1;
    }
    text.len()
}

fn backticked(text: &str) -> Option<&str> {
    let t = text.trim_start().strip_prefix('`')?;
    let end = t.find('`')?;
    Some(&t[..end])
}

fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

fn security_schemes(heading: &str) -> Vec<String> {
    heading
        .split("**")
        .skip(1)
        .step_by(2)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses `| Name | Type | Required | Description | |---|---|---|---| | `a` | `string` | true | … |`.
fn param_table(text: &str, location: ParamIn) -> Result<Vec<RawParam>, String> {
    let cells: Vec<&str> = text
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    // Rows are four cells, separated by the empty cell between `|` `|`.
    let rows: Vec<&[&str]> = cells.split(|c| c.is_empty()).collect();
    let mut rows = rows.into_iter();
    match rows.next() {
        Some(["Name", "Type", "Required", "Description"]) => {}
        Some(other) => {
            return Err(format!(
                "parameter table header must be `Name | Type | Required | Description`, found `{}`",
                other.join(" | ")
            ));
        }
        None => return Err("empty parameter table".into()),
    }
    match rows.next() {
        Some(sep) if sep.len() == 4 && sep.iter().all(|c| c.chars().all(|ch| ch == '-')) => {}
        _ => return Err("parameter table has no `|---|` separator row".into()),
    }
    let mut params = Vec::new();
    for row in rows {
        let [name, ty, required, description] = row else {
            return Err(format!(
                "parameter row must have 4 cells, found {}: `{}`",
                row.len(),
                row.join(" | ")
            ));
        };
        let name = name
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .ok_or_else(|| format!("parameter name `{name}` is not in backticks"))?;
        let ty_text = ty
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .ok_or_else(|| format!("type of `{name}` is not in backticks"))?;
        let ty = ts::parse_shape(ty_text)
            .map_err(|e| format!("type of parameter `{name}`: {}", e.message))?;
        let required = match *required {
            "true" => true,
            "false" => false,
            other => return Err(format!("`{other}` is not true/false (parameter `{name}`)")),
        };
        let description = match *description {
            "-" | "" => None,
            d => Some(d.to_string()),
        };
        params.push(RawParam {
            location,
            name: name.to_string(),
            ty,
            required,
            description,
        });
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Docs {
        let text = format!(
            "{rule} SOURCE: https://d/llms/reference/api/things/GetThingEndpoint.txt TITLE: Get a thing {rule} URL: https://d/llms/reference/api/things/GetThingEndpoint.txt {body}",
            rule = "=".repeat(80)
        );
        Docs::parse(text).expect("docs parse")
    }

    const FULL: &str = "# GET /v3/things/{id} Get a thing Returns one thing. ## Notes More text. **Operation ID:** `GetThingEndpoint` **Tags:** Things ## Parameters ### Path Parameters | Name | Type | Required | Description | |------|------|----------|-------------| | `id` | `string` | true | Thing ID | ### Query Parameters | Name | Type | Required | Description | |------|------|----------|-------------| | `page` | `integer` | true | - | | `q` | `string` | false | Search term | ### Header Parameters | Name | Type | Required | Description | |------|------|----------|-------------| | `Idempotency-Key` | `string` | false | Must be 1-255 characters. | ## Request Body ### application/json ```typescript object ``` ## Responses ### 200 Thing found #### application/json ```typescript { success?: boolean, data?: { id?: string, tags?: Array } } ``` ##### Example ```json { \"success\": true, \"data\": { \"id\": \"a\", \"note\": \"order #12 shipped\" } } ``` ### 401 Unauthorized ### 404 Not found #### application/json ```typescript { success?: boolean } ``` ## Security - **CustomerApiKey**";

    #[test]
    fn parses_a_full_page() {
        let docs = page(FULL);
        let op = parse(&docs, &docs.pages[0]).expect("parses");
        assert_eq!(op.method, "GET");
        assert_eq!(op.path, "/v3/things/{id}");
        assert_eq!(op.summary, "Get a thing");
        assert_eq!(op.description, "Returns one thing. ## Notes More text.");
        assert_eq!(op.operation_id, "GetThingEndpoint");
        assert_eq!(op.tag, "Things");
        assert_eq!(op.params.len(), 4);
        assert_eq!(op.params[0].location, ParamIn::Path);
        assert!(op.params[1].required);
        assert_eq!(op.params[1].description, None);
        assert_eq!(op.params[2].description.as_deref(), Some("Search term"));
        assert_eq!(op.params[3].name, "Idempotency-Key");
        assert_eq!(op.body.as_ref().map(|b| &b.shape), Some(&TsType::Object));
        assert_eq!(
            op.responses.iter().map(|r| r.status).collect::<Vec<_>>(),
            [200, 401, 404]
        );
        assert_eq!(op.responses[0].description, "Thing found");
        assert_eq!(
            op.responses[0]
                .example
                .as_ref()
                .and_then(|e| e["data"]["note"].as_str()),
            Some("order #12 shipped")
        );
        assert!(op.responses[1].shape.is_none());
        assert_eq!(op.security, ["CustomerApiKey"]);
    }

    #[test]
    fn page_without_method_line_is_an_error() {
        let docs = page("Get a thing **Operation ID:** `X` **Tags:** T ## Responses ### 200 ok");
        let err = parse(&docs, &docs.pages[0])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("GetThingEndpoint.txt"), "{err}");
        assert!(err.contains("METHOD /path"), "{err}");
    }

    #[test]
    fn truncated_page_is_an_error_with_position() {
        let cut = &FULL[..FULL.find("##### Example").expect("marker") + 20];
        let docs = page(cut);
        let err = parse(&docs, &docs.pages[0])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("not closed"), "{err}");
        assert!(err.contains("(at 1:"), "{err}");
    }

    #[test]
    fn truncated_after_a_heading_is_an_error() {
        let cut = &FULL[..FULL.find("##### Example").expect("marker") + 13];
        let docs = page(cut);
        let err = parse(&docs, &docs.pages[0])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn unknown_type_syntax_names_the_position() {
        let bad = FULL.replace("tags?: Array", "tags?: Set<string>");
        let docs = page(&bad);
        let err = parse(&docs, &docs.pages[0]).expect_err("must fail");
        let DocsError::Syntax { at, message, .. } = &err else {
            panic!("{err}")
        };
        assert!(message.contains("unknown type `Set`"), "{message}");
        let banner = docs.pages[0].offset;
        let expected = banner + docs.pages[0].text.find("Set<string>").expect("present");
        assert_eq!(at.column, expected + 1, "column points at the bad type");
    }

    #[test]
    fn invalid_example_json_is_an_error() {
        let bad = FULL.replace("\"id\": \"a\",", "\"id\": \"a\" ");
        let docs = page(&bad);
        let err = parse(&docs, &docs.pages[0])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("not valid JSON"), "{err}");
    }

    #[test]
    fn bad_parameter_table_is_an_error() {
        let bad = FULL.replace(
            "| `page` | `integer` | true | - |",
            "| `page` | `integer` | yes | - |",
        );
        let docs = page(&bad);
        let err = parse(&docs, &docs.pages[0])
            .expect_err("must fail")
            .to_string();
        assert!(err.contains("`yes` is not true/false"), "{err}");
    }

    #[test]
    fn duplicate_status_is_an_error() {
        let bad = FULL.replace("### 404 Not found", "### 401 Again");
        let docs = page(&bad);
        assert!(parse(&docs, &docs.pages[0]).is_err());
    }

    #[test]
    fn detects_endpoint_pages() {
        let docs = page(FULL);
        assert!(is_endpoint_page(&docs.pages[0]));
    }
}
