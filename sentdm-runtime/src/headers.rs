//! Header names the runtime treats specially, and the checks on caller-supplied headers.

use http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, EXPECT, HOST, PROXY_AUTHORIZATION, TE, TRAILER,
    TRANSFER_ENCODING, UPGRADE,
};
use http::{HeaderMap, HeaderName, HeaderValue};

pub(crate) const APPLICATION_JSON: &str = "application/json";

/// Name of the response header carrying the server's request id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";
/// Response header saying the response is a stored one, replayed for a repeated
/// `Idempotency-Key`.
pub(crate) const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Response header with the request id of the request whose response was replayed.
pub(crate) const ORIGINAL_REQUEST_ID_HEADER: &str = "x-original-request-id";

/// Hop-by-hop and framing headers with no standard constant in `http`.
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
const PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

/// Why a caller may not set the header `name`, if they may not: it frames or routes the
/// message (the HTTP client owns those), or it carries a credential (`credentials` are the
/// headers the API's credentials travel in).
pub(crate) fn forbidden_header(
    name: &HeaderName,
    credentials: &[(HeaderName, HeaderValue)],
) -> Option<&'static str> {
    let framing = [
        HOST,
        CONTENT_LENGTH,
        TRANSFER_ENCODING,
        CONNECTION,
        KEEP_ALIVE,
        PROXY_CONNECTION,
        TE,
        TRAILER,
        UPGRADE,
        EXPECT,
    ];
    if framing.contains(name) {
        return Some("it frames or routes the HTTP message, which the HTTP client does itself");
    }
    if *name == AUTHORIZATION
        || *name == PROXY_AUTHORIZATION
        || credentials.iter().any(|(header, _)| header == name)
    {
        return Some("it carries the credential; set the credential on the client builder");
    }
    None
}

/// A header's value as text, if present and visible ASCII.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}
