//! The data-models page: TypeScript interfaces and the field tables above them.

use std::collections::BTreeMap;

use crate::docs::{Docs, Page};
use crate::error::DocsError;
use crate::ts::{self, TsType};

/// A row of a data-models field table: `| `id` | string (uuid) | Unique identifier |`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    pub name: String,
    /// The type cell as written (`string (uuid)`, `string \| null`).
    pub ty: String,
    pub description: String,
}

/// What the data-models page declares.
#[derive(Debug, Default)]
pub struct DataModels {
    /// `export interface` / `export type` declarations by name.
    pub declarations: BTreeMap<String, TsType>,
    /// Field tables by the heading above them (`ContactResponse`, `ApiResponse`).
    pub tables: BTreeMap<String, Vec<FieldRow>>,
    /// The sentence between a table's heading and the table (`A contact represents …`).
    pub intros: BTreeMap<String, String>,
}

impl DataModels {
    /// The `format` a table row states in parentheses (`string (uuid)` → `uuid`).
    pub fn table_format(&self, table: &str, field: &str) -> Option<String> {
        let row = self.tables.get(table)?.iter().find(|r| r.name == field)?;
        let open = row.ty.find('(')?;
        let close = row.ty[open..].find(')')? + open;
        Some(row.ty[open + 1..close].trim().to_string())
    }

    /// The sentence introducing a table, if any.
    pub fn table_intro(&self, table: &str) -> Option<String> {
        self.intros.get(table).cloned()
    }

    /// The description a table gives a field.
    pub fn table_description(&self, table: &str, field: &str) -> Option<&str> {
        self.tables
            .get(table)?
            .iter()
            .find(|r| r.name == field)
            .map(|r| r.description.as_str())
    }
}

/// Parses the interfaces (```typescript blocks) and field tables of the data-models page.
pub fn parse(docs: &Docs, page: &Page) -> Result<DataModels, DocsError> {
    let text = page.text.as_str();
    let err = |offset: usize, message: String| DocsError::Syntax {
        page: page.url.clone(),
        at: docs.position(page, offset),
        message,
    };
    let mut models = DataModels::default();

    let mut search = 0;
    while let Some(rel) = text[search..].find("```") {
        let start = search + rel;
        let lang_end = text[start + 3..]
            .find(char::is_whitespace)
            .map_or(text.len(), |n| start + 3 + n);
        let lang = &text[start + 3..lang_end];
        let close = text[lang_end..]
            .find("```")
            .map(|n| lang_end + n)
            .ok_or_else(|| err(start, "code block is not closed (page truncated?)".into()))?;
        // Tables live in the text between code blocks.
        collect_tables(&text[search..start], &mut models);
        if lang == "typescript" {
            let body = &text[lang_end..close];
            let decls =
                ts::parse_declarations(body).map_err(|e| err(lang_end + e.offset, e.message))?;
            for d in decls {
                if models.declarations.contains_key(&d.name) {
                    return Err(err(
                        lang_end + d.offset,
                        format!("`{}` is declared twice", d.name),
                    ));
                }
                models.declarations.insert(d.name, d.ty);
            }
        }
        search = close + 3;
    }
    collect_tables(&text[search..], &mut models);
    Ok(models)
}

/// Finds `### Name … | Field | Type | Description | |---|---|---| | … |` tables.
fn collect_tables(text: &str, models: &mut DataModels) {
    const HEADER: &str = "| Field | Type | Description |";
    let mut search = 0;
    while let Some(rel) = text[search..].find(HEADER) {
        let at = search + rel;
        let Some(heading_at) = text[..at].rfind("### ") else {
            search = at + HEADER.len();
            continue;
        };
        let heading = text[heading_at + 4..at].trim();
        let (name, intro) = heading.split_once(' ').unwrap_or((heading, ""));
        let name = name.to_string();
        // The table ends where the text stops being table rows.
        let body_start = at + HEADER.len();
        let end = text[body_start..]
            .find(" #")
            .map_or(text.len(), |n| body_start + n);
        let rows = parse_rows(&text[body_start..end]);
        if !name.is_empty() && !rows.is_empty() {
            if !intro.trim().is_empty() {
                models.intros.insert(name.clone(), intro.trim().to_string());
            }
            models.tables.insert(name, rows);
        }
        search = end;
    }
}

fn parse_rows(text: &str) -> Vec<FieldRow> {
    const ESCAPED_PIPE: &str = "\u{0}";
    let text = text.replace("\\|", ESCAPED_PIPE);
    let cells: Vec<String> = text
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(|c| c.trim().replace(ESCAPED_PIPE, "|"))
        .collect();
    cells
        .split(|c| c.is_empty())
        .filter_map(|row| match row {
            [name, ty, description] => {
                let name = name.strip_prefix('`')?.strip_suffix('`')?;
                Some(FieldRow {
                    name: name.to_string(),
                    ty: ty.clone(),
                    description: description.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(body: &str) -> Docs {
        Docs::parse(format!(
            "{rule} SOURCE: https://d/llms/reference/api/data-models.txt TITLE: Data Models {rule} URL: https://d/llms/reference/api/data-models.txt {body}",
            rule = "=".repeat(80)
        ))
        .expect("parses")
    }

    #[test]
    fn reads_tables_and_interfaces() {
        let d = docs(
            "## Contact Models ### ContactResponse A contact. | Field | Type | Description | \
             |-------|------|-------------| | `id` | string (uuid) | Unique id | | `updated_at` | \
             string (date-time) \\| null | Last update | ### Type Definitions ```typescript export \
             interface Contact { id: string; updated_at: string | null; } ``` ```python class X: pass ```",
        );
        let m = parse(&d, &d.pages[0]).expect("parses");
        assert!(m.declarations.contains_key("Contact"));
        assert_eq!(
            m.table_format("ContactResponse", "id").as_deref(),
            Some("uuid")
        );
        assert_eq!(
            m.table_format("ContactResponse", "updated_at").as_deref(),
            Some("date-time")
        );
        assert_eq!(
            m.tables["ContactResponse"][1].ty,
            "string (date-time) | null"
        );
        assert_eq!(
            m.table_description("ContactResponse", "id"),
            Some("Unique id")
        );
        assert_eq!(
            m.table_intro("ContactResponse").as_deref(),
            Some("A contact.")
        );
    }

    #[test]
    fn broken_interface_names_the_position() {
        let d = docs("```typescript export interface A { a: string; b: } ```");
        let err = parse(&d, &d.pages[0]).expect_err("must fail").to_string();
        assert!(err.contains("data-models.txt"), "{err}");
        assert!(err.contains("expected a type"), "{err}");
    }
}
