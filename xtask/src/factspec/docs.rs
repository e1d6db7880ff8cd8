//! The vendored Markdown documents of a fact-driven spec, their label (`docs/SOURCE.toml`),
//! and what the assembler reads in them: quotes, fenced JSON examples and tables.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::SpecError;
use crate::docs::normalize_ws;
use crate::error::Position;

/// `docs/SOURCE.toml`: one entry per vendored document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    #[serde(rename = "document")]
    pub documents: Vec<LabelEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelEntry {
    /// The copy's file name in `docs/`.
    pub file: String,
    pub title: String,
    /// The file's path where it was published.
    pub original: String,
    /// Where it was published.
    pub source: String,
    /// The commit it was copied from, where identified.
    pub revision: Option<String>,
    pub sha256: String,
}

/// One vendored document.
#[derive(Debug)]
pub struct Doc {
    /// File name in `docs/`, as facts cite it.
    pub name: String,
    /// Path shown in messages (`spec/sendseven/docs/send-message.md`).
    pub shown: String,
    pub text: String,
    normalized: String,
}

/// Why a located example could not be read: the fact points nowhere (reported at the fact),
/// or the document's block is malformed (reported in the document).
#[derive(Debug)]
pub enum Located {
    Fact(String),
    Doc(SpecError),
}

/// A fenced code block: its info string and where its text starts.
#[derive(Debug)]
struct Block<'a> {
    lang: &'a str,
    start: usize,
    text: &'a str,
}

/// A Markdown pipe table.
#[derive(Debug)]
struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// A table row, its cells by column header.
#[derive(Debug)]
pub struct Record {
    /// Byte offset of the row in the document.
    pub offset: usize,
    cells: Vec<(String, String)>,
}

impl Record {
    /// The cell under `column` (case-insensitive), without surrounding backticks.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(column))
            .map(|(_, c)| unquote(c))
    }
}

/// Strips one pair of surrounding backticks.
pub fn unquote(cell: &str) -> &str {
    cell.strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or(cell)
}

impl Doc {
    pub fn new(name: &str, shown: String, text: String) -> Doc {
        Doc {
            name: name.to_string(),
            shown,
            normalized: normalize_ws(&text),
            text,
        }
    }

    /// Whether `quote` is in the document (whitespace-insensitive).
    pub fn has_quote(&self, quote: &str) -> bool {
        let quote = normalize_ws(quote);
        !quote.is_empty() && self.normalized.contains(&quote)
    }

    pub fn position(&self, offset: usize) -> Position {
        Position::locate(&self.text, offset)
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> SpecError {
        SpecError::At {
            file: self.shown.clone(),
            at: self.position(offset),
            message: message.into(),
        }
    }

    /// Byte offset just after `after`, which must occur exactly once.
    pub fn anchor(&self, after: &str) -> Result<usize, String> {
        let mut found = self.text.match_indices(after);
        match (found.next(), found.next()) {
            (Some((at, _)), None) if !after.is_empty() => Ok(at + after.len()),
            (Some(_), Some(_)) => Err(format!(
                "`{after}` occurs more than once in `{}`; quote more of it",
                self.name
            )),
            _ => Err(format!("`{after}` is not in `{}`", self.name)),
        }
    }

    /// The JSON of the first fenced block after `after` — of language `lang` when given — (for
    /// an `http` block, the part after the request line and headers), with its position.
    pub fn json_after(
        &self,
        after: &str,
        lang: Option<&str>,
    ) -> Result<(Value, Position), Located> {
        let from = self.anchor(after).map_err(Located::Fact)?;
        let found = self.blocks(from).into_iter().find(|b| match (b, lang) {
            (Ok(block), Some(lang)) => block.lang == lang,
            _ => true,
        });
        let block = match found {
            None => {
                return Err(Located::Fact(format!(
                    "no fenced block follows `{after}` in `{}`",
                    self.name
                )));
            }
            Some(block) => block.map_err(Located::Doc)?,
        };
        let (start, json) = match block.lang {
            "json" => (block.start, block.text),
            "http" => match block.text.find("\n\n") {
                Some(i) => (block.start + i + 2, &block.text[i + 2..]),
                None => (block.start + block.text.len(), ""),
            },
            other => {
                return Err(Located::Fact(format!(
                    "the block after `{after}` in `{}` is `{other}`, not `json` or `http`",
                    self.name
                )));
            }
        };
        let base = self.position(start);
        serde_json::from_str::<Value>(json)
            .map(|v| (v, base))
            .map_err(|e| {
                let at = Position {
                    line: base.line + e.line().saturating_sub(1),
                    column: if e.line() <= 1 {
                        base.column + e.column().saturating_sub(1)
                    } else {
                        e.column()
                    },
                };
                Located::Doc(SpecError::At {
                    file: self.shown.clone(),
                    at,
                    message: format!("the example after `{after}` is not JSON: {e}"),
                })
            })
    }

    /// Fenced blocks opening at or after `from` (fences are paired from the document's start).
    fn blocks(&self, from: usize) -> Vec<Result<Block<'_>, SpecError>> {
        let mut out = Vec::new();
        let mut open: Option<(usize, &str, usize)> = None;
        for (offset, line) in lines(&self.text) {
            let fence = line.trim_start().starts_with("```");
            match open {
                None if fence => {
                    let lang = line.trim_start().trim_start_matches('`').trim();
                    open = Some((offset, lang, offset + line.len() + 1));
                }
                Some((at, lang, start)) if fence => {
                    let end = offset.max(start);
                    open = None;
                    if at < from {
                        continue;
                    }
                    out.push(Ok(Block {
                        lang,
                        start,
                        text: &self.text[start.min(self.text.len())..end.min(self.text.len())],
                    }));
                }
                _ => {}
            }
        }
        if let Some((at, _, _)) = open {
            out.push(Err(self.error_at(at, "the fenced block is never closed")));
        }
        out
    }

    /// The rows of the tables that have a `column` column, in the section that starts with the
    /// heading containing `after` and ends at the next heading of the same or a higher level.
    pub fn records_after(&self, after: &str, column: &str) -> Result<Vec<Record>, String> {
        let records: Vec<Record> = self
            .tables_after(after)?
            .into_iter()
            .filter(|t| t.header.iter().any(|h| h.eq_ignore_ascii_case(column)))
            .flat_map(|t| {
                let header = t.header;
                t.rows.into_iter().map(move |(offset, cells)| Record {
                    offset,
                    cells: header.iter().cloned().zip(cells).collect(),
                })
            })
            .collect();
        if records.is_empty() {
            return Err(format!(
                "no table with a `{column}` column follows `{after}` in `{}`",
                self.name
            ));
        }
        Ok(records)
    }

    fn tables_after(&self, after: &str) -> Result<Vec<Table>, String> {
        let from = self.anchor(after)?;
        let line_start = self.text[..from].rfind('\n').map_or(0, |i| i + 1);
        let level = heading_level(&self.text[line_start..]).unwrap_or(usize::MAX);
        let mut tables = Vec::new();
        let mut current: Option<Table> = None;
        let mut in_fence = false;
        for (offset, line) in lines(&self.text).filter(|(o, _)| *o > line_start) {
            let trimmed = line.trim();
            if trimmed.starts_with("```") {
                in_fence = !in_fence;
            }
            if !in_fence && heading_level(line).is_some_and(|l| l <= level) {
                break;
            }
            if in_fence || !trimmed.starts_with('|') {
                tables.extend(current.take());
                continue;
            }
            let cells = split_row(trimmed);
            match current.as_mut() {
                None => {
                    current = Some(Table {
                        header: cells,
                        rows: Vec::new(),
                    });
                }
                Some(t) if cells.iter().all(|c| is_rule(c)) && t.rows.is_empty() => {}
                Some(t) => t.rows.push((offset, cells)),
            }
        }
        tables.extend(current);
        Ok(tables)
    }
}

/// Lines with their byte offsets (without the newline).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let at = offset;
        offset += line.len() + 1;
        (at, line.strip_suffix('\r').unwrap_or(line))
    })
}

/// `Some(n)` for a Markdown heading of level `n` (`## Title` is 2).
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    (hashes > 0 && line[hashes..].starts_with(' ')).then_some(hashes)
}

fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_rule(cell: &str) -> bool {
    !cell.is_empty() && cell.chars().all(|c| c == '-' || c == ':')
}

/// The vendored documents of one API, as `cargo xtask codegen` reads them.
#[derive(Debug)]
pub struct Loaded {
    /// The label, stating the hashes of the documents read (new copies included).
    pub label: Label,
    /// `docs/SOURCE.toml` as it is to be written: the committed text, relabelled for the
    /// replaced documents.
    pub label_text: String,
    pub docs: Vec<Doc>,
    /// Documents a new copy replaces (their copies differ from the vendored ones).
    pub replaced: Vec<Replaced>,
}

/// A new copy of a vendored document.
#[derive(Debug)]
pub struct Replaced {
    /// The document's file name in `docs/`.
    pub file: String,
    pub text: String,
    pub sha256: String,
}

/// Reads `docs/SOURCE.toml` and every document it lists, checking each one's hash; or, for
/// the documents `new_docs` has a copy of (a directory holding copies named like the
/// documents, or one such file), reads the copy instead and records it as replacing the
/// document when it differs.
pub fn load(dir: &Path, shown_dir: &str, new_docs: Option<&Path>) -> Result<Loaded, SpecError> {
    let label_shown = format!("{shown_dir}/docs/SOURCE.toml");
    let label_text = read(&dir.join("docs/SOURCE.toml"), &label_shown)?;
    let label: Label = super::parse_toml(&label_text, &label_shown)?;
    let copies = match new_docs {
        Some(path) => new_copies(path, &label, shown_dir)?,
        None => Vec::new(),
    };
    let mut docs = Vec::new();
    let mut replaced = Vec::new();
    for entry in &label.documents {
        let copy = copies.iter().find(|(file, _)| *file == entry.file);
        let (path, shown) = match copy {
            Some((_, path)) => (path.clone(), path.display().to_string()),
            None => (
                dir.join("docs").join(&entry.file),
                format!("{shown_dir}/docs/{}", entry.file),
            ),
        };
        let bytes = std::fs::read(&path).map_err(|e| SpecError::File {
            file: shown.clone(),
            message: e.to_string(),
        })?;
        let sha = crate::codegen::hex(&Sha256::digest(&bytes));
        if sha != entry.sha256 && copy.is_none() {
            return Err(SpecError::File {
                file: shown,
                message: format!(
                    "its sha256 is {sha}, not the {} that {label_shown} states; take a new copy in with `cargo xtask codegen --api {api} --docs PATH`",
                    entry.sha256,
                    api = shown_dir.rsplit('/').next().unwrap_or(shown_dir),
                ),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| SpecError::File {
            file: shown.clone(),
            message: format!("not UTF-8: {e}"),
        })?;
        if sha != entry.sha256 {
            replaced.push(Replaced {
                file: entry.file.clone(),
                text: text.clone(),
                sha256: sha,
            });
        }
        docs.push(Doc::new(&entry.file, shown, text));
    }
    if replaced.is_empty() {
        return Ok(Loaded {
            label,
            label_text,
            docs,
            replaced,
        });
    }
    let label_text = relabel(&label_text, &replaced, &label_shown)?;
    Ok(Loaded {
        label: super::parse_toml(&label_text, &label_shown)?,
        label_text,
        docs,
        replaced,
    })
}

/// The documents `path` has new copies of, by file name: every document with a namesake in
/// the directory `path`, or the one document the file `path` is named like.
fn new_copies(
    path: &Path,
    label: &Label,
    shown_dir: &str,
) -> Result<Vec<(String, std::path::PathBuf)>, SpecError> {
    let copies: Vec<(String, std::path::PathBuf)> = if path.is_dir() {
        label
            .documents
            .iter()
            .map(|d| (d.file.clone(), path.join(&d.file)))
            .filter(|(_, p)| p.is_file())
            .collect()
    } else {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        label
            .documents
            .iter()
            .filter(|d| d.file == name)
            .map(|d| (d.file.clone(), path.to_path_buf()))
            .collect()
    };
    if copies.is_empty() {
        let names: Vec<&str> = label.documents.iter().map(|d| d.file.as_str()).collect();
        let what = if path.exists() {
            "is not a copy of any of its documents"
        } else {
            "does not exist"
        };
        return Err(SpecError::File {
            file: path.display().to_string(),
            message: format!(
                "{what}; the documents of {shown_dir}/docs are {}: give a directory holding new copies named like them, or one such file",
                names.join(", ")
            ),
        });
    }
    Ok(copies)
}

/// `docs/SOURCE.toml` with each replaced document's new hash. Its `revision`, the commit the
/// old copy came from, is dropped; the rest of the label (comments, order) stays as it is.
fn relabel(
    label_text: &str,
    replaced: &[Replaced],
    label_shown: &str,
) -> Result<String, SpecError> {
    let mut out = String::with_capacity(label_text.len());
    let mut current: Option<&Replaced> = None;
    let mut rewritten = 0;
    for line in label_text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or_default().trim();
        if line.trim_start().starts_with('[') {
            current = None;
        } else if key == "file" {
            let value = line
                .split_once('=')
                .map(|(_, v)| v.trim().trim_matches('"'));
            current = replaced.iter().find(|r| Some(r.file.as_str()) == value);
        } else if let Some(r) = current {
            match key {
                "revision" => continue,
                "sha256" => {
                    out.push_str(&format!("sha256 = \"{}\"\n", r.sha256));
                    rewritten += 1;
                    continue;
                }
                _ => {}
            }
        }
        out.push_str(line);
    }
    if rewritten != replaced.len() {
        return Err(SpecError::File {
            file: label_shown.to_string(),
            message: "each document needs its `file` before its `sha256` to be relabelled".into(),
        });
    }
    Ok(out)
}

pub fn read(path: &Path, shown: &str) -> Result<String, SpecError> {
    std::fs::read_to_string(path).map_err(|e| SpecError::File {
        file: shown.to_string(),
        message: e.to_string(),
    })
}
