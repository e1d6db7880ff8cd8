//! Building a runtime: defaults, validation of the configuration, and redaction.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use sentdm_client::runtime::{
    ApiDescription, Auth, Error, ErrorBody, RequestOptions, Runtime, Secret, Server,
};

const KEY: &str = "sk_live_0d9c8b7a-very-secret";

/// The description the Sent client ships, generated from the spec.
static SENT: &ApiDescription = &sentdm_client::API;

static PLAIN: ApiDescription = ApiDescription {
    title: "Petstore",
    version: "1.0.0",
    servers: &[Server {
        url: "http://petstore.example.com/v1",
        description: "",
        key_prefix: None,
    }],
    auth: &[Auth::Bearer],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static OPEN: ApiDescription = ApiDescription {
    title: "Open",
    version: "1",
    servers: &[Server {
        url: "https://open.example.com",
        description: "",
        key_prefix: None,
    }],
    auth: &[],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

static BAD_HEADER_NAME: ApiDescription = ApiDescription {
    title: "Broken",
    version: "1",
    servers: &[Server {
        url: "https://broken.example.com",
        description: "",
        key_prefix: None,
    }],
    auth: &[Auth::ApiKeyHeader { name: "x api key" }],
    envelope: None,
    error_body: ErrorBody {
        code: None,
        message: None,
    },
    transient_error_codes: &[],
    idempotency_header: None,
    idempotency_key_prefix: "",
};

fn config_message(result: Result<Runtime, Error>) -> String {
    match result {
        Err(Error::Config { message }) => message,
        Err(other) => panic!("expected a configuration error, got {other:?}"),
        Ok(runtime) => panic!("expected a configuration error, got {runtime:?}"),
    }
}

#[test]
fn defaults_come_from_the_description() {
    let runtime = Runtime::builder(SENT).credential(KEY).build().unwrap();
    assert_eq!(runtime.base_url(), "https://api.sent.dm/");
    assert_eq!(runtime.timeout(), Duration::from_secs(60));
    assert_eq!(runtime.description().title, "Sent.dm API");

    // A plain-http default to a host that is not loopback needs the explicit opt-in.
    assert!(config_message(Runtime::new(&PLAIN, "tok")).contains("allow_insecure_http(true)"));
    let runtime = Runtime::builder(&PLAIN)
        .credential("tok")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(runtime.base_url(), "http://petstore.example.com/v1");
    assert_eq!(runtime.deadline(), Some(Duration::from_secs(120)));
    assert_eq!(runtime.max_response_bytes(), 16 * 1024 * 1024);
}

#[test]
fn plain_http_is_refused_unless_loopback_or_allowed() {
    let build = |url: &str, allow: bool| {
        Runtime::builder(SENT)
            .credential(KEY)
            .base_url(url)
            .allow_insecure_http(allow)
            .build()
    };
    let message = config_message(build("http://api.sent.dm", false));
    assert_eq!(
        message,
        "the base URL uses plain http to `api.sent.dm`, which is not a loopback host, so the \
         credential would travel unencrypted; use https, or call `allow_insecure_http(true)` on \
         the builder to accept that"
    );
    for loopback in [
        "http://127.0.0.1:8080",
        "http://127.3.2.1",
        "http://localhost:3000/api",
        "http://LOCALHOST.",
        "http://mock.localhost",
        "http://[::1]:9000",
    ] {
        assert!(build(loopback, false).is_ok(), "{loopback}");
    }
    for remote in [
        "http://10.0.0.1",
        "http://192.168.1.1",
        "http://localhost.example.com",
    ] {
        assert!(build(remote, false).is_err(), "{remote}");
        assert!(build(remote, true).is_ok(), "{remote}");
    }
    assert!(build("https://api.sent.dm", false).is_ok());
}

#[test]
fn base_url_errors_never_repeat_query_or_userinfo() {
    let build = |url: &str| Runtime::builder(SENT).credential(KEY).base_url(url).build();
    for url in [
        "https://api.sent.dm/?api_key=hunter2",
        "https://api.sent.dm/#hunter2",
        "https://admin:hunter2@api.sent.dm",
        "http://admin:hunter2@example.com/?token=hunter2",
        "ftp://hunter2@api.sent.dm/?hunter2",
    ] {
        let error = build(url).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("hunter2"), "{url}: {text}");
    }
    let builder = Runtime::builder(SENT).base_url("https://u:hunter2@api.sent.dm/?key=hunter2");
    let debug = format!("{builder:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("https://api.sent.dm/"), "{debug}");
}

#[test]
fn base_url_must_be_http_or_https() {
    let build = |url: &str| Runtime::builder(SENT).credential(KEY).base_url(url).build();
    assert_eq!(
        config_message(build("ftp://api.sent.dm")),
        "the base URL must use https (or http to a loopback host), not `ftp`"
    );
    assert!(config_message(build("not a url")).starts_with("the base URL is not a valid URL"));
    assert!(config_message(build("")).starts_with("the base URL is not a valid URL"));
    assert_eq!(
        config_message(build("https://user:hunter2@api.sent.dm")),
        "the base URL must not contain credentials; use `credential` instead"
    );
    assert!(config_message(build("https://api.sent.dm/?x=1")).contains("query string or fragment"));
    assert!(build("http://127.0.0.1:8080/prefix/").is_ok());
    assert!(build(" https://api.sent.dm ").is_ok());
}

#[test]
fn credential_is_required_and_checked_without_being_echoed() {
    assert_eq!(
        config_message(Runtime::builder(SENT).build()),
        "no credential set; Sent.dm API authenticates with an API key in the `x-api-key` header \
         (call `credential` on the builder)"
    );
    assert_eq!(
        config_message(Runtime::builder(SENT).credential("  ").build()),
        "the credential for `x-api-key` is empty"
    );

    let bad = "sk_live_secret\n";
    let error = Runtime::builder(SENT).credential(bad).build().unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("not a valid HTTP header value"), "{text}");
    assert!(!text.contains("sk_live_secret"), "{text}");

    let error = Runtime::builder(&PLAIN)
        .allow_insecure_http(true)
        .credential("tok\u{7f}secret")
        .build()
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("not a valid HTTP header value"), "{text}");
    assert!(!text.contains("secret"), "{text}");

    // No authentication: a credential is not needed.
    assert!(Runtime::builder(&OPEN).build().is_ok());
    // An unusable header name in the description is reported, not panicked on.
    assert!(
        config_message(Runtime::builder(&BAD_HEADER_NAME).credential(KEY).build())
            .contains("`x api key`")
    );
}

#[test]
fn headers_user_agent_and_timeouts_are_validated() {
    let builder = || Runtime::builder(SENT).credential(KEY);
    assert_eq!(
        config_message(builder().default_header("bad header", "v").build()),
        "default header name `bad header` is not a valid header name"
    );
    let message = config_message(builder().default_header("x-profile-id", "a\r\nb").build());
    assert_eq!(
        message,
        "the value of default header `x-profile-id` is not a valid HTTP header value"
    );
    assert!(config_message(builder().user_agent("agent\n").build()).contains("user agent"));
    assert_eq!(
        config_message(builder().timeout(Duration::ZERO).build()),
        "the timeout must be greater than zero"
    );
    assert!(
        builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .build()
            .is_ok()
    );
}

#[test]
fn debug_output_never_contains_the_credential() {
    let builder = Runtime::builder(SENT)
        .credential(KEY)
        .default_header("x-profile-id", "11111111-2222-3333-4444-555555555555")
        .timeout(Duration::from_secs(5));
    let builder_debug = format!("{builder:?}");
    assert!(!builder_debug.contains(KEY), "{builder_debug}");
    assert!(builder_debug.contains("[redacted]"), "{builder_debug}");
    assert!(builder_debug.contains("x-profile-id"), "{builder_debug}");
    assert!(!builder_debug.contains("11111111-2222"), "{builder_debug}");

    let runtime = builder.build().unwrap();
    for text in [format!("{runtime:?}"), format!("{runtime:#?}")] {
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        assert!(text.contains("https://api.sent.dm/"), "{text}");
        assert!(text.contains("x-profile-id"), "{text}");
    }

    let basic = Runtime::builder(&PLAIN).basic_auth("user", "pa55word");
    assert!(!format!("{basic:?}").contains("pa55word"));

    let secret = Secret::new(KEY);
    assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
}

#[test]
fn request_options_debug_hides_header_values() {
    let options = RequestOptions::new()
        .timeout(Duration::from_secs(2))
        .header("x-api-key", KEY);
    let text = format!("{options:?}");
    assert!(text.contains("x-api-key"), "{text}");
    assert!(text.contains("2s"), "{text}");
    assert!(!text.contains(KEY), "{text}");
    assert_eq!(options.timeout, Some(Duration::from_secs(2)));
    assert_eq!(
        options.headers,
        vec![("x-api-key".to_owned(), KEY.to_owned())]
    );
}

#[test]
fn runtime_clones_share_state() {
    let runtime = Runtime::builder(SENT)
        .credential(KEY)
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    let clone = runtime.clone();
    assert_eq!(clone.base_url(), runtime.base_url());
    assert!(std::ptr::eq(clone.description(), runtime.description()));
}

#[test]
fn error_variants_read_well() {
    let error = Error::invalid_request("page_size", "must be at most 100");
    assert_eq!(error.to_string(), "page_size: must be at most 100");
    assert_eq!(error.status(), None);
    assert_eq!(error.request_id(), None);
    assert_eq!(error.code(), None);
    assert_eq!(
        Error::invalid_request("", "a body is required").to_string(),
        "a body is required"
    );
}

#[test]
fn public_types_work_across_threads_and_with_error_handling_crates() {
    fn error_type<T: std::error::Error + Send + Sync + 'static>() {}
    fn shared<T: Send + Sync + Clone + 'static>() {}
    error_type::<Error>();
    error_type::<sentdm_client::runtime::ApiError>();
    error_type::<sentdm_client::runtime::DecodeError>();
    shared::<Runtime>();
    shared::<RequestOptions>();
    shared::<sentdm_client::runtime::Response<Vec<String>>>();

    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::invalid_request(
        "to[0]",
        "must match ^\\+[1-9]\\d{1,14}$",
    ));
    assert_eq!(boxed.to_string(), "to[0]: must match ^\\+[1-9]\\d{1,14}$");
}
