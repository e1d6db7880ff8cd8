//! Decoding arbitrary bytes as a webhook body.
//!
//! Besides "no panic", checks that `Event::from_slice` and `WebhookEvent::decode` agree and
//! that a decoded message payload survives a JSON round trip.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sentdm_client::types::MessageStatusPayload;
use sentdm_client::webhooks::{Event, Signer, Verifier, WebhookEvent};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| Signer::new(SECRET).expect("a valid secret"))
}

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        Verifier::new(SECRET)
            .expect("a valid secret")
            .without_timestamp_check()
    })
}

fuzz_target!(|body: &[u8]| {
    let event = Event::from_slice(body);
    match &event {
        Ok(Event::Message(payload)) => {
            let json = serde_json::to_vec(payload).expect("a payload serialises");
            let again: MessageStatusPayload =
                serde_json::from_slice(&json).expect("a serialised payload decodes");
            assert_eq!(&again, payload);
        }
        Ok(other) => {
            let _ = other.kind();
        }
        Err(err) => {
            let _ = err.path();
            let _ = err.to_string();
        }
    }

    // The envelope decoder agrees with `Event::from_slice`.
    let signed = signer().sign(WEBHOOK_ID, 1_700_000_000, body);
    let delivery = verifier()
        .verify(&signed, body)
        .expect("a signed body verifies");
    assert_eq!(delivery.webhook_id, WEBHOOK_ID);
    let decoded: Result<WebhookEvent, _> = WebhookEvent::decode(delivery, body);
    match (&event, &decoded) {
        (Ok(event), Ok(decoded)) => assert_eq!(event, &decoded.event),
        (Err(a), Err(b)) => assert_eq!(a.path(), b.path()),
        _ => panic!("Event::from_slice and WebhookEvent::decode disagree"),
    }
});
