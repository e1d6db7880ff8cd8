//! The API's error codes on errors: [`ErrorCode`], the catalog generated from the docs.

use crate::ErrorCode;
use crate::runtime::{ApiError, Error};

/// `error_code()` on the runtime's errors: the code as an entry of Sent.dm's catalog
/// ([`ErrorCode`]). In the [prelude](crate::prelude), and at the crate root.
pub trait ErrorCodeExt {
    /// What `error_code` gives: an [`ErrorCode`], or an `Option` of one where the error may
    /// not come from the API.
    type Code;

    /// The error code as a catalog entry, for matching.
    fn error_code(&self) -> Self::Code;
}

impl ErrorCodeExt for ApiError {
    type Code = ErrorCode;

    /// The error code as a catalog entry, for matching:
    ///
    /// ```
    /// use sentdm_client::{Error, ErrorCode, ErrorCodeExt};
    ///
    /// fn explain(error: &Error) -> &'static str {
    ///     match error.as_api().map(|api| api.error_code()) {
    ///         Some(ErrorCode::Resource007) => "already exists",
    ///         Some(ErrorCode::Business002) => "rate limited",
    ///         Some(code) if !code.is_known() => "a code this client does not know",
    ///         _ => "something else",
    ///     }
    /// }
    /// # let _ = explain;
    /// ```
    ///
    /// A code this version of the client does not know is kept in `ErrorCode::Unknown`; a
    /// response without a code gives `ErrorCode::Unknown("")`.
    fn error_code(&self) -> ErrorCode {
        ErrorCode::from(self.code().unwrap_or_default())
    }
}

impl ErrorCodeExt for Error {
    type Code = Option<ErrorCode>;

    /// The error code as a catalog entry, for [`Error::Api`] responses that carry one.
    fn error_code(&self) -> Option<ErrorCode> {
        self.code().map(ErrorCode::from)
    }
}
