//! Typed events decoded from verified delivery bodies.

use sentdm_runtime::webhook::Payload;
use serde::de::Error as _;
use serde_json::{Map, Value};

use super::verify::{Delivery, VerifyError};
use crate::types::{MessageStatusPayload, WebhookEventKind};

/// The event a delivery carries, decoded from its body `{"field": …, "payload": {…}}`.
///
/// Event kinds this crate does not know are kept as [`Event::Unknown`], and message statuses
/// or channels it does not know decode as `MessageStatus::Unknown` / `Channel::Unknown`, so a
/// new kind or status never makes a delivery fail.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `field: "messages"`: a message's status changed.
    Message(MessageStatusPayload),
    /// `field: "templates"`: a WhatsApp template was approved or rejected. The docs do not
    /// describe this payload, so it is kept as JSON.
    Template(Map<String, Value>),
    /// Another `field`, or none (`field` is `None` when the body has no `field` member).
    Unknown {
        /// The `field` member.
        field: Option<String>,
        /// The `payload` member, `Null` when absent.
        payload: Value,
    },
}

impl Event {
    /// Decodes a delivery body. The body should have been verified first; see
    /// [`Verifier::verify_event`](super::Verifier::verify_event).
    pub fn from_slice(body: &[u8]) -> Result<Self, EventError> {
        decode_body(body).map(|(event, _)| event)
    }

    /// The `field` member: the kind of event.
    pub fn kind(&self) -> Option<WebhookEventKind> {
        match self {
            Event::Message(_) => Some(WebhookEventKind::Messages),
            Event::Template(_) => Some(WebhookEventKind::Templates),
            Event::Unknown { field, .. } => field.as_deref().map(WebhookEventKind::from),
        }
    }
}

/// Decodes with [`Event::from_slice`], for the runtime's generic
/// [`Verifier::verify_payload`](sentdm_runtime::webhook::Verifier::verify_payload) and
/// extractors.
impl Payload for Event {
    type Error = EventError;

    fn from_body(body: &[u8]) -> Result<Self, Self::Error> {
        Event::from_slice(body)
    }
}

/// A verified delivery, decoded.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The webhook id and timestamp from the verified headers.
    pub delivery: Delivery,
    /// The event in the body.
    pub event: Event,
    /// Members of the body other than `field` and `payload`, kept as received.
    pub extra: Map<String, Value>,
}

impl WebhookEvent {
    /// Decodes the body of a delivery [`Verifier::verify`](super::Verifier::verify) accepted.
    pub fn decode(delivery: Delivery, body: &[u8]) -> Result<Self, EventError> {
        let (event, extra) = decode_body(body)?;
        Ok(WebhookEvent {
            delivery,
            event,
            extra,
        })
    }
}

/// A verified body that is not a webhook event: not a JSON object, a `field` that is not a
/// string, or a payload that does not fit its kind. Messages mention the offending member and
/// may quote the body, never a secret.
#[derive(Debug, thiserror::Error)]
#[error("invalid webhook payload at `{path}`: {source}")]
pub struct EventError {
    path: String,
    #[source]
    source: serde_json::Error,
}

impl EventError {
    /// Where in the body decoding failed (`.` for the whole body).
    pub fn path(&self) -> &str {
        &self.path
    }

    fn at(path: impl Into<String>, source: serde_json::Error) -> Self {
        EventError {
            path: path.into(),
            source,
        }
    }
}

/// A delivery that failed verification or decoding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The delivery is not authentic or not fresh.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The delivery is authentic but its body is not a webhook event.
    #[error(transparent)]
    Event(#[from] EventError),
}

pub(crate) fn decode_body(body: &[u8]) -> Result<(Event, Map<String, Value>), EventError> {
    let mut document: Map<String, Value> =
        serde_json::from_slice(body).map_err(|err| EventError::at(".", err))?;
    let field = match document.remove("field") {
        None | Some(Value::Null) => None,
        Some(Value::String(field)) => Some(field),
        Some(other) => {
            return Err(EventError::at(
                "field",
                serde_json::Error::custom(format_args!(
                    "expected a string, found {}",
                    json_type(&other)
                )),
            ));
        }
    };
    let payload = document.remove("payload").unwrap_or(Value::Null);

    let event = match field.map(WebhookEventKind::from) {
        Some(WebhookEventKind::Messages) => {
            let payload = payload_object(payload)?;
            let status =
                serde_path_to_error::deserialize(Value::Object(payload)).map_err(|err| {
                    let inner = err.path().to_string();
                    let path = if inner == "." {
                        "payload".to_owned()
                    } else {
                        format!("payload.{inner}")
                    };
                    EventError::at(path, err.into_inner())
                })?;
            Event::Message(status)
        }
        Some(WebhookEventKind::Templates) => Event::Template(payload_object(payload)?),
        Some(WebhookEventKind::Unknown(field)) => Event::Unknown {
            field: Some(field),
            payload,
        },
        None => Event::Unknown {
            field: None,
            payload,
        },
    };
    Ok((event, document))
}

fn payload_object(payload: Value) -> Result<Map<String, Value>, EventError> {
    match payload {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map),
        other => Err(EventError::at(
            "payload",
            serde_json::Error::custom(format_args!(
                "expected an object, found {}",
                json_type(&other)
            )),
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
