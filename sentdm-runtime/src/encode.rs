//! Small encoding helpers: path segments, body excerpts and base64 for basic auth.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a value for use as one path segment.
///
/// Every byte outside the RFC 3986 unreserved set is encoded, including `/`, `+`, `?`, `#`,
/// `%` and spaces, so the value can never change the shape of the path:
///
/// ```
/// use sentdm_runtime::encode_path_segment;
///
/// assert_eq!(encode_path_segment("+14155551234"), "%2B14155551234");
/// assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// Longest body excerpt kept in errors, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// A short, single-line excerpt of a response body for error messages.
///
/// Invalid UTF-8 is replaced, whitespace runs collapse to one space, other control characters
/// are dropped, and the result holds at most [`EXCERPT_CHARS`] characters (ending in `…` when
/// the body was longer).
pub(crate) fn excerpt(body: &[u8]) -> String {
    const SCAN_BYTES: usize = 8 * 1024;
    let scanned = body.get(..SCAN_BYTES).unwrap_or(body);
    let text = String::from_utf8_lossy(scanned);
    let mut out = String::new();
    let mut count = 0usize;
    'words: for word in text.split_whitespace() {
        if count > 0 {
            out.push(' ');
            count += 1;
        }
        for c in word.chars().filter(|c| !c.is_control()) {
            if count > EXCERPT_CHARS {
                break 'words;
            }
            out.push(c);
            count += 1;
        }
    }
    if count > EXCERPT_CHARS || scanned.len() < body.len() {
        if count >= EXCERPT_CHARS {
            if let Some((cut, _)) = out.char_indices().nth(EXCERPT_CHARS - 1) {
                out.truncate(cut);
            }
        }
        out.push('…');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(encode_path_segment("+14155551234"), "%2B14155551234");
        assert_eq!(encode_path_segment("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_path_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn excerpts_are_short_single_line_and_char_safe() {
        assert_eq!(
            excerpt(b"  <html>\n  <body>Bad</body>\n</html>\n"),
            "<html> <body>Bad</body> </html>"
        );
        let long = "é".repeat(500);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), EXCERPT_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&[0xff, 0xfe, b'a']), "\u{fffd}\u{fffd}a");
        assert_eq!(excerpt(b""), "");
    }
}
