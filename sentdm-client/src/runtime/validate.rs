//! Client-side checks generated code runs before sending a request.
//!
//! Each check returns [`Error::InvalidRequest`] naming the field by its JSON path (`to[0]`,
//! `template.id`, `payment_details.expiry`) with a message such as
//! `must match ^\+[1-9]\d{1,14}$`, `must be at most 100` or
//! `must be one of admin, billing, developer`.
//!
//! ```
//! use sentdm_client::runtime::validate::{self, Pattern};
//!
//! static E164: Pattern = Pattern::new(r"^\+[1-9]\d{1,14}$");
//!
//! assert!(validate::pattern("to[0]", "+14155551234", &E164).is_ok());
//! let err = validate::pattern("to[0]", "555-1234", &E164).unwrap_err();
//! assert_eq!(err.to_string(), r"to[0]: must match ^\+[1-9]\d{1,14}$");
//! ```

use std::fmt;
use std::sync::OnceLock;

use regex_lite::Regex;

use super::Error;

/// Implemented by generated request and model types to check their constraints.
pub trait Validate {
    /// Checks `self`, located at JSON path `at` (empty for the request body itself).
    fn validate(&self, at: &str) -> Result<(), Error>;
}

/// A regular expression from the API document, compiled on first use.
///
/// `const`-constructible so generated code can keep patterns in `static`s. A pattern that
/// does not compile never panics: checks against it fail with an error naming the field.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Result<Regex, String>>,
}

impl Pattern {
    /// A pattern with the given source; nothing is compiled until the first check.
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern's source text.
    pub fn as_str(&self) -> &'static str {
        self.source
    }

    /// Why the pattern cannot be compiled, if it cannot.
    pub fn compile_error(&self) -> Option<&str> {
        self.regex().err()
    }

    /// Whether `value` matches (anywhere, as in JSON Schema, unless the pattern is anchored).
    pub fn is_match(&self, value: &str) -> Result<bool, &str> {
        self.regex().map(|regex| regex.is_match(value))
    }

    fn regex(&self) -> Result<&Regex, &str> {
        match self
            .compiled
            .get_or_init(|| Regex::new(self.source).map_err(|e| e.to_string()))
        {
            Ok(regex) => Ok(regex),
            Err(reason) => Err(reason),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// `value` must match `pattern`.
pub fn pattern(field: &str, value: &str, pattern: &'static Pattern) -> Result<(), Error> {
    match pattern.is_match(value) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::invalid_request(
            field,
            format!("must match {}", pattern.as_str()),
        )),
        Err(reason) => Err(Error::invalid_request(
            field,
            format!(
                "cannot be checked: the pattern {} is not supported ({})",
                pattern.as_str(),
                first_line(reason)
            ),
        )),
    }
}

/// `value` must have between `min` and `max` characters (Unicode scalar values), inclusive.
pub fn length(
    field: &str,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Error> {
    bounds(field, value.chars().count(), min, max, Unit::Characters)
}

/// A list must have between `min` and `max` items, inclusive.
pub fn items(field: &str, len: usize, min: Option<usize>, max: Option<usize>) -> Result<(), Error> {
    bounds(field, len, min, max, Unit::Items)
}

#[derive(Clone, Copy)]
enum Unit {
    Characters,
    Items,
}

impl Unit {
    fn requirement(self, bound: &str, n: usize) -> String {
        let s = if n == 1 { "" } else { "s" };
        match self {
            Unit::Characters => format!("must be {bound} {n} character{s} long"),
            Unit::Items => format!("must have {bound} {n} item{s}"),
        }
    }
}

fn bounds(
    field: &str,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
    unit: Unit,
) -> Result<(), Error> {
    let message = match (min, max) {
        (Some(min), Some(max)) if min == max && len != min => unit.requirement("exactly", min),
        (Some(min), _) if len < min => unit.requirement("at least", min),
        (_, Some(max)) if len > max => unit.requirement("at most", max),
        _ => return Ok(()),
    };
    Err(Error::invalid_request(field, message))
}

/// An integer must lie between `min` and `max`, inclusive.
pub fn range_i64(field: &str, value: i64, min: Option<i64>, max: Option<i64>) -> Result<(), Error> {
    match (min, max) {
        (Some(min), _) if value < min => Err(Error::invalid_request(
            field,
            format!("must be at least {min}"),
        )),
        (_, Some(max)) if value > max => Err(Error::invalid_request(
            field,
            format!("must be at most {max}"),
        )),
        _ => Ok(()),
    }
}

/// A number must be finite and lie between `min` and `max`, inclusive.
pub fn range_f64(field: &str, value: f64, min: Option<f64>, max: Option<f64>) -> Result<(), Error> {
    if !value.is_finite() {
        return Err(Error::invalid_request(field, "must be a finite number"));
    }
    match (min, max) {
        (Some(min), _) if value < min => Err(Error::invalid_request(
            field,
            format!("must be at least {min}"),
        )),
        (_, Some(max)) if value > max => Err(Error::invalid_request(
            field,
            format!("must be at most {max}"),
        )),
        _ => Ok(()),
    }
}

/// An enum value must be one of the documented ones (`known` is false for values outside
/// the list, such as an `Unknown(..)` variant).
pub fn known(field: &str, known: bool, allowed: &[&str]) -> Result<(), Error> {
    if known {
        Ok(())
    } else {
        Err(Error::invalid_request(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// A value given as text must be a UUID, such as `7ba7b820-9dad-11d1-80b4-00c04fd430c8`.
pub fn uuid(field: &str, value: &str) -> Result<(), Error> {
    match uuid::Uuid::try_parse(value) {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::invalid_request(
            field,
            "must be a UUID, such as `7ba7b820-9dad-11d1-80b4-00c04fd430c8`",
        )),
    }
}

/// The JSON path of property `name` under `at`: `join("template", "id")` is `template.id`,
/// `join("", "to")` is `to`.
pub fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

/// The JSON path of item `index` of the list at `at`: `index("to", 0)` is `to[0]`.
pub fn index(at: &str, index: usize) -> String {
    format!("{at}[{index}]")
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .trim()
}
