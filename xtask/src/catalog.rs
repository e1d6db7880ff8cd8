//! Error codes as the reference pages list them.
//!
//! The error-catalog page has one section per code
//! (`### AUTH_001: Title **Error Message:** "…" **HTTP Status:** 401 Unauthorized`);
//! the errors page has tables (`| `AUTH_001` | 401 | User is not authenticated |`).

use crate::docs::Page;

/// One page's statement about an error code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeSighting {
    pub code: String,
    pub status: u16,
    pub message: String,
    pub page: String,
}

/// Whether `s` looks like a catalog code: `UPPER_123`.
pub fn is_code(s: &str) -> bool {
    match s.rsplit_once('_') {
        Some((prefix, digits)) => {
            !prefix.is_empty()
                && prefix.chars().all(|c| c.is_ascii_uppercase())
                && digits.len() == 3
                && digits.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Sections of the error-catalog page.
pub fn from_catalog_page(page: &Page) -> Vec<CodeSighting> {
    const MESSAGE: &str = "**Error Message:** \"";
    const STATUS: &str = "**HTTP Status:** ";
    let text = &page.text;
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(rel) = text[search..].find("### ") {
        let at = search + rel + 4;
        search = at;
        let Some((code, _)) = text[at..].split_once(':') else {
            continue;
        };
        if !is_code(code) {
            continue;
        }
        let section_end = text[at..].find("### ").map_or(text.len(), |n| at + n);
        let section = &text[at..section_end];
        let message = section
            .find(MESSAGE)
            .and_then(|m| {
                let s = &section[m + MESSAGE.len()..];
                s.find('"').map(|e| s[..e].to_string())
            })
            .unwrap_or_default();
        let status = section.find(STATUS).and_then(|s| {
            section[s + STATUS.len()..]
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u16>().ok())
        });
        if let Some(status) = status {
            out.push(CodeSighting {
                code: code.to_string(),
                status,
                message,
                page: page.name.clone(),
            });
        }
    }
    out
}

/// Rows `| `CODE` | status | message |` of any table on a page.
pub fn from_tables(page: &Page) -> Vec<CodeSighting> {
    let text = &page.text;
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(rel) = text[search..].find("| `") {
        let at = search + rel + 3;
        search = at;
        let Some(end) = text[at..].find('`') else {
            break;
        };
        let code = &text[at..at + end];
        if !is_code(code) {
            continue;
        }
        let rest = &text[at + end + 1..];
        let mut cells = rest.split('|').map(str::trim).skip(1);
        let (Some(status), Some(message)) = (cells.next(), cells.next()) else {
            continue;
        };
        if let Ok(status) = status.parse::<u16>() {
            out.push(CodeSighting {
                code: code.to_string(),
                status,
                message: message.to_string(),
                page: page.name.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        Page {
            url: "https://d/llms/p.txt".into(),
            name: "p".into(),
            title: "P".into(),
            text: text.into(),
            offset: 0,
        }
    }

    #[test]
    fn catalog_sections() {
        let p = page(
            "## Auth ### AUTH_001: User is not authenticated **Error Message:** \"User is not authenticated\" \
             **HTTP Status:** 401 Unauthorized **Cause:** x --- ### Not a code: y ### BUSINESS_003: Low \
             **Error Message:** \"Insufficient account balance\" **HTTP Status:** 422 Unprocessable",
        );
        let s = from_catalog_page(&p);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].code, "AUTH_001");
        assert_eq!(s[0].status, 401);
        assert_eq!(s[0].message, "User is not authenticated");
        assert_eq!(s[1].status, 422);
    }

    #[test]
    fn table_rows() {
        let p = page(
            "| Code | HTTP | Message | |---|---|---| | `AUTH_001` | 401 | User is not authenticated | | `x-api-key` | header | no |",
        );
        let s = from_tables(&p);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].message, "User is not authenticated");
    }

    #[test]
    fn code_shape() {
        assert!(is_code("VALIDATION_004"));
        assert!(!is_code("x-api-key"));
        assert!(!is_code("AUTH_1"));
    }
}
