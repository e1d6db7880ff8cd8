//! Client-side checks generated code runs before sending a request.
//!
//! Each check returns [`Error::InvalidRequest`] naming the field by its JSON path (`to[0]`,
//! `template.id`, `payment_details.expiry`; anything `Display`, usually a [`Path`]) with a message such as
//! `must match ^\+[1-9]\d{1,14}$`, `must be at most 100` or
//! `must be one of admin, billing, developer`.
//!
//! ```
//! use sentdm_runtime::validate::{self, Pattern};
//!
//! static E164: Pattern = Pattern::new(r"^\+[1-9]\d{1,14}$");
//!
//! assert!(validate::pattern("to[0]", "+14155551234", &E164).is_ok());
//! let err = validate::pattern("to[0]", "555-1234", &E164).unwrap_err();
//! assert_eq!(err.to_string(), r"to[0]: must match ^\+[1-9]\d{1,14}$");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

use super::Error;

/// Implemented by generated request and model types to check their constraints.
pub trait Validate {
    /// Checks `self`, located at `at` ([`Path::Root`] for the request body itself).
    fn validate(&self, at: Path<'_>) -> Result<(), Error>;
}

/// Where a value sits in a request, such as `template.parameters.name` or `to[0]`.
///
/// Built on the stack as checks descend into a request, and turned into text (its `Display`)
/// only when a check fails, so that valid requests are checked without allocating.
///
/// ```
/// use sentdm_runtime::validate::Path;
///
/// let to = Path::named("to");
/// let first = to.index(0);
/// assert_eq!(first.to_string(), "to[0]");
/// let recipients = Path::Root.field("recipients");
/// let second = recipients.index(1);
/// assert_eq!(second.field("phone").to_string(), "recipients[1].phone");
/// ```
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    /// The request body, or the value being checked, itself.
    Root,
    /// A member of the object at the first path.
    Field(&'a Path<'a>, &'a str),
    /// An item of the array at the first path.
    Index(&'a Path<'a>, usize),
}

/// The root path, borrowed by [`Path::named`].
static ROOT: Path<'static> = Path::Root;

impl<'a> Path<'a> {
    /// The top-level member `name`, such as a parameter.
    pub fn named(name: &'a str) -> Path<'a> {
        Path::Field(&ROOT, name)
    }

    /// The member `name` of the object at this path.
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    /// Item `index` of the array at this path.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A regular expression from the API document, compiled on first use.
///
/// `const`-constructible so generated code can keep patterns in `static`s. A pattern that
/// does not compile never panics: checks against it fail with an error naming the field.
///
/// Patterns are read as JSON Schema reads them (ECMA-262): `\d`, `\w` and `\s` and their
/// negations have their ECMA-262 meaning (ASCII digits and word characters, Unicode white
/// space), while `.` and negated classes match any character. Matching runs on a lazy DFA,
/// so a check costs a few hundred instructions. Look-around and backreferences are not
/// supported: such a pattern reports [`compile_error`](Self::compile_error).
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
            .get_or_init(|| Regex::new(&ecma_classes(self.source)).map_err(|e| e.to_string()))
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

/// The pattern with the ECMA-262 character class escapes (`\d`, `\D`, `\w`, `\W`, `\s`,
/// `\S`) spelled out as explicit classes, which mean the same inside and outside brackets.
fn ecma_classes(source: &str) -> Cow<'_, str> {
    const DIGIT: &str = "[0-9]";
    const NOT_DIGIT: &str = "[^0-9]";
    const WORD: &str = "[0-9A-Za-z_]";
    const NOT_WORD: &str = "[^0-9A-Za-z_]";
    const SPACE: &str = "[\\t\\n\\x0B\\x0C\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";
    const NOT_SPACE: &str = "[^\\t\\n\\x0B\\x0C\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";
    if !source.contains('\\') {
        return Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(DIGIT),
            Some('D') => out.push_str(NOT_DIGIT),
            Some('w') => out.push_str(WORD),
            Some('W') => out.push_str(NOT_WORD),
            Some('s') => out.push_str(SPACE),
            Some('S') => out.push_str(NOT_SPACE),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// `value` must match `pattern`.
pub fn pattern(
    field: impl fmt::Display,
    value: &str,
    pattern: &'static Pattern,
) -> Result<(), Error> {
    match pattern.is_match(value) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::invalid_request(
            field.to_string(),
            format!("must match {}", pattern.as_str()),
        )),
        Err(reason) => Err(Error::invalid_request(
            field.to_string(),
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
    field: impl fmt::Display,
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Error> {
    bounds(field, value.chars().count(), min, max, Unit::Characters)
}

/// A list must have between `min` and `max` items, inclusive.
pub fn items(
    field: impl fmt::Display,
    len: usize,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), Error> {
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
    field: impl fmt::Display,
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
    Err(Error::invalid_request(field.to_string(), message))
}

/// An integer must lie between `min` and `max`, inclusive.
pub fn range_i64(
    field: impl fmt::Display,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Error> {
    within(field, value, min, max)
}

/// A non-negative integer must lie between `min` and `max`, inclusive.
pub fn range_u64(
    field: impl fmt::Display,
    value: u64,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), Error> {
    within(field, value, min, max)
}

/// A number must be finite and lie between `min` and `max`, inclusive.
pub fn range_f64(
    field: impl fmt::Display,
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
) -> Result<(), Error> {
    if !value.is_finite() {
        return Err(Error::invalid_request(
            field.to_string(),
            "must be a finite number",
        ));
    }
    within(field, value, min, max)
}

/// `value` lies between `min` and `max`, inclusive.
fn within<T: PartialOrd + fmt::Display>(
    field: impl fmt::Display,
    value: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), Error> {
    match (min, max) {
        (Some(min), _) if value < min => Err(Error::invalid_request(
            field.to_string(),
            format!("must be at least {min}"),
        )),
        (_, Some(max)) if value > max => Err(Error::invalid_request(
            field.to_string(),
            format!("must be at most {max}"),
        )),
        _ => Ok(()),
    }
}

/// An enum value must be one of the documented ones (`known` is false for values outside
/// the list, such as an `Unknown(..)` variant).
pub fn known(field: impl fmt::Display, known: bool, allowed: &[&str]) -> Result<(), Error> {
    if known {
        Ok(())
    } else {
        Err(Error::invalid_request(
            field.to_string(),
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// A union value must be one of the documented variants: the `Unknown` variant kept for
/// what a server may send is not sent back.
pub fn unknown_variant(field: impl fmt::Display, documented: &[&str]) -> Error {
    Error::invalid_request(
        field.to_string(),
        format!(
            "must be one of the documented kinds: {}",
            documented.join(", ")
        ),
    )
}

/// A value given as text must be a UUID, such as `7ba7b820-9dad-11d1-80b4-00c04fd430c8`.
pub fn uuid(field: impl fmt::Display, value: &str) -> Result<(), Error> {
    match uuid::Uuid::try_parse(value) {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::invalid_request(
            field.to_string(),
            "must be a UUID, such as `7ba7b820-9dad-11d1-80b4-00c04fd430c8`",
        )),
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_have_their_ecma_262_meaning() {
        static DIGITS: Pattern = Pattern::new(r"^\d+$");
        static WORD: Pattern = Pattern::new(r"^[\w-]+$");
        static NOT_SPACE: Pattern = Pattern::new(r"^https?://[^/?#\s]+$");
        static ESCAPED: Pattern = Pattern::new(r"^\\d\.$");
        assert_eq!(DIGITS.is_match("0123456789"), Ok(true));
        // Arabic-Indic digits are Unicode digits, but not ECMA-262 ones.
        assert_eq!(DIGITS.is_match("١٢٣"), Ok(false));
        assert_eq!(WORD.is_match("order_12-a"), Ok(true));
        assert_eq!(WORD.is_match("é"), Ok(false));
        // Negated classes match any other character, multi-byte ones included.
        assert_eq!(NOT_SPACE.is_match("https://bücher.example"), Ok(true));
        assert_eq!(NOT_SPACE.is_match("https://a\u{a0}b"), Ok(false));
        assert_eq!(NOT_SPACE.is_match("https://a\u{3000}b"), Ok(false));
        // An escaped backslash is not a class escape.
        assert_eq!(ESCAPED.is_match(r"\d."), Ok(true));
        assert_eq!(ESCAPED.is_match("7."), Ok(false));
    }

    #[test]
    fn the_documented_patterns_compile() {
        for source in [
            r"^(0[1-9]|1[0-2])/[0-9]{2}$",
            r"^[A-Za-z0-9 ]*[A-Za-z][A-Za-z0-9 ]*$",
            r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s]+",
            r"^[a-zA-Z0-9_-]+$",
            r"^\+[1-9][0-9]{1,14}$",
        ] {
            let pattern = Pattern {
                source,
                compiled: OnceLock::new(),
            };
            assert_eq!(pattern.compile_error(), None, "{source}");
        }
    }
}
