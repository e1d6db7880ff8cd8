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
/// use sentdm_client::runtime::encode_path_segment;
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

/// Standard base64 with padding, used for `Authorization: Basic`.
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
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

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
