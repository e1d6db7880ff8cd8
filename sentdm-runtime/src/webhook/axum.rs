//! axum extractors for verified deliveries (feature `axum`).
//!
//! [`VerifiedWebhook<S>`] gives the verified raw body, [`WebhookPayload<S, T>`] the body
//! decoded into a [`Payload`]. Both take the [`Verifier<S>`] from the router's state through
//! [`FromRef`], so one application can receive the deliveries of several APIs, each with its
//! own scheme; both consume the body, so they go last among a handler's arguments.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use sentdm_runtime::webhook::axum::WebhookPayload;
//! use sentdm_runtime::webhook::{Json, Scheme, SignatureScheme, Verifier};
//!
//! enum Example {}
//! impl Scheme for Example {
//!     const SCHEME: SignatureScheme = SignatureScheme::new("X-Example-Signature", "X-Example-Timestamp");
//! }
//!
//! async fn receive(webhook: WebhookPayload<Example, Json<serde_json::Value>>) -> &'static str {
//!     let Json(event) = webhook.payload;
//!     println!("{event} sent at {}", webhook.delivery.timestamp);
//!     "ok"
//! }
//!
//! # fn main() -> Result<(), sentdm_runtime::webhook::SecretError> {
//! let app: Router = Router::new()
//!     .route("/webhooks/example", post(receive))
//!     .with_state(Verifier::<Example>::new("s3cr3t")?);
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::time::SystemTime;

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::delivery::{Delivery, VerifyError};
use super::payload::Payload;
use super::scheme::Scheme;
use super::verify::Verifier;

/// Body of every 401 response: the same whatever the reason.
const UNAUTHORIZED_BODY: &str = "webhook signature verification failed";
/// Body of every 400 response for an authentic body that does not decode.
const BAD_PAYLOAD_BODY: &str = "invalid webhook payload";

/// A delivery of scheme `S` whose signature and timestamp were verified, with its raw body.
#[non_exhaustive]
pub struct VerifiedWebhook<S> {
    /// What the verified headers establish.
    pub delivery: Delivery,
    /// The body exactly as received and verified.
    pub body: Bytes,
    scheme: PhantomData<fn() -> S>,
}

impl<S> Clone for VerifiedWebhook<S> {
    fn clone(&self) -> Self {
        VerifiedWebhook {
            delivery: self.delivery.clone(),
            body: self.body.clone(),
            scheme: PhantomData,
        }
    }
}

impl<S> fmt::Debug for VerifiedWebhook<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedWebhook")
            .field("delivery", &self.delivery)
            .field("body", &self.body)
            .finish()
    }
}

impl<S: Scheme> VerifiedWebhook<S> {
    /// Reads the request's body and verifies it with `verifier`: what the extractor does with
    /// the verifier from the state.
    pub async fn verify_request(
        req: Request,
        verifier: &Verifier<S>,
    ) -> Result<Self, WebhookRejection> {
        let (mut parts, body) = req.into_parts();
        let headers = std::mem::take(&mut parts.headers);
        // Through the extractor, so that the router's body limit applies.
        let body = Bytes::from_request(Request::from_parts(parts, body), &())
            .await
            .map_err(|rejection| {
                tracing::debug!(error = %rejection, "webhook delivery rejected: unreadable body");
                WebhookRejection::Body(rejection)
            })?;
        match verifier.verify_at(&headers, &body, SystemTime::now()) {
            Ok(delivery) => Ok(VerifiedWebhook {
                delivery,
                body,
                scheme: PhantomData,
            }),
            Err(err) => {
                tracing::debug!(error = %err, "webhook delivery rejected");
                Err(WebhookRejection::Verification(err))
            }
        }
    }
}

impl<S, St> FromRequest<St> for VerifiedWebhook<S>
where
    S: Scheme,
    Verifier<S>: FromRef<St>,
    St: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &St) -> Result<Self, Self::Rejection> {
        Self::verify_request(req, &Verifier::from_ref(state)).await
    }
}

/// A verified delivery of scheme `S`, its body decoded into a `T`.
#[non_exhaustive]
pub struct WebhookPayload<S, T> {
    /// What the verified headers establish.
    pub delivery: Delivery,
    /// The decoded body.
    pub payload: T,
    scheme: PhantomData<fn() -> S>,
}

impl<S, T: Clone> Clone for WebhookPayload<S, T> {
    fn clone(&self) -> Self {
        WebhookPayload {
            delivery: self.delivery.clone(),
            payload: self.payload.clone(),
            scheme: PhantomData,
        }
    }
}

impl<S, T: fmt::Debug> fmt::Debug for WebhookPayload<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookPayload")
            .field("delivery", &self.delivery)
            .field("payload", &self.payload)
            .finish()
    }
}

impl<S: Scheme, T: Payload> WebhookPayload<S, T> {
    /// Reads the request's body, verifies it with `verifier` and decodes it.
    pub async fn verify_request(
        req: Request,
        verifier: &Verifier<S>,
    ) -> Result<Self, WebhookRejection<T::Error>> {
        let VerifiedWebhook { delivery, body, .. } = VerifiedWebhook::verify_request(req, verifier)
            .await
            .map_err(WebhookRejection::widen)?;
        match T::from_body(&body) {
            Ok(payload) => Ok(WebhookPayload {
                delivery,
                payload,
                scheme: PhantomData,
            }),
            Err(err) => {
                tracing::debug!(error = %err, "verified webhook delivery rejected: undecodable body");
                Err(WebhookRejection::Payload(err))
            }
        }
    }
}

impl<S, T, St> FromRequest<St> for WebhookPayload<S, T>
where
    S: Scheme,
    T: Payload,
    Verifier<S>: FromRef<St>,
    St: Send + Sync,
{
    type Rejection = WebhookRejection<T::Error>;

    async fn from_request(req: Request, state: &St) -> Result<Self, Self::Rejection> {
        Self::verify_request(req, &Verifier::from_ref(state)).await
    }
}

/// Why an extractor refused a request; `E` is the payload's decoding error.
///
/// As a response: 401 with a fixed text body for any verification failure, 400 with a fixed
/// text body for an authentic body that does not decode, axum's own response when the body
/// could not be read (for example 413 over the body limit). The reason is logged with
/// `tracing` at debug level; it never contains a secret or a computed signature.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection<E = Infallible> {
    /// The signature or the timestamp did not verify.
    Verification(VerifyError),
    /// The body is authentic but does not decode.
    Payload(E),
    /// The body could not be read.
    Body(BytesRejection),
}

impl WebhookRejection {
    /// The same rejection, for an extractor that decodes into a payload with errors `E`.
    fn widen<E>(self) -> WebhookRejection<E> {
        match self {
            WebhookRejection::Verification(err) => WebhookRejection::Verification(err),
            WebhookRejection::Body(rejection) => WebhookRejection::Body(rejection),
            WebhookRejection::Payload(never) => match never {},
        }
    }
}

impl<E: fmt::Display> fmt::Display for WebhookRejection<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookRejection::Verification(err) => err.fmt(f),
            WebhookRejection::Payload(err) => err.fmt(f),
            WebhookRejection::Body(err) => err.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for WebhookRejection<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookRejection::Verification(err) => Some(err),
            WebhookRejection::Payload(err) => Some(err),
            WebhookRejection::Body(err) => Some(err),
        }
    }
}

impl<E> IntoResponse for WebhookRejection<E> {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            WebhookRejection::Verification(_) => (StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY),
            WebhookRejection::Payload(_) => (StatusCode::BAD_REQUEST, BAD_PAYLOAD_BODY),
            WebhookRejection::Body(rejection) => return rejection.into_response(),
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    }
}
