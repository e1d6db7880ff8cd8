//! Properties of signing and verification: round trips, and that no single-byte change to a
//! signed delivery's body, webhook id or signature is accepted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use sentdm_client::webhooks::{Signer, Verifier};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW: i64 = 1_700_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW as u64)
}

fn verifier() -> Verifier {
    Verifier::new(SECRET).unwrap()
}

/// Headers as raw bytes, so that changed bytes need not stay UTF-8.
fn verify(id: &[u8], timestamp: &[u8], signature: &[u8], body: &[u8]) -> bool {
    let headers: [(&str, &[u8]); 3] = [
        ("X-Webhook-ID", id),
        ("X-Webhook-Timestamp", timestamp),
        ("X-Webhook-Signature", signature),
    ];
    verifier().verify_at(&headers, body, now()).is_ok()
}

fn change(bytes: &mut [u8], index: prop::sample::Index, mask: u8) {
    let index = index.index(bytes.len());
    bytes[index] ^= mask;
}

fn ids() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[!-~]{1,64}",
        any::<String>().prop_filter("non-empty", |id| !id.is_empty()),
    ]
}

fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..4096)
}

fn timestamps() -> impl Strategy<Value = i64> {
    NOW - 300..=NOW + 300
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn signed_deliveries_verify(id in ids(), body in bodies(), timestamp in timestamps()) {
        let signed = Signer::new(SECRET).unwrap().sign(&id, timestamp, &body);
        let delivery = verifier().verify_at(&signed, &body, now()).unwrap();
        prop_assert_eq!(delivery.webhook_id, id);
        prop_assert_eq!(delivery.timestamp, timestamp);
    }

    #[test]
    fn any_changed_body_byte_fails(
        id in ids(),
        mut body in prop::collection::vec(any::<u8>(), 1..4096),
        index in any::<prop::sample::Index>(),
        mask in 1u8..,
    ) {
        let signed = Signer::new(SECRET).unwrap().sign(&id, NOW, &body);
        change(&mut body, index, mask);
        prop_assert!(!verify(
            signed.webhook_id().as_bytes(),
            signed.timestamp().as_bytes(),
            signed.signature().as_bytes(),
            &body,
        ));
    }

    #[test]
    fn any_changed_id_byte_fails(
        id in ids(),
        body in bodies(),
        index in any::<prop::sample::Index>(),
        mask in 1u8..,
    ) {
        let signed = Signer::new(SECRET).unwrap().sign(&id, NOW, &body);
        let mut id = signed.webhook_id().as_bytes().to_vec();
        change(&mut id, index, mask);
        prop_assert!(!verify(
            &id,
            signed.timestamp().as_bytes(),
            signed.signature().as_bytes(),
            &body,
        ));
    }

    #[test]
    fn any_changed_signature_byte_fails(
        id in ids(),
        body in bodies(),
        index in any::<prop::sample::Index>(),
        mask in 1u8..,
    ) {
        let signed = Signer::new(SECRET).unwrap().sign(&id, NOW, &body);
        let mut signature = signed.signature().as_bytes().to_vec();
        change(&mut signature, index, mask);
        prop_assert!(!verify(
            signed.webhook_id().as_bytes(),
            signed.timestamp().as_bytes(),
            &signature,
            &body,
        ));
    }

    #[test]
    fn signatures_for_other_secrets_fail(key in prop::collection::vec(any::<u8>(), 1..64), body in bodies()) {
        prop_assume!(key != verifier_key());
        let other = Signer::from(sentdm_client::webhooks::SigningSecret::from_key(&key).unwrap());
        let signed = other.sign("d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8", NOW, &body);
        prop_assert!(verifier().verify_at(&signed, &body, now()).is_err());
    }

    #[test]
    fn arbitrary_headers_never_panic(
        id in prop::collection::vec(any::<u8>(), 0..80),
        timestamp in prop::collection::vec(any::<u8>(), 0..24),
        signature in prop::collection::vec(any::<u8>(), 0..200),
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        prop_assert!(!verify(&id, &timestamp, &signature, &body));
    }
}

/// The key of [`SECRET`]: `MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw` decoded.
fn verifier_key() -> Vec<u8> {
    let text = b"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    text.chunks(4)
        .flat_map(|quad| {
            let n = quad.iter().fold(0u32, |acc, &c| (acc << 6) | value(c));
            [(n >> 16) as u8, (n >> 8) as u8, n as u8]
        })
        .collect()
}

#[test]
fn verifier_key_matches_the_secret() {
    let key = verifier_key();
    assert_eq!(key.len(), 24);
    let signed = Signer::from(sentdm_client::webhooks::SigningSecret::from_key(&key).unwrap())
        .sign("id", NOW, b"{}");
    verifier().verify_at(&signed, b"{}", now()).unwrap();
}
