//! Webhook signature verification: published test vectors and negative cases.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use sentdm_client::webhooks::{
    self, DEFAULT_TOLERANCE, SecretError, SignedHeaders, Signer, SigningSecret, Verifier,
    VerifyError, WebhookHeader,
};

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap())
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks test vectors.
//
// Source: the Standard Webhooks reference libraries' tests, github.com/standard-webhooks/
// standard-webhooks, `libraries/go/webhook_test.go` and `libraries/javascript/src/
// webhook.test.ts` (same data in both): secret `MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw` (base64, with
// or without `whsec_`), message id `msg_p5jXN8AQM9LWM0D4loKWxJek`, timestamp 1614265330,
// payload `{"test": 2432232314}`, signature `v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=`
// ("sign function works"), the wrong signature `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=`
// and the multi-signature header ("valid multi sig is valid"), the malformed signatures
// `v1,dawfeoifkpqwoekfpqoekf`, a signature cut to 8 characters and `v1,`.
//
// Standard Webhooks names its headers `webhook-id`, `webhook-timestamp` and
// `webhook-signature`; the construction is the same, so the headers are mapped onto ours with
// `webhooks::from_fn`.
// ---------------------------------------------------------------------------------------------

const SW_SECRET: &str = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW_TIMESTAMP: i64 = 1_614_265_330;
const SW_PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const SW_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const SW_WRONG: &str = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

/// Standard Webhooks header names, as a sender using that scheme would send them.
struct StandardHeaders {
    pairs: Vec<(&'static str, String)>,
}

impl StandardHeaders {
    fn new(timestamp: i64, signature: &str) -> Self {
        StandardHeaders {
            pairs: vec![
                ("webhook-id", SW_ID.to_owned()),
                ("webhook-timestamp", timestamp.to_string()),
                ("webhook-signature", signature.to_owned()),
            ],
        }
    }

    fn set(&mut self, name: &'static str, value: &str) {
        self.pairs.retain(|(n, _)| *n != name);
        self.pairs.push((name, value.to_owned()));
    }

    fn remove(&mut self, name: &str) {
        self.pairs.retain(|(n, _)| *n != name);
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn verify(&self, verifier: &Verifier, body: &[u8], now: SystemTime) -> Result<(), VerifyError> {
        let headers = webhooks::from_fn(|name| match name {
            webhooks::ID_HEADER => self.get("webhook-id"),
            webhooks::TIMESTAMP_HEADER => self.get("webhook-timestamp"),
            webhooks::SIGNATURE_HEADER => self.get("webhook-signature"),
            _ => None,
        });
        verifier.verify_at(&headers, body, now).map(|_| ())
    }
}

/// A delivery signed now-ish (at `timestamp`) with the Standard Webhooks secret.
fn sw_signed(timestamp: i64) -> StandardHeaders {
    let signature =
        Signer::new(SW_SECRET)
            .unwrap()
            .signature(SW_ID, &timestamp.to_string(), SW_PAYLOAD);
    StandardHeaders::new(timestamp, &signature)
}

const NOW: i64 = 1_700_000_000;

#[test]
fn standard_webhooks_sign_vector() {
    for secret in [SW_SECRET, &format!("whsec_{SW_SECRET}")] {
        let signed = Signer::new(secret)
            .unwrap()
            .sign(SW_ID, SW_TIMESTAMP, SW_PAYLOAD);
        assert_eq!(signed.signature(), SW_SIGNATURE);
        assert_eq!(signed.timestamp(), "1614265330");

        let verifier = Verifier::new(secret).unwrap();
        let headers = StandardHeaders::new(SW_TIMESTAMP, SW_SIGNATURE);
        headers
            .verify(&verifier, SW_PAYLOAD, at(SW_TIMESTAMP))
            .unwrap();
    }
}

#[test]
fn standard_webhooks_valid_and_prefix() {
    let headers = sw_signed(NOW);
    for secret in [SW_SECRET.to_owned(), format!("whsec_{SW_SECRET}")] {
        let verifier = Verifier::new(&secret).unwrap();
        headers.verify(&verifier, SW_PAYLOAD, at(NOW)).unwrap();
    }
}

#[test]
fn standard_webhooks_missing_headers() {
    let verifier = Verifier::new(SW_SECRET).unwrap();
    for (name, which) in [
        ("webhook-id", WebhookHeader::Id),
        ("webhook-timestamp", WebhookHeader::Timestamp),
        ("webhook-signature", WebhookHeader::Signature),
    ] {
        let mut headers = sw_signed(NOW);
        headers.remove(name);
        assert_eq!(
            headers.verify(&verifier, SW_PAYLOAD, at(NOW)),
            Err(VerifyError::MissingHeader(which))
        );
    }
}

#[test]
fn standard_webhooks_invalid_signatures() {
    let verifier = Verifier::new(SW_SECRET).unwrap();
    let mut headers = sw_signed(NOW);
    headers.set("webhook-signature", SW_WRONG);
    assert_eq!(
        headers.verify(&verifier, SW_PAYLOAD, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );

    let valid = sw_signed(NOW).get("webhook-signature").unwrap().to_owned();
    for malformed in ["v1,dawfeoifkpqwoekfpqoekf", &valid[..8], "v1,"] {
        let mut headers = sw_signed(NOW);
        headers.set("webhook-signature", malformed);
        assert_eq!(
            headers.verify(&verifier, SW_PAYLOAD, at(NOW)),
            Err(VerifyError::MalformedSignature),
            "{malformed}"
        );
    }
}

#[test]
fn standard_webhooks_invalid_timestamp() {
    let verifier = Verifier::new(SW_SECRET).unwrap();
    let mut headers = sw_signed(NOW);
    headers.set("webhook-timestamp", "hello");
    assert_eq!(
        headers.verify(&verifier, SW_PAYLOAD, at(NOW)),
        Err(VerifyError::InvalidTimestamp)
    );
}

#[test]
fn standard_webhooks_tolerance() {
    let verifier = Verifier::new(SW_SECRET).unwrap();
    let tolerance = 5 * 60;

    let old = sw_signed(NOW - tolerance - 1);
    assert_eq!(
        old.verify(&verifier, SW_PAYLOAD, at(NOW)),
        Err(VerifyError::TooOld {
            timestamp: NOW - tolerance - 1
        })
    );
    let new = sw_signed(NOW + tolerance + 1);
    assert_eq!(
        new.verify(&verifier, SW_PAYLOAD, at(NOW)),
        Err(VerifyError::TooNew {
            timestamp: NOW + tolerance + 1
        })
    );

    // Ignoring the tolerance, both pass, and so does a current one.
    let lenient = verifier.clone().without_timestamp_check();
    old.verify(&lenient, SW_PAYLOAD, at(NOW)).unwrap();
    new.verify(&lenient, SW_PAYLOAD, at(NOW)).unwrap();
    sw_signed(NOW)
        .verify(&lenient, SW_PAYLOAD, at(NOW))
        .unwrap();

    // A timestamp changed after signing fails even when the tolerance is ignored.
    let mut changed = sw_signed(NOW);
    changed.set("webhook-timestamp", "946684800");
    assert_eq!(
        changed.verify(&lenient, SW_PAYLOAD, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn standard_webhooks_multiple_signatures() {
    let verifier = Verifier::new(SW_SECRET).unwrap();
    let valid = sw_signed(NOW).get("webhook-signature").unwrap().to_owned();
    let header = [
        SW_WRONG,
        "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        &valid,
        SW_WRONG,
    ]
    .join(" ");
    let mut headers = sw_signed(NOW);
    headers.set("webhook-signature", &header);
    headers.verify(&verifier, SW_PAYLOAD, at(NOW)).unwrap();
}

#[test]
fn standard_webhooks_empty_key() {
    assert_eq!(Verifier::new("").unwrap_err(), SecretError::Empty);
    assert_eq!(Signer::new("").unwrap_err(), SecretError::Empty);
}

// ---------------------------------------------------------------------------------------------
// Sent.dm deliveries.
// ---------------------------------------------------------------------------------------------

/// The `signing_secret` of the "Create webhook" example (POST /v3/webhooks).
const SECRET: &str = "whsec_a1b2c3d4e5f6g7h8i9j0";
/// The `signing_secret` of the "Rotate webhook secret" example.
const ROTATED: &str = "whsec_n3wS3cr3tK3yG3n3r4t3d";
/// The webhook `id` of the "Create webhook" example.
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";
const BODY: &[u8] = br#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"sms"}}"#;

fn signed(secret: &str, body: &[u8]) -> SignedHeaders {
    Signer::new(secret).unwrap().sign(WEBHOOK_ID, NOW, body)
}

fn header_map(headers: &SignedHeaders) -> HeaderMap {
    headers.to_header_map().unwrap()
}

#[test]
fn round_trip_through_a_header_map() {
    let verifier = Verifier::new(SECRET).unwrap();
    let headers = header_map(&signed(SECRET, BODY));
    let delivery = verifier.verify_at(&headers, BODY, at(NOW)).unwrap();
    assert_eq!(delivery.webhook_id, WEBHOOK_ID);
    assert_eq!(delivery.timestamp, NOW);
    assert_eq!(delivery.webhook_uuid(), Some(WEBHOOK_ID.parse().unwrap()));
    assert_eq!(delivery.datetime().unwrap().unix_timestamp(), NOW,);
}

#[test]
fn docs_secrets_are_accepted() {
    for secret in [SECRET, ROTATED] {
        let verifier = Verifier::new(secret).unwrap();
        let headers = signed(secret, BODY);
        verifier.verify_at(&headers, BODY, at(NOW)).unwrap();
    }
    // Padded, unpadded, standard and URL-safe spellings of one key are the same key.
    let key: Vec<u8> = (0u8..=31).map(|b| b.wrapping_mul(37) ^ 0xfb).collect();
    let padded = format!("whsec_{}", base64_standard(&key));
    let unpadded = padded.trim_end_matches('=').to_owned();
    let url_safe = unpadded.replace('+', "-").replace('/', "_");
    assert_ne!(unpadded, url_safe, "the key should use + or /");
    let headers = Signer::new(&padded).unwrap().sign(WEBHOOK_ID, NOW, BODY);
    for secret in [&padded, &unpadded, &url_safe] {
        Verifier::new(secret)
            .unwrap()
            .verify_at(&headers, BODY, at(NOW))
            .unwrap();
    }
    let raw = SigningSecret::from_key(&key).unwrap();
    Verifier::from(raw)
        .verify_at(&headers, BODY, at(NOW))
        .unwrap();
}

fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn invalid_secrets_fail_at_construction() {
    for (secret, reason) in [
        ("whsec_", SecretError::Empty),
        ("whsec_not base64", SecretError::NotBase64),
        ("whsec_abc$", SecretError::NotBase64),
        ("whsec_ab+c-d", SecretError::MixedAlphabets),
        ("whsec_AAAA=", SecretError::NotBase64),
    ] {
        assert_eq!(Verifier::new(secret).unwrap_err(), reason, "{secret}");
        assert_eq!(Signer::new(secret).unwrap_err(), reason, "{secret}");
        assert!(!reason.to_string().contains(secret));
    }
    assert_eq!(
        Verifier::from_secrets(Vec::<String>::new()).unwrap_err(),
        SecretError::NoSecret
    );
    assert_eq!(
        Verifier::from_secrets([SECRET, "whsec_!"]).unwrap_err(),
        SecretError::NotBase64
    );
}

#[test]
fn header_names_are_case_insensitive() {
    let verifier = Verifier::new(SECRET).unwrap();
    let headers = signed(SECRET, BODY);
    let pairs = vec![
        ("x-WEBHOOK-id", headers.webhook_id().to_owned()),
        ("X-Webhook-Timestamp", headers.timestamp().to_owned()),
        ("X-WEBHOOK-SIGNATURE", headers.signature().to_owned()),
        ("Content-Type", "application/json".to_owned()),
    ];
    verifier.verify_at(&pairs, BODY, at(NOW)).unwrap();
    verifier.verify_at(pairs.as_slice(), BODY, at(NOW)).unwrap();

    let array = [
        ("X-WEBHOOK-ID", headers.webhook_id()),
        ("x-webhook-timestamp", headers.timestamp()),
        ("x-Webhook-Signature", headers.signature()),
    ];
    verifier.verify_at(&array, BODY, at(NOW)).unwrap();

    let mut map = HeaderMap::new();
    map.insert(
        "X-Webhook-ID",
        HeaderValue::from_str(headers.webhook_id()).unwrap(),
    );
    map.insert(
        "X-WEBHOOK-TIMESTAMP",
        HeaderValue::from_str(headers.timestamp()).unwrap(),
    );
    map.insert(
        "x-webhook-signature",
        HeaderValue::from_str(headers.signature()).unwrap(),
    );
    verifier.verify_at(&map, BODY, at(NOW)).unwrap();

    // Signed headers verify directly, and through their (name, value) pairs.
    verifier.verify_at(&headers, BODY, at(NOW)).unwrap();
    let listed: Vec<(&str, &str)> = headers.iter().collect();
    assert_eq!(listed[0], ("X-Webhook-ID", WEBHOOK_ID));
    verifier.verify_at(&listed, BODY, at(NOW)).unwrap();
}

#[test]
fn rotation_with_several_secrets() {
    let old = signed(SECRET, BODY);
    let new = signed(ROTATED, BODY);

    let both = Verifier::from_secrets([SECRET, ROTATED]).unwrap();
    assert_eq!(both.secret_count(), 2);
    both.verify_at(&old, BODY, at(NOW)).unwrap();
    both.verify_at(&new, BODY, at(NOW)).unwrap();
    let added = Verifier::new(SECRET).unwrap().with_secret(ROTATED).unwrap();
    added.verify_at(&new, BODY, at(NOW)).unwrap();

    let only_old = Verifier::new(SECRET).unwrap();
    assert_eq!(
        only_old.verify_at(&new, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );

    // A sender signing with both secrets during the rotation.
    let dual = new
        .clone()
        .with_signature(format!("{} {}", old.signature(), new.signature()));
    only_old.verify_at(&dual, BODY, at(NOW)).unwrap();
    Verifier::new(ROTATED)
        .unwrap()
        .verify_at(&dual, BODY, at(NOW))
        .unwrap();
}

#[test]
fn tampered_body_fails() {
    let verifier = Verifier::new(SECRET).unwrap();
    let headers = signed(SECRET, BODY);
    let tampered = String::from_utf8(BODY.to_vec())
        .unwrap()
        .replace("DELIVERED", "FAILED");
    assert_eq!(
        verifier.verify_at(&headers, tampered.as_bytes(), at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
    // Re-serialised JSON (a space added) is a different body.
    let reformatted = String::from_utf8(BODY.to_vec())
        .unwrap()
        .replace("\":", "\": ");
    assert_eq!(
        verifier.verify_at(&headers, reformatted.as_bytes(), at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn tampered_id_or_timestamp_fails() {
    let verifier = Verifier::new(SECRET).unwrap().without_timestamp_check();
    let headers = signed(SECRET, BODY);
    let other_id = [
        ("x-webhook-id", "e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8"),
        ("x-webhook-timestamp", headers.timestamp()),
        ("x-webhook-signature", headers.signature()),
    ];
    assert_eq!(
        verifier.verify_at(&other_id, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
    let other_time = (NOW + 1).to_string();
    let other_timestamp = [
        ("x-webhook-id", headers.webhook_id()),
        ("x-webhook-timestamp", &other_time),
        ("x-webhook-signature", headers.signature()),
    ];
    assert_eq!(
        verifier.verify_at(&other_timestamp, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn wrong_secret_fails() {
    let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(
        verifier.verify_at(&signed(SECRET, BODY), BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn expired_and_future_deliveries_fail() {
    let verifier = Verifier::new(SECRET).unwrap();
    assert_eq!(verifier.current_tolerance(), Some(DEFAULT_TOLERANCE));
    let headers = signed(SECRET, BODY);
    let limit = DEFAULT_TOLERANCE.as_secs() as i64;

    verifier.verify_at(&headers, BODY, at(NOW + limit)).unwrap();
    verifier.verify_at(&headers, BODY, at(NOW - limit)).unwrap();
    assert_eq!(
        verifier.verify_at(&headers, BODY, at(NOW + limit + 1)),
        Err(VerifyError::TooOld { timestamp: NOW })
    );
    assert_eq!(
        verifier.verify_at(&headers, BODY, at(NOW - limit - 1)),
        Err(VerifyError::TooNew { timestamp: NOW })
    );

    let strict = verifier.clone().tolerance(Duration::from_secs(10));
    strict.verify_at(&headers, BODY, at(NOW + 10)).unwrap();
    assert!(matches!(
        strict.verify_at(&headers, BODY, at(NOW + 11)),
        Err(VerifyError::TooOld { .. })
    ));
    assert!(matches!(
        strict.verify_at(&headers, BODY, at(NOW - 11)),
        Err(VerifyError::TooNew { .. })
    ));

    // Against the real clock, a delivery signed now passes and one from 2023 does not.
    let fresh = Signer::new(SECRET).unwrap().sign_now(WEBHOOK_ID, BODY);
    verifier.verify(&fresh, BODY).unwrap();
    assert!(matches!(
        verifier.verify(&headers, BODY),
        Err(VerifyError::TooOld { .. })
    ));
}

#[test]
fn missing_headers() {
    let verifier = Verifier::new(SECRET).unwrap();
    let headers = header_map(&signed(SECRET, BODY));
    for which in [
        WebhookHeader::Id,
        WebhookHeader::Timestamp,
        WebhookHeader::Signature,
    ] {
        let mut without = headers.clone();
        without.remove(which.lowercase());
        let err = verifier.verify_at(&without, BODY, at(NOW)).unwrap_err();
        assert_eq!(err, VerifyError::MissingHeader(which));
        assert!(err.to_string().contains(which.as_str()), "{err}");
    }
    assert_eq!(
        verifier.verify_at(&HeaderMap::new(), BODY, at(NOW)),
        Err(VerifyError::MissingHeader(WebhookHeader::Id))
    );
}

#[test]
fn malformed_signatures() {
    let verifier = Verifier::new(SECRET).unwrap();
    let good = signed(SECRET, BODY);
    let bare = good.signature().trim_start_matches("v1,").to_owned();
    let cases: Vec<(String, VerifyError)> = vec![
        // No `v1,` prefix.
        (bare.clone(), VerifyError::MalformedSignature),
        (format!("v1 {bare}"), VerifyError::MalformedSignature),
        (format!("v1={bare}"), VerifyError::MalformedSignature),
        (format!("V1,{bare}"), VerifyError::NoMatchingSignature),
        // Bad base64.
        ("v1,!!!!".to_owned(), VerifyError::MalformedSignature),
        (
            format!("v1,{}", &bare[1..]),
            VerifyError::MalformedSignature,
        ),
        (format!("v1,{bare}AAAA"), VerifyError::MalformedSignature),
        // Empty.
        (String::new(), VerifyError::MalformedSignature),
        ("   ".to_owned(), VerifyError::MalformedSignature),
        ("v1,".to_owned(), VerifyError::MalformedSignature),
        (",".to_owned(), VerifyError::MalformedSignature),
        // Other versions only.
        (format!("v1a,{bare}"), VerifyError::NoMatchingSignature),
        (format!("v2,{bare}"), VerifyError::NoMatchingSignature),
    ];
    for (header, expected) in cases {
        let headers = good.clone().with_signature(header.clone());
        let result = verifier.verify_at(&headers, BODY, at(NOW));
        assert_eq!(result, Err(expected), "{header:?}");
    }
    // The signature is the canonical encoding: padded, unused bits zero, so that no other
    // spelling of the right tag passes.
    for spelling in [
        format!("v1,{}", bare.trim_end_matches('=')),
        format!("v1,{} ", bare.trim_end_matches('=')),
    ] {
        let headers = good.clone().with_signature(spelling.clone());
        assert_eq!(
            verifier.verify_at(&headers, BODY, at(NOW)),
            Err(VerifyError::MalformedSignature),
            "{spelling:?}"
        );
    }
    // A malformed entry next to a valid one does not matter.
    let mixed = good
        .clone()
        .with_signature(format!("garbage v1,!! {}", good.signature()));
    verifier.verify_at(&mixed, BODY, at(NOW)).unwrap();
}

#[test]
fn malformed_id_and_timestamp() {
    let verifier = Verifier::new(SECRET).unwrap();
    let good = signed(SECRET, BODY);
    for timestamp in [
        "",
        "abc",
        "-1",
        "1.5",
        "1e9",
        "99999999999999999999",
        "+1700000000",
    ] {
        let headers = [
            ("x-webhook-id", good.webhook_id()),
            ("x-webhook-timestamp", timestamp),
            ("x-webhook-signature", good.signature()),
        ];
        assert_eq!(
            verifier.verify_at(&headers, BODY, at(NOW)),
            Err(VerifyError::InvalidTimestamp),
            "{timestamp:?}"
        );
    }
    let empty_id: [(&str, &[u8]); 3] = [
        ("x-webhook-id", b""),
        ("x-webhook-timestamp", good.timestamp().as_bytes()),
        ("x-webhook-signature", good.signature().as_bytes()),
    ];
    assert_eq!(
        verifier.verify_at(&empty_id, BODY, at(NOW)),
        Err(VerifyError::InvalidWebhookId)
    );
    let binary_id: [(&str, &[u8]); 3] = [
        ("x-webhook-id", b"\xff\xfe"),
        ("x-webhook-timestamp", good.timestamp().as_bytes()),
        ("x-webhook-signature", good.signature().as_bytes()),
    ];
    assert_eq!(
        verifier.verify_at(&binary_id, BODY, at(NOW)),
        Err(VerifyError::InvalidWebhookId)
    );
    // Leading zeros are digits like any other: the signature covers the header text.
    let zeros = Signer::new(SECRET).unwrap();
    let padded_time = format!("000{NOW}");
    let signature = zeros.signature(WEBHOOK_ID, &padded_time, BODY);
    let headers = [
        ("x-webhook-id", WEBHOOK_ID),
        ("x-webhook-timestamp", &padded_time),
        ("x-webhook-signature", &signature),
    ];
    assert_eq!(
        verifier
            .verify_at(&headers, BODY, at(NOW))
            .unwrap()
            .timestamp,
        NOW
    );
}

#[test]
fn empty_body() {
    let verifier = Verifier::new(SECRET).unwrap();
    let headers = signed(SECRET, b"");
    verifier.verify_at(&headers, b"", at(NOW)).unwrap();
    assert_eq!(
        verifier.verify_at(&headers, b" ", at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
    assert_eq!(
        verifier.verify_at(&signed(SECRET, BODY), b"", at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn one_mebibyte_body() {
    let verifier = Verifier::new(SECRET).unwrap();
    let mut body: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let headers = header_map(&signed(SECRET, &body));
    verifier.verify_at(&headers, &body, at(NOW)).unwrap();

    body[1 << 19] ^= 0x01;
    assert_eq!(
        verifier.verify_at(&headers, &body, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
    body[1 << 19] ^= 0x01;
    body.push(b' ');
    assert_eq!(
        verifier.verify_at(&headers, &body, at(NOW)),
        Err(VerifyError::NoMatchingSignature)
    );
}

#[test]
fn raw_bytes_need_not_be_utf8() {
    let verifier = Verifier::new(SECRET).unwrap();
    let body = [0xff, 0x00, 0xfe, b'{'];
    let headers = signed(SECRET, &body);
    verifier.verify_at(&headers, &body, at(NOW)).unwrap();
}

#[test]
fn nothing_secret_in_errors_or_debug_output() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let key_text = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let verifier = Verifier::new(secret).unwrap();
    let signer = Signer::new(secret).unwrap();
    let expected = signer.sign(WEBHOOK_ID, NOW, BODY);
    let expected_tag = expected.signature().trim_start_matches("v1,").to_owned();

    let mut outputs = vec![
        format!("{verifier:?}"),
        format!("{signer:?}"),
        format!("{:?}", SigningSecret::new(secret).unwrap()),
    ];
    let forged = expected.clone().with_signature(SW_WRONG);
    let attempts: Vec<(SignedHeaders, &[u8], SystemTime)> = vec![
        (forged.clone(), BODY, at(NOW)),
        (expected.clone(), b"tampered", at(NOW)),
        (expected.clone(), BODY, at(NOW + 10_000)),
        (expected.clone(), BODY, at(NOW - 10_000)),
        (expected.clone().with_signature("v1,???"), BODY, at(NOW)),
    ];
    for (headers, body, now) in attempts {
        let err = verifier.verify_at(&headers, body, now).unwrap_err();
        outputs.push(err.to_string());
        outputs.push(format!("{err:?}"));
        let err = verifier.verify_event_at(&headers, body, now).unwrap_err();
        outputs.push(err.to_string());
        outputs.push(format!("{err:?}"));
    }
    for output in &outputs {
        assert!(!output.contains(key_text), "{output}");
        assert!(!output.contains(&expected_tag), "{output}");
    }
    assert!(outputs[0].contains("[redacted]"), "{}", outputs[0]);
    assert!(outputs[1].contains("[redacted]"), "{}", outputs[1]);
    assert_eq!(outputs[2], "[redacted]");
}

#[test]
fn public_types_are_thread_safe_errors_are_errors() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn error<E: std::error::Error + Send + Sync + 'static>() {}
    send_sync::<Verifier>();
    send_sync::<Signer>();
    send_sync::<SigningSecret>();
    send_sync::<SignedHeaders>();
    send_sync::<webhooks::Event>();
    send_sync::<webhooks::WebhookEvent>();
    send_sync::<webhooks::Delivery>();
    error::<VerifyError>();
    error::<SecretError>();
    error::<webhooks::EventError>();
    error::<webhooks::WebhookError>();
}
