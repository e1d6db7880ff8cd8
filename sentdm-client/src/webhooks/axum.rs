//! axum extractors for verified deliveries (feature `axum`).

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sentdm_runtime::webhook;

use super::event::{EventError, WebhookEvent, decode_body};
use super::verify::{Delivery, Verifier, VerifyError};

/// Body of every 401 response: the same whatever the reason.
const UNAUTHORIZED_BODY: &str = "webhook signature verification failed";
/// Body of every 400 response for an authentic body that is not a webhook event.
const BAD_PAYLOAD_BODY: &str = "invalid webhook payload";

/// A delivery whose signature and timestamp were verified, with its raw body.
///
/// The [`Verifier`] comes from the router's state through [`FromRef`]. Use it as the last
/// argument of a handler (it consumes the body); failures are a [`WebhookRejection`].
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use sentdm_client::webhooks::{Verifier, axum::VerifiedWebhook};
///
/// async fn receive(webhook: VerifiedWebhook) -> &'static str {
///     println!("{} bytes from webhook {}", webhook.body.len(), webhook.delivery.webhook_id);
///     "ok"
/// }
///
/// # fn main() -> Result<(), sentdm_client::webhooks::SecretError> {
/// let app: Router = Router::new()
///     .route("/webhooks/sent", post(receive))
///     .with_state(Verifier::from_env()?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifiedWebhook {
    /// The webhook id and timestamp from the verified headers.
    pub delivery: Delivery,
    /// The body exactly as received and verified.
    pub body: Bytes,
}

/// Why an extractor refused a request.
///
/// As a response: 401 with a fixed text body for any verification failure, 400 with a fixed
/// text body for an authentic body that is not an event, axum's own response when the body
/// could not be read (for example 413 over the body limit). The reason is logged with
/// `tracing` at debug level; it never contains a secret or a computed signature.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The signature or the timestamp did not verify.
    Verification(VerifyError),
    /// The body is authentic but not a webhook event.
    Payload(EventError),
    /// The body could not be read.
    Body(BytesRejection),
}

impl std::fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebhookRejection::Verification(err) => err.fmt(f),
            WebhookRejection::Payload(err) => err.fmt(f),
            WebhookRejection::Body(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookRejection::Verification(err) => Some(err),
            WebhookRejection::Payload(err) => Some(err),
            WebhookRejection::Body(err) => Some(err),
        }
    }
}

impl IntoResponse for WebhookRejection {
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

impl<S> FromRequest<S> for VerifiedWebhook
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        match webhook::axum::VerifiedWebhook::verify_request(req, verifier.runtime()).await {
            Ok(verified) => Ok(VerifiedWebhook {
                delivery: verified.delivery.into(),
                body: verified.body,
            }),
            Err(webhook::axum::WebhookRejection::Body(rejection)) => {
                Err(WebhookRejection::Body(rejection))
            }
            Err(webhook::axum::WebhookRejection::Verification(err)) => {
                Err(WebhookRejection::Verification(err.into()))
            }
            // The runtime's extractor decodes nothing, so it has no other rejection.
            Err(_) => Err(WebhookRejection::Verification(
                VerifyError::NoMatchingSignature,
            )),
        }
    }
}

impl<S> FromRequest<S> for WebhookEvent
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    /// Verifies the delivery (see [`VerifiedWebhook`]) and decodes its body.
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let VerifiedWebhook { delivery, body } = VerifiedWebhook::from_request(req, state).await?;
        match decode_body(&body) {
            Ok((event, extra)) => Ok(WebhookEvent {
                delivery,
                event,
                extra,
            }),
            Err(err) => {
                tracing::debug!(
                    error = %err,
                    webhook_id = %delivery.webhook_id,
                    "verified webhook delivery rejected: not an event"
                );
                Err(WebhookRejection::Payload(err))
            }
        }
    }
}
