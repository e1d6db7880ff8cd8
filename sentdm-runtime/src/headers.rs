//! Header names the runtime treats specially, and the checks on caller-supplied headers.

use http::HeaderName;
use http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, EXPECT, HOST, PROXY_AUTHORIZATION, TE, TRAILER,
    TRANSFER_ENCODING, UPGRADE,
};

pub(crate) const APPLICATION_JSON: &str = "application/json";

/// Header carrying the idempotency key of a mutation.
pub(crate) const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Hop-by-hop and framing headers with no standard constant in `http`.
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
const PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

/// Why a caller may not set the header `name`, if they may not: it frames or routes the
/// message (the HTTP client owns those), or it carries the credential (`auth_header` is the
/// API's own credential header, when it uses one).
pub(crate) fn forbidden_header(
    name: &HeaderName,
    auth_header: Option<&HeaderName>,
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
    if *name == AUTHORIZATION || *name == PROXY_AUTHORIZATION || Some(name) == auth_header {
        return Some("it carries the credential; set the credential on the client builder");
    }
    None
}
