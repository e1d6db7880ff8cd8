//! Building a call's HTTP request before any I/O: the URL from the path and query, the headers
//! in their order of precedence (with the idempotency key, generated when none was given), and
//! the body with the runtime's body defaults. Whatever is refused here was never sent.

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use reqwest::Url;

use super::error::Error;
use super::headers::{APPLICATION_JSON, forbidden_header};
use super::state::Inner;
use super::{JsonBody, Operation, OperationRequest, RequestBody};

/// Longest prefix of generated idempotency keys; a longer configured one is cut.
const MAX_KEY_PREFIX: usize = 32;

/// A request ready to be sent, as many times as the retry policy allows.
pub(crate) struct Prepared {
    /// `None` once the last attempt took it. Without its body for multipart requests, whose
    /// form is built for each attempt.
    pub(crate) request: Option<reqwest::Request>,
    pub(crate) idempotency_key: Option<HeaderValue>,
    #[cfg(feature = "multipart")]
    pub(crate) multipart: Option<super::upload::Multipart>,
}

impl Prepared {
    /// Whether the request can be sent once more.
    pub(crate) fn is_replayable(&self) -> bool {
        #[cfg(feature = "multipart")]
        if let Some(form) = &self.multipart {
            return form.is_replayable();
        }
        self.request.is_some()
    }
}

/// Builds the HTTP request: URL, headers (with the idempotency key) and body.
pub(crate) fn prepare(inner: &Inner, request: OperationRequest) -> Result<Prepared, Error> {
    let op = request.operation;
    check_path(op.path, &request.path)?;
    let url = url(inner, &request.path, &request.query, &request.options.query);

    // Room for the client-wide headers, the request's own, a key and a content type, so
    // that nothing grows while the request is assembled.
    let room = inner.base_headers.len() + request.headers.len() + request.options.headers.len();
    let mut headers = HeaderMap::with_capacity(room + 2);
    for (name, value) in &inner.base_headers {
        headers.append(name.clone(), value.clone());
    }
    for (name, value) in request.headers {
        let name = header_name(name)?;
        let value = header_value(name.as_str(), value)?;
        headers.insert(name, value);
    }
    for (name, value) in request.options.headers {
        let header = header_name(&name)?;
        if let Some(why) = forbidden_header(&header, &inner.auth.headers) {
            return Err(Error::invalid_request(
                name,
                format!("cannot be set per request: {why}"),
            ));
        }
        if let Some(param) = op.header_param(&name) {
            (param.check)(&value)?;
        }
        headers.insert(header, header_value(&name, value)?);
    }
    let idempotency_key = match op.idempotency_header(inner.description) {
        None => None,
        Some(name) => {
            let name = header_name(name)?;
            if !headers.contains_key(&name) {
                headers.insert(
                    name.clone(),
                    generated_key(inner.description.idempotency_key_prefix),
                );
            }
            headers.get(&name).cloned()
        }
    };

    let mut http_request = reqwest::Request::new(op.method.clone(), url);
    #[cfg(feature = "multipart")]
    let mut multipart = None;
    match request.body {
        None => {
            let body = with_body_defaults(inner, op, None)?;
            attach_json(&mut headers, &mut http_request, body);
        }
        Some(RequestBody::Json(body)) => {
            let body = with_body_defaults(inner, op, Some(body))?;
            attach_json(&mut headers, &mut http_request, body);
        }
        #[cfg(feature = "multipart")]
        Some(RequestBody::Multipart(form)) => multipart = Some(form),
    }
    *http_request.headers_mut() = headers;
    Ok(Prepared {
        request: Some(http_request),
        idempotency_key,
        #[cfg(feature = "multipart")]
        multipart,
    })
}

/// Attaches a JSON body, if there is one, with its content type.
fn attach_json(headers: &mut HeaderMap, request: &mut reqwest::Request, body: Option<JsonBody>) {
    if let Some(body) = body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(APPLICATION_JSON));
        *request.body_mut() = Some(reqwest::Body::from(body.into_bytes()));
    }
}

/// The URL of `path` (already encoded) with the `query` parameters (encoded here) and,
/// for query-string authentication, the credential.
fn url(
    inner: &Inner,
    path: &str,
    query: &[(&'static str, String)],
    extra: &[(String, String)],
) -> Url {
    let mut url = inner.base_url.clone();
    let base_path = url.path().trim_end_matches('/');
    let mut full = String::with_capacity(base_path.len() + path.len() + 1);
    full.push_str(base_path);
    if !path.starts_with('/') {
        full.push('/');
    }
    full.push_str(path);
    url.set_path(&full);
    let auth_query = &inner.auth.query;
    if !query.is_empty() || !extra.is_empty() || !auth_query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
        for (name, value) in extra {
            pairs.append_pair(name, value);
        }
        for (name, value) in auth_query {
            pairs.append_pair(name, value.expose());
        }
    }
    url
}

/// The body with the runtime's body defaults added where the operation's body has the
/// field and the caller did not set it.
fn with_body_defaults(
    inner: &Inner,
    op: &Operation,
    body: Option<JsonBody>,
) -> Result<Option<JsonBody>, Error> {
    let defaults: Vec<&(String, serde_json::Value)> = inner
        .body_defaults
        .iter()
        .filter(|(field, _)| op.body_fields.contains(&field.as_str()))
        .collect();
    if defaults.is_empty() {
        return Ok(body);
    }
    let mut object = match body {
        None => serde_json::Map::new(),
        Some(body) => match serde_json::from_slice::<serde_json::Value>(body.as_bytes()) {
            Ok(serde_json::Value::Object(object)) => object,
            // Not an object: nothing to add a field to.
            _ => return Ok(Some(body)),
        },
    };
    for (field, value) in defaults {
        if !object.contains_key(field) {
            object.insert(field.clone(), value.clone());
        }
    }
    JsonBody::new(&object).map(Some)
}

/// A fresh idempotency key: `prefix` (such as `sentdm-`) and 32 hex digits of a UUID v4.
/// The random bits come from a fast per-thread generator: keys must not collide, not resist
/// prediction.
fn generated_key(prefix: &str) -> HeaderValue {
    let uuid = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let prefix = prefix.as_bytes();
    let prefix = &prefix[..prefix.len().min(MAX_KEY_PREFIX)];
    let mut key = [0u8; MAX_KEY_PREFIX + uuid::fmt::Simple::LENGTH];
    let (head, rest) = key.split_at_mut(prefix.len());
    head.copy_from_slice(prefix);
    let hex = uuid
        .simple()
        .encode_lower(&mut rest[..uuid::fmt::Simple::LENGTH])
        .len();
    let key = &key[..prefix.len() + hex];
    // Hex is always a valid header value; a prefix that is not falls back to the hex alone.
    HeaderValue::from_bytes(key).unwrap_or_else(|_| {
        HeaderValue::from_bytes(&key[prefix.len()..]).unwrap_or(HeaderValue::from_static("key"))
    })
}

/// Rejects expanded paths that would reach another endpoint or be rewritten by URL parsing:
/// an empty parameter (`/contacts/` instead of `/contacts/{id}`), a `.`/`..` segment (which
/// URL normalization would remove), a `\` (which it would turn into `/`), and control
/// characters such as TAB, CR and LF (which it would drop).
fn check_path(template: &str, path: &str) -> Result<(), Error> {
    if let Some(c) = path.chars().find(|c| *c == '\\' || c.is_control()) {
        return Err(Error::invalid_request(
            "path",
            format!(
                "must not contain {} (URL parsing would rewrite it); encode path values with \
                 `encode_path_segment`",
                c.escape_debug()
            ),
        ));
    }
    let template_segments = template.split('/');
    if template_segments.clone().count() == path.split('/').count() {
        for (param, value) in template_segments.zip(path.split('/')) {
            let Some(name) = param.strip_prefix('{').and_then(|p| p.strip_suffix('}')) else {
                continue;
            };
            if value.is_empty() {
                return Err(Error::invalid_request(name, "must not be empty"));
            }
            if is_dot_segment(value) {
                return Err(Error::invalid_request(name, "must not be `.` or `..`"));
            }
        }
    }
    if path.split('/').any(is_dot_segment) {
        return Err(Error::invalid_request(
            "path",
            "must not contain `.` or `..` segments",
        ));
    }
    Ok(())
}

/// `.` or `..`, also percent-encoded (`%2e`, any case).
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        if rest[0] == b'.' {
            rest = &rest[1..];
        } else if rest.len() >= 3 && rest[0] == b'%' && rest[1] == b'2' && rest[2] | 0x20 == b'e' {
            rest = &rest[3..];
        } else {
            return false;
        }
        dots += 1;
    }
    matches!(dots, 1 | 2)
}

fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_request(name, "is not a valid HTTP header name"))
}

/// A caller-supplied header value, taken without copying.
fn header_value(name: &str, value: String) -> Result<HeaderValue, Error> {
    HeaderValue::from_maybe_shared(Bytes::from(value)).map_err(|_| {
        Error::invalid_request(
            name,
            "is not a valid HTTP header value (control characters are not allowed)",
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_in_any_encoding() {
        for dot in [".", "..", "%2e", "%2E", "%2e%2E", ".%2e", "%2e."] {
            assert!(is_dot_segment(dot), "{dot}");
        }
        for other in ["", "...", "a.", ".a", "%2f", "%2", "%2e%2e%2e", "v3"] {
            assert!(!is_dot_segment(other), "{other}");
        }
    }

    #[test]
    fn generated_keys_are_unique_and_well_formed() {
        let keys: std::collections::BTreeSet<String> = (0..1000)
            .map(|_| generated_key("sentdm-").to_str().unwrap().to_owned())
            .collect();
        assert_eq!(keys.len(), 1000);
        for key in &keys {
            assert_eq!(key.len(), 39);
            assert!(key.starts_with("sentdm-"));
            let uuid = uuid::Uuid::parse_str(&key["sentdm-".len()..]).unwrap();
            assert_eq!(uuid.get_version_num(), 4);
        }
    }

    #[test]
    fn odd_key_prefixes_are_cut_or_dropped() {
        let long = "p".repeat(100);
        let key = generated_key(&long);
        assert_eq!(key.len(), MAX_KEY_PREFIX + 32);
        let key = generated_key("bad\nprefix-");
        assert_eq!(key.len(), 32);
        assert_eq!(generated_key("").len(), 32);
    }

    #[test]
    fn raw_paths_with_rewritable_characters_are_refused() {
        for path in [
            "/v3/a\\b",
            "/v3/a\tb",
            "/v3/a\rb",
            "/v3/a\nb",
            "/v3/a\u{7f}",
        ] {
            let error = check_path("/v3/{id}", path).unwrap_err();
            assert!(
                error.to_string().starts_with("path: must not contain"),
                "{error}"
            );
        }
        check_path("/v3/{id}", "/v3/a%5Cb").unwrap();
    }
}
