//! Client-side validation helpers and their messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sentdm_client::runtime::Error;
use sentdm_client::runtime::validate::{self, Path, Pattern, Validate};

static E164: Pattern = Pattern::new(r"^\+[1-9]\d{1,14}$");
static EXPIRY: Pattern = Pattern::new(r"^(0[1-9]|1[0-2])/\d{2}$");
static LOOKAHEAD: Pattern = Pattern::new(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{3,11}$");
static UNBALANCED: Pattern = Pattern::new(r"([a-z]");

fn message(result: Result<(), Error>) -> String {
    let error = result.unwrap_err();
    assert!(
        matches!(error, Error::InvalidRequest { .. }),
        "expected InvalidRequest, got {error:?}"
    );
    error.to_string()
}

#[test]
fn pattern_checks_and_messages() {
    assert!(validate::pattern("to[0]", "+14155551234", &E164).is_ok());
    assert_eq!(
        message(validate::pattern("to[0]", "14155551234", &E164)),
        r"to[0]: must match ^\+[1-9]\d{1,14}$"
    );
    assert!(validate::pattern("payment_details.expiry", "09/27", &EXPIRY).is_ok());
    assert_eq!(
        message(validate::pattern(
            "payment_details.expiry",
            "9/2027",
            &EXPIRY
        )),
        r"payment_details.expiry: must match ^(0[1-9]|1[0-2])/\d{2}$"
    );
    // Compiled once, reused.
    for _ in 0..3 {
        assert!(validate::pattern("to[1]", "+447700900123", &E164).is_ok());
    }
    assert_eq!(E164.as_str(), r"^\+[1-9]\d{1,14}$");
    assert_eq!(E164.compile_error(), None);
    assert_eq!(E164.is_match("+1555"), Ok(true));
    assert_eq!(format!("{E164:?}"), r#"Pattern("^\\+[1-9]\\d{1,14}$")"#);
}

#[test]
fn unsupported_or_invalid_patterns_fail_without_panicking() {
    for pattern in [&LOOKAHEAD, &UNBALANCED] {
        assert!(pattern.compile_error().is_some());
        let error = validate::pattern("short_name", "Acme", pattern).unwrap_err();
        match &error {
            Error::InvalidRequest { field, message } => {
                assert_eq!(field, "short_name");
                assert!(
                    message.starts_with("cannot be checked: the pattern"),
                    "{message}"
                );
                assert!(message.contains(pattern.as_str()), "{message}");
                assert!(!message.contains('\n'), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn length_counts_characters() {
    assert!(validate::length("short_name", "ACME", Some(3), Some(11)).is_ok());
    assert!(validate::length("short_name", "Zoë", Some(3), Some(3)).is_ok());
    assert_eq!(
        message(validate::length("short_name", "AC", Some(3), Some(11))),
        "short_name: must be at least 3 characters long"
    );
    assert_eq!(
        message(validate::length(
            "short_name",
            "ACME CORPORATION",
            Some(3),
            Some(11)
        )),
        "short_name: must be at most 11 characters long"
    );
    assert_eq!(
        message(validate::length("name", "", Some(1), None)),
        "name: must be at least 1 character long"
    );
    assert_eq!(
        message(validate::length("code", "12345", Some(6), Some(6))),
        "code: must be exactly 6 characters long"
    );
    assert!(validate::length("any", "whatever", None, None).is_ok());
}

#[test]
fn items_count_list_entries() {
    assert_eq!(
        message(validate::items("to", 0, Some(1), None)),
        "to: must have at least 1 item"
    );
    assert_eq!(
        message(validate::items("to", 1001, Some(1), Some(1000))),
        "to: must have at most 1000 items"
    );
    assert!(validate::items("to", 3, Some(1), Some(1000)).is_ok());
}

#[test]
fn numeric_ranges() {
    assert_eq!(
        message(validate::range_i64("page_size", 101, Some(1), Some(100))),
        "page_size: must be at most 100"
    );
    assert_eq!(
        message(validate::range_i64("page", 0, Some(1), None)),
        "page: must be at least 1"
    );
    assert!(validate::range_i64("page_size", 100, Some(1), Some(100)).is_ok());
    assert!(validate::range_i64("n", i64::MIN, None, None).is_ok());

    assert_eq!(
        message(validate::range_f64("ratio", 1.5, Some(0.0), Some(1.0))),
        "ratio: must be at most 1"
    );
    assert_eq!(
        message(validate::range_f64("ratio", -0.25, Some(0.0), None)),
        "ratio: must be at least 0"
    );
    assert_eq!(
        message(validate::range_f64("ratio", f64::NAN, None, None)),
        "ratio: must be a finite number"
    );
    assert!(validate::range_f64("ratio", 0.5, Some(0.0), Some(1.0)).is_ok());
}

#[test]
fn enum_membership() {
    assert_eq!(
        message(validate::known(
            "role",
            false,
            &["admin", "billing", "developer"]
        )),
        "role: must be one of admin, billing, developer"
    );
    assert!(validate::known("role", true, &["admin"]).is_ok());
}

#[test]
fn paths_read_like_json() {
    assert_eq!(Path::Root.to_string(), "");
    assert_eq!(Path::named("to").to_string(), "to");
    let template = Path::Root.field("template");
    assert_eq!(template.field("id").to_string(), "template.id");
    let to = Path::named("to");
    assert_eq!(to.index(0).to_string(), "to[0]");
    let recipients = Path::named("recipients");
    let second = recipients.index(2);
    assert_eq!(second.field("phone").to_string(), "recipients[2].phone");
    let nested = Path::Root.index(3);
    assert_eq!(nested.to_string(), "[3]");
}

/// The shape generated code takes: nested types validate at a path.
struct Template {
    id: String,
}

struct SendMessage {
    to: Vec<String>,
    template: Template,
}

impl Validate for Template {
    fn validate(&self, at: Path<'_>) -> Result<(), Error> {
        validate::length(at.field("id"), &self.id, Some(1), None)
    }
}

impl Validate for SendMessage {
    fn validate(&self, at: Path<'_>) -> Result<(), Error> {
        let to = at.field("to");
        validate::items(to, self.to.len(), Some(1), None)?;
        for (i, number) in self.to.iter().enumerate() {
            validate::pattern(to.index(i), number, &E164)?;
        }
        self.template.validate(at.field("template"))
    }
}

#[test]
fn validate_trait_reports_nested_paths() {
    let request = SendMessage {
        to: vec!["+14155551234".into(), "5551234".into()],
        template: Template { id: "t".into() },
    };
    assert_eq!(
        message(request.validate(Path::Root)),
        r"to[1]: must match ^\+[1-9]\d{1,14}$"
    );
    let request = SendMessage {
        to: vec!["+14155551234".into()],
        template: Template { id: String::new() },
    };
    assert_eq!(
        message(request.validate(Path::Root)),
        "template.id: must be at least 1 character long"
    );
}
