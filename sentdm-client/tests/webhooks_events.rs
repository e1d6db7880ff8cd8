//! Typed webhook events decoded from verified bodies.
//!
//! The docs have no complete example body. The SDK language pages read deliveries like this
//! (docs.sent.dm/llms/sdks/typescript.txt, "Webhooks"):
//!
//! ```text
//! if (event.field === 'messages') { const { message_id, message_status, channel } = event.payload;
//! ```
//!
//! and list the two kinds: "**`messages`** — Message status changes (`SENT`, `DELIVERED`,
//! `READ`, `FAILED`, …)" and "**`templates`** — WhatsApp template approval/rejection". The
//! bodies below follow that shape, with ids from the docs' examples (message id
//! `8ba7b830-9dad-11d1-80b4-00c04fd430c8` of the message examples, webhook id
//! `d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8` and secret `whsec_a1b2c3d4e5f6g7h8i9j0` of the
//! "Create webhook" example).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, UNIX_EPOCH};

use sentdm_client::types::{Channel, MessageStatus, WebhookEventKind};
use sentdm_client::webhooks::{Event, Signer, Verifier, VerifyError, WebhookError};
use serde_json::{Value, json};

const SECRET: &str = "whsec_a1b2c3d4e5f6g7h8i9j0";
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";
const MESSAGE_ID: &str = "8ba7b830-9dad-11d1-80b4-00c04fd430c8";
const NOW: i64 = 1_775_663_691;

fn message_body(status: &str, channel: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "field": "messages",
        "payload": {
            "message_id": MESSAGE_ID,
            "message_status": status,
            "channel": channel,
        }
    }))
    .unwrap()
}

#[test]
fn message_status_event() {
    for (status, expected) in [
        ("QUEUED", MessageStatus::Queued),
        ("ACCEPTED", MessageStatus::Accepted),
        ("PROCESSED", MessageStatus::Processed),
        ("SENT", MessageStatus::Sent),
        ("DELIVERED", MessageStatus::Delivered),
        ("READ", MessageStatus::Read),
        ("FAILED", MessageStatus::Failed),
    ] {
        let event = Event::from_slice(&message_body(status, "sms")).unwrap();
        assert_eq!(event.kind(), Some(WebhookEventKind::Messages));
        let Event::Message(payload) = event else {
            panic!("not a message event: {event:?}")
        };
        assert_eq!(payload.message_id, Some(MESSAGE_ID.parse().unwrap()));
        assert_eq!(payload.message_status, Some(expected));
        assert_eq!(payload.channel, Some(Channel::Sms));
        assert!(payload.extra.is_empty());
    }
}

#[test]
fn unknown_statuses_and_channels_are_kept() {
    let Event::Message(payload) = Event::from_slice(&message_body("pending", "rcs")).unwrap()
    else {
        panic!("not a message event")
    };
    assert_eq!(
        payload.message_status,
        Some(MessageStatus::Unknown("pending".into()))
    );
    assert_eq!(payload.channel, Some(Channel::Unknown("rcs".into())));
}

#[test]
fn extra_members_are_kept() {
    let body = json!({
        "field": "messages",
        "payload": {
            "message_id": MESSAGE_ID,
            "message_status": "FAILED",
            "channel": "whatsapp",
            "error": {"code": "131026", "message": "Message undeliverable"},
        },
        "event_id": "4b1d8f8e-0c37-4a43-9a53-0b6f2f3a9c11",
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let signed = Signer::new(SECRET).unwrap().sign(WEBHOOK_ID, NOW, &bytes);
    let event = Verifier::new(SECRET)
        .unwrap()
        .verify_event_at(
            &signed,
            &bytes,
            UNIX_EPOCH + Duration::from_secs(NOW as u64),
        )
        .unwrap();
    assert_eq!(event.delivery.webhook_id, WEBHOOK_ID);
    assert_eq!(event.delivery.timestamp, NOW);
    assert_eq!(
        event.extra.get("event_id"),
        Some(&json!("4b1d8f8e-0c37-4a43-9a53-0b6f2f3a9c11"))
    );
    let Event::Message(payload) = event.event else {
        panic!("not a message event")
    };
    assert_eq!(payload.channel, Some(Channel::Whatsapp));
    assert_eq!(
        payload.extra.get("error"),
        Some(&json!({"code": "131026", "message": "Message undeliverable"}))
    );
}

#[test]
fn missing_members_of_a_message_payload() {
    let event = Event::from_slice(br#"{"field":"messages","payload":{}}"#).unwrap();
    let Event::Message(payload) = event else {
        panic!("not a message event")
    };
    assert_eq!(payload.message_id, None);
    assert_eq!(payload.message_status, None);
    let event = Event::from_slice(br#"{"field":"messages"}"#).unwrap();
    assert!(matches!(event, Event::Message(_)));
}

#[test]
fn template_event() {
    let body = br#"{"field":"templates","payload":{"template_id":"7ba7b820-9dad-11d1-80b4-00c04fd430c8","status":"APPROVED"}}"#;
    let event = Event::from_slice(body).unwrap();
    assert_eq!(event.kind(), Some(WebhookEventKind::Templates));
    let Event::Template(payload) = event else {
        panic!("not a template event")
    };
    assert_eq!(payload.get("status"), Some(&json!("APPROVED")));
}

#[test]
fn unknown_kinds_are_kept() {
    let body = br#"{"field":"contacts","payload":{"id":"c1","opt_out":true}}"#;
    let event = Event::from_slice(body).unwrap();
    assert_eq!(
        event.kind(),
        Some(WebhookEventKind::Unknown("contacts".into()))
    );
    assert_eq!(
        event,
        Event::Unknown {
            field: Some("contacts".into()),
            payload: json!({"id": "c1", "opt_out": true}),
        }
    );

    // Payloads of unknown kinds need not be objects.
    let event = Event::from_slice(br#"{"field":"ping","payload":[1,2]}"#).unwrap();
    assert_eq!(
        event,
        Event::Unknown {
            field: Some("ping".into()),
            payload: json!([1, 2]),
        }
    );

    // The integration guides' `{type, data}` shape has no `field`: kept whole.
    let guide = json!({
        "type": "message.delivered",
        "data": {"id": "msg_123", "status": "delivered"},
    });
    let bytes = serde_json::to_vec(&guide).unwrap();
    let signed = Signer::new(SECRET).unwrap().sign(WEBHOOK_ID, NOW, &bytes);
    let event = Verifier::new(SECRET)
        .unwrap()
        .without_timestamp_check()
        .verify_event(&signed, &bytes)
        .unwrap();
    assert_eq!(
        event.event,
        Event::Unknown {
            field: None,
            payload: Value::Null
        }
    );
    assert_eq!(event.event.kind(), None);
    assert_eq!(event.extra.get("type"), Some(&json!("message.delivered")));
    assert_eq!(event.extra.get("data"), Some(&guide["data"]));
}

#[test]
fn bodies_that_are_not_events() {
    for (body, path) in [
        (&b""[..], "."),
        (b"not json", "."),
        (b"[]", "."),
        (b"\"messages\"", "."),
        (br#"{"field":"messages""#, "."),
        (br#"{"field":7}"#, "field"),
        (br#"{"field":"messages","payload":"DELIVERED"}"#, "payload"),
        (br#"{"field":"templates","payload":[]}"#, "payload"),
        (
            br#"{"field":"messages","payload":{"message_id":"msg_123"}}"#,
            "payload.message_id",
        ),
        (
            br#"{"field":"messages","payload":{"message_status":5}}"#,
            "payload.message_status",
        ),
    ] {
        let err = Event::from_slice(body).unwrap_err();
        assert_eq!(err.path(), path, "{}", String::from_utf8_lossy(body));
        assert!(err.to_string().contains(path), "{err}");
    }
}

#[test]
fn verification_comes_before_decoding() {
    let verifier = Verifier::new(SECRET).unwrap().without_timestamp_check();
    let body = b"not json";
    let signed = Signer::new(SECRET).unwrap().sign(WEBHOOK_ID, NOW, body);
    assert!(matches!(
        verifier.verify_event(&signed, body),
        Err(WebhookError::Event(_))
    ));
    let forged = signed.with_signature("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=");
    assert!(matches!(
        verifier.verify_event(&forged, body),
        Err(WebhookError::Verify(VerifyError::NoMatchingSignature))
    ));
}

#[test]
fn delivery_metadata() {
    let body = message_body("READ", "whatsapp");
    let signed = Signer::new(SECRET).unwrap().sign_now(WEBHOOK_ID, &body);
    let event = Verifier::new(SECRET)
        .unwrap()
        .verify_event(&signed.to_header_map().unwrap(), &body)
        .unwrap();
    assert_eq!(
        event.delivery.webhook_uuid(),
        Some(WEBHOOK_ID.parse().unwrap())
    );
    assert_eq!(
        event.delivery.timestamp.to_string(),
        signed.timestamp().to_owned()
    );
    assert!(event.delivery.datetime().is_some());
}
