use crate::names::Pointer;

/// Why a document could not be turned into a client.
///
/// Every variant that comes from the document names the JSON pointer of the offending node,
/// for example `#/paths/~1v3~1contacts/get/parameters/0`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document uses a construct outside the supported subset of OpenAPI.
    #[error("{pointer}: unsupported: {message}")]
    Unsupported {
        /// Where the construct is.
        pointer: String,
        /// What is not supported.
        message: String,
    },
    /// The document is inconsistent or malformed at this point.
    #[error("{pointer}: invalid: {message}")]
    Invalid {
        /// Where the problem is.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// A `$ref` that does not designate anything in the document.
    #[error("{pointer}: `$ref` {reference:?} does not resolve")]
    DanglingRef {
        /// Where the reference is.
        pointer: String,
        /// The reference as written.
        reference: String,
    },
    /// Two different parts of the document map to the same Rust name.
    #[error("`{name}` would be generated for both {first} and {second}")]
    NameCollision {
        /// The Rust name.
        name: String,
        /// The first node that claims it.
        first: String,
        /// The second node that claims it.
        second: String,
    },
    /// The [`Config`](crate::Config) is not usable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The generator produced code that does not parse. This is a bug in the generator.
    #[error("internal error: generated code does not parse: {0}")]
    Internal(String),
}

impl Error {
    /// The JSON pointer of the node the error is about, when there is one.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Unsupported { pointer, .. }
            | Error::Invalid { pointer, .. }
            | Error::DanglingRef { pointer, .. } => Some(pointer),
            Error::NameCollision { second, .. } => Some(second),
            Error::Config(_) | Error::Internal(_) => None,
        }
    }

    pub(crate) fn unsupported(pointer: &Pointer, message: impl Into<String>) -> Error {
        Error::Unsupported {
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn invalid(pointer: &Pointer, message: impl Into<String>) -> Error {
        Error::Invalid {
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn dangling(pointer: &Pointer, reference: &str) -> Error {
        Error::DanglingRef {
            pointer: pointer.to_string(),
            reference: reference.to_owned(),
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
