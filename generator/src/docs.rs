//! Doc comments: text from the document made safe for rustdoc.
//!
//! Descriptions are Markdown written for a web page. Rustdoc reads them as Markdown too, but
//! treats `[name]` as an intra-doc link, `<word>` as an HTML tag, bare URLs as lint targets and
//! unlabelled or indented code blocks as doctests. [`escape`] rewrites exactly those constructs.

use proc_macro2::TokenStream;
use quote::quote;

/// Languages that are kept on fenced code blocks; anything else becomes `text` so that rustdoc
/// never compiles a block as a doctest.
const FENCE_LANGUAGES: &[&str] = &[
    "bash",
    "console",
    "csv",
    "html",
    "http",
    "javascript",
    "js",
    "json",
    "jsonc",
    "python",
    "sh",
    "shell",
    "sql",
    "text",
    "ts",
    "typescript",
    "xml",
    "yaml",
    "yml",
];

/// Lines of a doc comment under construction.
#[derive(Default, Debug, Clone)]
pub(crate) struct Docs {
    lines: Vec<String>,
}

impl Docs {
    pub(crate) fn new() -> Docs {
        Docs::default()
    }

    /// A paragraph of text taken from the document.
    pub(crate) fn text(&mut self, text: &str) -> &mut Docs {
        let escaped = escape(text);
        if !escaped.is_empty() {
            self.separate();
            self.lines.extend(escaped);
        }
        self
    }

    /// An optional paragraph taken from the document.
    pub(crate) fn opt_text(&mut self, text: Option<&str>) -> &mut Docs {
        if let Some(text) = text {
            self.text(text);
        }
        self
    }

    /// A paragraph written by the generator (already valid rustdoc Markdown).
    pub(crate) fn line(&mut self, line: impl Into<String>) -> &mut Docs {
        self.separate();
        self.lines.push(line.into());
        self
    }

    /// A line appended to the current paragraph.
    pub(crate) fn cont(&mut self, line: impl Into<String>) -> &mut Docs {
        self.lines.push(line.into());
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn separate(&mut self) {
        if !self.lines.is_empty() {
            self.lines.push(String::new());
        }
    }

    /// `#[doc = "..."]` attributes, one per line, which print as `///` comments.
    pub(crate) fn attrs(&self) -> TokenStream {
        let lines = self.lines.iter().map(|line| {
            let text = if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #text])
        });
        quote!(#(#lines)*)
    }
}

/// Escapes Markdown from the document for rustdoc, returning its lines.
pub(crate) fn escape(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    for raw in text.trim().lines() {
        let trimmed = raw.trim_start();
        match &fence {
            Some(marker) => {
                if trimmed.starts_with(marker.as_str()) && trimmed[marker.len()..].trim().is_empty()
                {
                    out.push(marker.clone());
                    fence = None;
                } else {
                    out.push(raw.trim_end().to_owned());
                }
            }
            None => {
                if let Some((marker, info)) = fence_open(trimmed) {
                    let language = info.split([' ', ',', '{']).next().unwrap_or("");
                    let language = language.to_ascii_lowercase();
                    let language = if FENCE_LANGUAGES.contains(&language.as_str()) {
                        language
                    } else {
                        "text".to_owned()
                    };
                    out.push(format!("{marker}{language}"));
                    fence = Some(marker);
                } else {
                    out.push(escape_line(trimmed).trim_end().to_owned());
                }
            }
        }
    }
    if let Some(marker) = fence {
        out.push(marker);
    }
    // Collapse runs of blank lines and drop leading/trailing ones.
    let mut lines: Vec<String> = Vec::with_capacity(out.len());
    for line in out {
        if line.is_empty() && lines.last().is_none_or(|last: &String| last.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines
}

/// `("```", "json")` for a line opening a fenced code block.
fn fence_open(line: &str) -> Option<(String, &str)> {
    for marker_char in ['`', '~'] {
        let count = line.chars().take_while(|&c| c == marker_char).count();
        if count >= 3 {
            let info = line[count..].trim();
            if marker_char == '`' && info.contains('`') {
                return None;
            }
            return Some((marker_char.to_string().repeat(count), info));
        }
    }
    None
}

fn escape_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '`' => {
                let run = run_length(&chars, i, '`');
                if let Some(end) = find_run(&chars, i + run, run) {
                    out.extend(&chars[i..end + run]);
                    i = end + run;
                } else {
                    for _ in 0..run {
                        out.push_str("\\`");
                    }
                    i += run;
                }
            }
            '[' => {
                if let Some((text_end, url_end)) = markdown_link(&chars, i) {
                    out.push('[');
                    out.push_str(&escape_line(
                        &chars[i + 1..text_end].iter().collect::<String>(),
                    ));
                    out.push(']');
                    out.extend(&chars[text_end + 1..=url_end]);
                    i = url_end + 1;
                } else {
                    out.push_str("\\[");
                    i += 1;
                }
            }
            ']' => {
                out.push_str("\\]");
                i += 1;
            }
            '<' => {
                if let Some(end) = autolink(&chars, i) {
                    out.extend(&chars[i..=end]);
                    i = end + 1;
                } else {
                    out.push_str("\\<");
                    i += 1;
                }
            }
            '>' => {
                out.push_str("\\>");
                i += 1;
            }
            'h' if starts_url(&chars, i) && (i == 0 || !chars[i - 1].is_alphanumeric()) => {
                let end = url_end(&chars, i);
                out.push('<');
                out.extend(&chars[i..end]);
                out.push('>');
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn run_length(chars: &[char], start: usize, c: char) -> usize {
    chars[start..].iter().take_while(|&&x| x == c).count()
}

/// Start of the next run of exactly `len` backticks at or after `from`.
fn find_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = run_length(chars, i, '`');
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// `[text](https://...)`: the index of `]` and of `)`.
fn markdown_link(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let close = (start + 1..chars.len()).find(|&j| chars[j] == ']' || chars[j] == '[')?;
    if chars[close] != ']' || chars.get(close + 1) != Some(&'(') || !starts_url(chars, close + 2) {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&j| chars[j] == ')' || chars[j].is_whitespace())?;
    (chars[end] == ')').then_some((close, end))
}

/// `<https://...>`: the index of `>`.
fn autolink(chars: &[char], start: usize) -> Option<usize> {
    if !starts_url(chars, start + 1) {
        return None;
    }
    let end = (start + 1..chars.len()).find(|&j| chars[j] == '>' || chars[j].is_whitespace())?;
    (chars[end] == '>').then_some(end)
}

fn starts_url(chars: &[char], at: usize) -> bool {
    let rest: String = chars.get(at..).unwrap_or(&[]).iter().take(8).collect();
    rest.starts_with("http://") || rest.starts_with("https://")
}

fn url_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len()
        && !chars[end].is_whitespace()
        && !matches!(
            chars[end],
            '<' | '>' | '"' | '\'' | '`' | ')' | ']' | '(' | '['
        )
    {
        end += 1;
    }
    while end > start && matches!(chars[end - 1], '.' | ',' | ';' | ':' | '!' | '?') {
        end -= 1;
    }
    end
}

/// Inline code for a value written by the generator: `` `value` ``.
pub(crate) fn code(value: &str) -> String {
    let longest = value.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{value}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {value} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_rustdoc_hazards() {
        assert_eq!(
            escape("Use [brackets] and <T> here"),
            vec!["Use \\[brackets\\] and \\<T\\> here"]
        );
        assert_eq!(
            escape("See https://docs.sent.dm/x. Or <https://a.b>"),
            vec!["See <https://docs.sent.dm/x>. Or <https://a.b>"]
        );
        assert_eq!(
            escape("A [link](https://a.b/c) stays"),
            vec!["A [link](https://a.b/c) stays"]
        );
        assert_eq!(escape("code `[x]` kept"), vec!["code `[x]` kept"]);
        assert_eq!(escape("lone ` tick"), vec!["lone \\` tick"]);
    }

    #[test]
    fn code_blocks_never_become_doctests() {
        let lines = escape("Example:\n```\nlet x = 1;\n```\n\n    indented\n```json\n{}\n```");
        assert_eq!(
            lines,
            vec![
                "Example:",
                "```text",
                "let x = 1;",
                "```",
                "",
                "indented",
                "```json",
                "{}",
                "```"
            ]
        );
        assert_eq!(escape("```\nunclosed"), vec!["```text", "unclosed", "```"]);
    }

    #[test]
    fn code_spans() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
