//! Turning names found in the document into Rust identifiers, and JSON pointers.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Words that can only be used as identifiers in their raw form (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; a trailing underscore is appended instead.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A JSON pointer into the document, built segment by segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pointer(String);

impl Pointer {
    pub(crate) fn root() -> Pointer {
        Pointer("#".to_owned())
    }

    /// The pointer a local `$ref` such as `#/components/schemas/Pet` designates.
    pub(crate) fn from_ref(reference: &str) -> Pointer {
        Pointer(reference.to_owned())
    }

    pub(crate) fn join(&self, segment: impl AsRef<str>) -> Pointer {
        let escaped = segment.as_ref().replace('~', "~0").replace('/', "~1");
        Pointer(format!("{}/{}", self.0, escaped))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Pointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `snake_case` for fields, methods and modules; `None` when nothing usable remains.
pub(crate) fn snake(name: &str) -> Option<String> {
    let converted = name.to_snake_case();
    let converted = if converted.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{converted}")
    } else {
        converted
    };
    valid(converted)
}

/// `PascalCase` for types and enum variants.
pub(crate) fn pascal(name: &str) -> Option<String> {
    let converted = name.to_upper_camel_case();
    let converted = if converted.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{converted}")
    } else {
        converted
    };
    valid(converted)
}

/// `SCREAMING_SNAKE_CASE` for statics.
pub(crate) fn screaming(name: &str) -> Option<String> {
    let converted = name.to_shouty_snake_case();
    let converted = if converted.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{converted}")
    } else {
        converted
    };
    valid(converted)
}

fn valid(name: String) -> Option<String> {
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_";
    if !ok {
        return None;
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        return Some(format!("{name}_"));
    }
    Some(name)
}

/// An identifier, raw when it is a keyword.
pub(crate) fn ident(name: &str) -> Ident {
    if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The Rust name of a struct field, parameter or argument: `snake_case`, and never a raw
/// identifier in the public API — `type` becomes `kind`, any other keyword gets a trailing
/// underscore (`match` → `match_`).
pub(crate) fn member(name: &str) -> Option<String> {
    let converted = snake(name)?;
    if !RAW_KEYWORDS.contains(&converted.as_str()) {
        return Some(converted);
    }
    Some(if converted == "type" {
        "kind".to_owned()
    } else {
        format!("{converted}_")
    })
}

/// The builder method name of a header parameter: `x-profile-id` → `profile_id`.
pub(crate) fn header_method(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.strip_prefix("x-").unwrap_or(&lower);
    member(trimmed)
}

/// The request-builder type of an operation method: `list` → `List`. A name that would shadow
/// a prelude item (`send` → `Send`) or the client gets a `Request` suffix (`SendRequest`), so
/// that glob imports of a group module never hide `std` names.
pub(crate) fn builder_type(method: &str) -> Option<String> {
    let name = pascal(method)?;
    if RESERVED_TYPE_NAMES.contains(&name.as_str()) || PRELUDE_TRAITS.contains(&name.as_str()) {
        Some(format!("{name}Request"))
    } else {
        Some(name)
    }
}

/// Prelude traits and the names generated code itself defines; builders never take them.
const PRELUDE_TRAITS: &[&str] = &[
    "AsMut",
    "AsRef",
    "Client",
    "Clone",
    "Copy",
    "Drop",
    "Eq",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "FromIterator",
    "Future",
    "IntoFuture",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Self",
    "Send",
    "Sized",
    "Sync",
    "ToOwned",
    "TryFrom",
    "TryInto",
    "Unpin",
];

/// Type names that would shadow prelude items the generated code relies on.
pub(crate) const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Default",
    "Err",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Result",
    "Some",
    "String",
    "ToString",
    "Vec",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_types_never_shadow_the_prelude() {
        assert_eq!(builder_type("list").as_deref(), Some("List"));
        assert_eq!(builder_type("send").as_deref(), Some("SendRequest"));
        assert_eq!(builder_type("option").as_deref(), Some("OptionRequest"));
        assert_eq!(builder_type("client").as_deref(), Some("ClientRequest"));
    }

    #[test]
    fn conversions() {
        assert_eq!(snake("isMain").as_deref(), Some("is_main"));
        assert_eq!(snake("useCases").as_deref(), Some("use_cases"));
        assert_eq!(snake("page_size").as_deref(), Some("page_size"));
        assert_eq!(snake("self").as_deref(), Some("self_"));
        assert_eq!(snake("2fa").as_deref(), Some("_2fa"));
        assert_eq!(snake("$$"), None);
        assert_eq!(pascal("QUEUED").as_deref(), Some("Queued"));
        assert_eq!(pascal("pending_review").as_deref(), Some("PendingReview"));
        assert_eq!(pascal("QUICK_REPLY").as_deref(), Some("QuickReply"));
        assert_eq!(pascal("AUTH_001").as_deref(), Some("Auth001"));
        assert_eq!(pascal("1x").as_deref(), Some("V1x"));
        assert_eq!(screaming("contacts_list").as_deref(), Some("CONTACTS_LIST"));
        assert_eq!(header_method("x-profile-id").as_deref(), Some("profile_id"));
        assert_eq!(
            header_method("Idempotency-Key").as_deref(),
            Some("idempotency_key")
        );
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("name").to_string(), "name");
    }

    #[test]
    fn pointers() {
        let pointer = Pointer::root()
            .join("paths")
            .join("/v3/contacts")
            .join("get");
        assert_eq!(pointer.as_str(), "#/paths/~1v3~1contacts/get");
        assert_eq!(Pointer::root().join("a~b").as_str(), "#/a~0b");
    }
}
