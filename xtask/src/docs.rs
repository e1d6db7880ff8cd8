//! The flattened documentation export: splitting it into pages and locating text in it.
//!
//! The export is one text file in which every page starts with a banner
//! `==== SOURCE: <url> TITLE: <title> ==== URL: <url>` and the export collapsed each page's
//! newlines into spaces. Positions reported to users are line:column in that file plus the
//! page's URL, so a maintainer can find the spot in any editor.

use crate::error::{DocsError, Position};

/// Marker that every page URL of the export contains; page names are the part after it.
const LLMS_MARKER: &str = "/llms/";

/// One documentation page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Source URL from the banner.
    pub url: String,
    /// Page name: the URL path after `/llms/`, without `.txt` (e.g. `reference/api/data-models`).
    pub name: String,
    /// Title from the banner.
    pub title: String,
    /// Page text after the banner.
    pub text: String,
    /// Byte offset of `text` in the whole export.
    pub offset: usize,
}

/// The whole export, split into pages.
#[derive(Debug)]
pub struct Docs {
    source: String,
    pub pages: Vec<Page>,
}

impl Docs {
    /// Splits the export into pages.
    pub fn parse(source: String) -> Result<Docs, DocsError> {
        let banners = find_banners(&source)?;
        if banners.is_empty() {
            return Err(DocsError::NoPages);
        }
        let mut pages = Vec::with_capacity(banners.len());
        for (i, banner) in banners.iter().enumerate() {
            let end = banners.get(i + 1).map_or(source.len(), |next| next.start);
            let text = source[banner.body_start..end].trim_end().to_string();
            let name = page_name(&banner.url).ok_or_else(|| DocsError::Syntax {
                page: banner.url.clone(),
                at: Position::locate(&source, banner.start),
                message: format!("page URL does not contain `{LLMS_MARKER}`"),
            })?;
            pages.push(Page {
                url: banner.url.clone(),
                name,
                title: banner.title.clone(),
                text,
                offset: banner.body_start,
            });
        }
        Ok(Docs { source, pages })
    }

    /// The page with the given name.
    pub fn page(&self, name: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.name == name)
    }

    /// Line and column of a byte offset within a page's text.
    pub fn position(&self, page: &Page, offset_in_page: usize) -> Position {
        Position::locate(&self.source, page.offset + offset_in_page)
    }
}

struct Banner {
    start: usize,
    body_start: usize,
    url: String,
    title: String,
}

/// Finds `==== SOURCE: <url> TITLE: <title> ==== URL: <url>` banners.
fn find_banners(source: &str) -> Result<Vec<Banner>, DocsError> {
    const SOURCE: &str = " SOURCE: ";
    const TITLE: &str = " TITLE: ";
    const RULE: &str = "==========";
    let mut banners = Vec::new();
    let mut search = 0;
    while let Some(rel) = source[search..].find(SOURCE) {
        let marker = search + rel;
        // A banner's SOURCE follows a rule of `=`; anything else is page text quoting the word.
        let rule_start = source[..marker].trim_end_matches('=').len();
        if marker - rule_start < RULE.len() {
            search = marker + SOURCE.len();
            continue;
        }
        let url_start = marker + SOURCE.len();
        let url_end = source[url_start..]
            .find(char::is_whitespace)
            .map_or(source.len(), |i| url_start + i);
        let url = source[url_start..url_end].to_string();
        let err = |message: &str| DocsError::Syntax {
            page: url.clone(),
            at: Position::locate(source, marker),
            message: message.to_string(),
        };
        let rest = &source[url_end..];
        if !rest.starts_with(TITLE) {
            return Err(err("banner has no ` TITLE: ` after the SOURCE URL"));
        }
        let title_start = url_end + TITLE.len();
        let title_end = source[title_start..]
            .find(RULE)
            .map(|i| title_start + i)
            .ok_or_else(|| err("banner title is not followed by a `====` rule"))?;
        let title = source[title_start..title_end].trim().to_string();
        let rule_len =
            source[title_end..].len() - source[title_end..].trim_start_matches('=').len();
        let body = source[title_end + rule_len..].trim_start();
        let mut body_start = source.len() - body.len();
        // The banner repeats the URL once more: `URL: <url>`.
        if let Some(stripped) = body.strip_prefix("URL: ") {
            let url_len = stripped.find(char::is_whitespace).unwrap_or(stripped.len());
            body_start += "URL: ".len() + url_len;
            let tail = &source[body_start..];
            body_start += tail.len() - tail.trim_start().len();
        }
        banners.push(Banner {
            start: rule_start,
            body_start,
            url,
            title,
        });
        search = body_start;
    }
    Ok(banners)
}

fn page_name(url: &str) -> Option<String> {
    let at = url.find(LLMS_MARKER)?;
    let path = &url[at + LLMS_MARKER.len()..];
    Some(path.strip_suffix(".txt").unwrap_or(path).to_string())
}

/// Collapses runs of whitespace to one space, for comparing quotes with page text.
pub fn normalize_ws(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn banner(url: &str, title: &str, body: &str) -> String {
        format!(
            "{rule} SOURCE: {url} TITLE: {title} {rule} URL: {url} {body} ",
            rule = "=".repeat(80)
        )
    }

    #[test]
    fn splits_pages_and_names_them() {
        let text = banner(
            "https://docs.example.com/llms/reference/api/a.txt",
            "Page A",
            "# A body text",
        ) + &banner(
            "https://docs.example.com/llms/sdks.txt",
            "SDKs",
            "Second page",
        );
        let docs = Docs::parse(text).expect("parses");
        assert_eq!(docs.pages.len(), 2);
        assert_eq!(docs.pages[0].name, "reference/api/a");
        assert_eq!(docs.pages[0].title, "Page A");
        assert_eq!(docs.pages[0].text, "# A body text");
        assert_eq!(docs.pages[1].name, "sdks");
        assert_eq!(docs.pages[1].text, "Second page");
    }

    #[test]
    fn word_source_inside_text_is_not_a_banner() {
        let text = banner(
            "https://docs.example.com/llms/a.txt",
            "A",
            "see SOURCE: of truth",
        );
        let docs = Docs::parse(text).expect("parses");
        assert_eq!(docs.pages.len(), 1);
        assert!(docs.pages[0].text.contains("SOURCE: of truth"));
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(matches!(
            Docs::parse("no banner here".into()),
            Err(DocsError::NoPages)
        ));
    }

    #[test]
    fn banner_without_title_names_the_page_and_position() {
        let text = format!(
            "{}\n{} SOURCE: https://x/llms/p.txt oops",
            "intro",
            "=".repeat(20)
        );
        let err = Docs::parse(text).expect_err("must fail");
        let msg = err.to_string();
        assert!(msg.contains("https://x/llms/p.txt"), "{msg}");
        assert!(msg.contains("2:"), "line 2 expected in {msg}");
    }

    #[test]
    fn positions_are_line_and_column() {
        let text = format!("x\ny\n{}", banner("https://d/llms/p.txt", "P", "abc def"));
        let docs = Docs::parse(text).expect("parses");
        let page = &docs.pages[0];
        let at = docs.position(page, 4);
        assert_eq!(at.line, 3);
        assert!(at.column > 80);
    }

    #[test]
    fn normalizes_whitespace() {
        assert_eq!(normalize_ws("  a \n b\t\tc "), "a b c");
    }
}
