//! Decoding verified bodies into an API's event type.

use serde::de::DeserializeOwned;

use super::delivery::{Delivery, VerifyError};

/// What a verified delivery body decodes into: a client crate's event type, or [`Json`].
///
/// Only bodies whose signature verified are decoded.
pub trait Payload: Sized {
    /// Why a body is not one.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Decodes a verified body.
    fn from_body(body: &[u8]) -> Result<Self, Self::Error>;
}

/// A body decoded as JSON into `T` (for example [`serde_json::Value`] when the API does not
/// document its events).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> Payload for Json<T> {
    type Error = serde_json::Error;

    fn from_body(body: &[u8]) -> Result<Self, Self::Error> {
        serde_json::from_slice(body).map(Json)
    }
}

/// A verified delivery and its decoded body.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Verified<T> {
    /// What the verified headers establish.
    pub delivery: Delivery,
    /// The decoded body.
    pub payload: T,
}

/// A delivery that failed verification, or whose authentic body did not decode.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError<E> {
    /// The delivery is not authentic or not fresh.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The delivery is authentic but its body is not a `T`.
    #[error(transparent)]
    Payload(E),
}
