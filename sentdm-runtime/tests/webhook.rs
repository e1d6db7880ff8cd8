//! Webhook verification for two schemes, with deliveries signed by an independent
//! implementation: the HMAC computed with the `hmac` and `sha2` crates directly and the header
//! written by hand, not by [`Signer`].

#![cfg(feature = "webhooks")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit as _, Mac as _};
use http::{HeaderMap, HeaderValue};
use sentdm_runtime::webhook::{
    self, DEFAULT_TOLERANCE, HeaderRole, Json, Scheme, SecretError, SecretFormat, SignatureFormat,
    SignatureScheme, SignedPart, Signer, SigningSecret, TagEncoding, TimestampUnit, Verifier,
    VerifyError, WebhookError,
};
use sha2::Sha256;

// ---------------------------------------------------------------------------------------------
// Schemes
// ---------------------------------------------------------------------------------------------

/// SendSeven's webhook signatures, from `spec/sendseven/docs/examples.md` ("SendSeven API
/// Examples", section "Webhook Security"): "Webhooks are signed with HMAC-SHA256",
/// "`X-Sendseven-Signature: sha256=<hex_digest>`", "`X-Sendseven-Timestamp: <unix_timestamp>`",
/// "Message format for signature: `{timestamp}.{json_payload}`".
///
/// The page names no id or event-type header, does not say what the secret looks like (so its
/// bytes are the key) and gives no tolerance (so the runtime's default of five minutes).
const SENDSEVEN: SignatureScheme =
    SignatureScheme::new("X-Sendseven-Signature", "X-Sendseven-Timestamp")
        .signed_content(&[SignedPart::Timestamp, SignedPart::Body])
        .signature_format(SignatureFormat::Prefixed { prefix: "sha256=" })
        .tag_encoding(TagEncoding::Hex)
        .secret_format(SecretFormat::Raw)
        .timestamp_unit(TimestampUnit::Seconds)
        .tolerance(DEFAULT_TOLERANCE)
        .secret_env(&["SENDSEVEN_WEBHOOK_SECRET"]);
const _: () = assert!(SENDSEVEN.is_valid());

enum SendSeven {}
impl Scheme for SendSeven {
    const SCHEME: SignatureScheme = SENDSEVEN;
}

/// A scheme shaped like Sent.dm's: `whsec_` base64 secrets, `v1,<base64>` entries over
/// `{id}.{timestamp}.{body}`.
const SENT_LIKE: SignatureScheme =
    SignatureScheme::new("X-Webhook-Signature", "X-Webhook-Timestamp")
        .id_header("X-Webhook-ID")
        .event_type_header("X-Webhook-Event-Type")
        .signed_content(&[SignedPart::Id, SignedPart::Timestamp, SignedPart::Body])
        .signature_format(SignatureFormat::Versioned { version: "v1" })
        .tag_encoding(TagEncoding::Base64)
        .secret_format(SecretFormat::Base64 { prefix: "whsec_" })
        .secret_env(&["SENT_LIKE_SECRET", "SENT_LIKE_SECRET_FALLBACK"]);
const _: () = assert!(SENT_LIKE.is_valid());

enum SentLike {}
impl Scheme for SentLike {
    const SCHEME: SignatureScheme = SENT_LIKE;
}

/// Millisecond timestamps and an unsigned id header.
enum Millis {}
impl Scheme for Millis {
    const SCHEME: SignatureScheme = SignatureScheme::new("Sig", "Sent-At")
        .id_header("Delivery")
        .timestamp_unit(TimestampUnit::Milliseconds)
        .tolerance(Duration::from_secs(30));
}

// ---------------------------------------------------------------------------------------------
// The independent implementation
// ---------------------------------------------------------------------------------------------

const NOW: i64 = 1_700_000_000;
const BODY: &[u8] =
    br#"{"event":"message.delivered","data":{"id":"msg_abc123","status":"delivered"}}"#;

/// The SendSeven secret: any text.
const S7_SECRET: &str = "s7_webhook_secret_0123456789";
/// The Sent-like secret and the key it stands for (the Standard Webhooks test key).
const SENT_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SENT_KEY: [u8; 24] = [
    0x31, 0xf2, 0x90, 0xf6, 0xbf, 0x06, 0x29, 0x8a, 0xab, 0x4f, 0x08, 0xd4, 0x3c, 0x3f, 0x08, 0x2c,
    0xf6, 0x48, 0xa3, 0x62, 0xda, 0x2d, 0xa4, 0xb0,
];
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap())
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
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

/// `X-Sendseven-Signature` for a delivery: `sha256=` and the hex HMAC of `{timestamp}.{body}`
/// keyed with the secret's bytes.
fn s7_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), &message)))
}

fn s7_headers(secret: &str, timestamp: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    let timestamp = timestamp.to_string();
    vec![
        ("X-Sendseven-Timestamp", timestamp.clone()),
        (
            "X-Sendseven-Signature",
            s7_signature(secret, &timestamp, body),
        ),
        ("Content-Type", "application/json".to_owned()),
    ]
}

/// `X-Webhook-Signature` for a delivery: `v1,` and the base64 HMAC of `{id}.{timestamp}.{body}`
/// keyed with the decoded secret.
fn sent_signature(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("v1,{}", base64(&hmac_sha256(key, &message)))
}

fn sent_headers(key: &[u8], timestamp: i64, body: &[u8]) -> HeaderMap {
    let timestamp = timestamp.to_string();
    let mut map = HeaderMap::new();
    map.insert("x-webhook-id", HeaderValue::from_static(WEBHOOK_ID));
    map.insert(
        "x-webhook-timestamp",
        HeaderValue::from_str(&timestamp).unwrap(),
    );
    map.insert(
        "x-webhook-signature",
        HeaderValue::from_str(&sent_signature(key, WEBHOOK_ID, &timestamp, body)).unwrap(),
    );
    map.insert("x-webhook-event-type", HeaderValue::from_static("messages"));
    map
}

fn replace(pairs: &mut Vec<(&'static str, String)>, name: &'static str, value: &str) {
    pairs.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    pairs.push((name, value.to_owned()));
}

// ---------------------------------------------------------------------------------------------
// SendSeven
// ---------------------------------------------------------------------------------------------

#[test]
fn sendseven_independent_signature_is_accepted() {
    let verifier = Verifier::<SendSeven>::new(S7_SECRET).unwrap();
    let headers = s7_headers(S7_SECRET, NOW, BODY);
    let delivery = verifier.verify_at(&headers, BODY, at(NOW)).unwrap();
    assert_eq!(delivery.id, None);
    assert_eq!(delivery.timestamp, NOW);
    assert_eq!(delivery.unit, TimestampUnit::Seconds);
    assert_eq!(delivery.datetime().unwrap().unix_timestamp(), NOW);

    // The same through a header map, a slice, an array and a lookup function.
    let mut map = HeaderMap::new();
    for (name, value) in &headers {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    verifier.verify_at(&map, BODY, at(NOW)).unwrap();
    verifier
        .verify_at(headers.as_slice(), BODY, at(NOW))
        .unwrap();
    let array = [
        ("x-sendseven-timestamp", headers[0].1.as_str()),
        ("X-SENDSEVEN-SIGNATURE", headers[1].1.as_str()),
    ];
    verifier.verify_at(&array, BODY, at(NOW)).unwrap();
    let lookup = webhook::from_fn(|name| match name {
        "x-sendseven-timestamp" => Some(headers[0].1.as_str()),
        "x-sendseven-signature" => Some(headers[1].1.as_str()),
        _ => None,
    });
    verifier.verify_at(&lookup, BODY, at(NOW)).unwrap();

    // Uppercase hex is the same tag.
    let mut upper = headers.clone();
    let shouted = format!("sha256={}", headers[1].1["sha256=".len()..].to_uppercase());
    replace(&mut upper, "X-Sendseven-Signature", &shouted);
    verifier.verify_at(&upper, BODY, at(NOW)).unwrap();

    // Surrounding whitespace of the secret is not part of the key.
    Verifier::<SendSeven>::new(&format!("  {S7_SECRET}\n"))
        .unwrap()
        .verify_at(&headers, BODY, at(NOW))
        .unwrap();
}

#[test]
fn sendseven_signer_agrees_with_the_independent_one() {
    let signer = Signer::<SendSeven>::new(S7_SECRET).unwrap();
    let signed = signer.sign(None, NOW, BODY);
    assert_eq!(signed.id(), None);
    assert_eq!(signed.timestamp(), NOW.to_string());
    assert_eq!(
        signed.signature(),
        s7_signature(S7_SECRET, &NOW.to_string(), BODY)
    );
    let listed: Vec<(&str, &str)> = signed.iter().collect();
    assert_eq!(
        listed,
        [
            ("X-Sendseven-Timestamp", signed.timestamp()),
            ("X-Sendseven-Signature", signed.signature()),
        ]
    );
    // An id is neither signed nor sent when the scheme has no id header.
    assert_eq!(signer.sign(Some("ignored"), NOW, BODY), signed);
    let map = signed.to_header_map().unwrap();
    assert_eq!(map.len(), 2);
    assert_eq!(map["x-sendseven-signature"], signed.signature());
}

#[test]
fn sendseven_rejections() {
    let verifier = Verifier::<SendSeven>::new(S7_SECRET).unwrap();
    let signature = SENDSEVEN.signature();
    let timestamp = SENDSEVEN.timestamp();
    assert_eq!(signature.role(), HeaderRole::Signature);
    let headers = s7_headers(S7_SECRET, NOW, BODY);

    // Tampered body.
    let tampered = String::from_utf8(BODY.to_vec())
        .unwrap()
        .replace("delivered", "failed");
    assert_eq!(
        verifier.verify_at(&headers, tampered.as_bytes(), at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );
    // Wrong secret.
    let other = s7_headers("another secret", NOW, BODY);
    assert_eq!(
        verifier.verify_at(&other, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );
    // A timestamp changed after signing.
    let mut moved = headers.clone();
    replace(&mut moved, "X-Sendseven-Timestamp", &(NOW + 1).to_string());
    assert_eq!(
        verifier.verify_at(&moved, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );

    // Expired and future timestamps, the bounds included.
    let limit = 300;
    let old = s7_headers(S7_SECRET, NOW - limit, BODY);
    verifier.verify_at(&old, BODY, at(NOW)).unwrap();
    let older = s7_headers(S7_SECRET, NOW - limit - 1, BODY);
    assert_eq!(
        verifier.verify_at(&older, BODY, at(NOW)),
        Err(VerifyError::TooOld {
            timestamp: NOW - limit - 1
        })
    );
    let future = s7_headers(S7_SECRET, NOW + limit + 1, BODY);
    assert_eq!(
        verifier.verify_at(&future, BODY, at(NOW)),
        Err(VerifyError::TooNew {
            timestamp: NOW + limit + 1
        })
    );
    let lenient = verifier.clone().without_timestamp_check();
    lenient.verify_at(&older, BODY, at(NOW)).unwrap();
    lenient.verify_at(&future, BODY, at(NOW)).unwrap();

    // Missing headers.
    for name in ["X-Sendseven-Timestamp", "X-Sendseven-Signature"] {
        let mut without = headers.clone();
        without.retain(|(n, _)| *n != name);
        let err = verifier.verify_at(&without, BODY, at(NOW)).unwrap_err();
        let expected = if name == timestamp.name() {
            timestamp
        } else {
            signature
        };
        assert_eq!(err, VerifyError::MissingHeader(expected));
        assert!(err.to_string().contains(name), "{err}");
    }

    // Malformed signatures and timestamps.
    let good = headers[1].1.clone();
    let tag = &good["sha256=".len()..];
    for malformed in [
        String::new(),
        tag.to_owned(),
        format!("sha256:{tag}"),
        format!("sha256={}", &tag[1..]),
        format!("sha256={tag}00"),
        format!("sha256={}", base64(&[0; 32])),
        format!("sha256={}", "z".repeat(64)),
        "sha256=".to_owned(),
    ] {
        let mut bad = headers.clone();
        replace(&mut bad, "X-Sendseven-Signature", &malformed);
        assert_eq!(
            verifier.verify_at(&bad, BODY, at(NOW)),
            Err(VerifyError::MalformedSignature(signature)),
            "{malformed:?}"
        );
    }
    // Only another algorithm: well formed, but nothing to match.
    let mut sha512 = headers.clone();
    replace(&mut sha512, "X-Sendseven-Signature", "sha512=abcdef");
    assert_eq!(
        verifier.verify_at(&sha512, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );
    // A malformed or foreign item next to the right one does not matter.
    let mut listed = headers.clone();
    replace(
        &mut listed,
        "X-Sendseven-Signature",
        &format!("sha512=abcdef, garbage, {good}"),
    );
    verifier.verify_at(&listed, BODY, at(NOW)).unwrap();

    for bad in [
        "",
        "soon",
        "-1",
        "1.5",
        "1e9",
        "+1700000000",
        "99999999999999999999",
    ] {
        let mut headers = headers.clone();
        replace(&mut headers, "X-Sendseven-Timestamp", bad);
        assert_eq!(
            verifier.verify_at(&headers, BODY, at(NOW)),
            Err(VerifyError::InvalidTimestamp {
                header: timestamp,
                unit: TimestampUnit::Seconds
            }),
            "{bad:?}"
        );
    }
    // Repeated timestamp lines that differ.
    let mut twice = headers.clone();
    twice.push(("x-sendseven-timestamp", (NOW + 5).to_string()));
    assert_eq!(
        verifier.verify_at(&twice, BODY, at(NOW)),
        Err(VerifyError::ConflictingHeader(timestamp))
    );
}

#[test]
fn sendseven_rotation() {
    let both = Verifier::<SendSeven>::from_secrets(["old secret", "new secret"]).unwrap();
    assert_eq!(both.secret_count(), 2);
    both.verify_at(&s7_headers("old secret", NOW, BODY), BODY, at(NOW))
        .unwrap();
    both.verify_at(&s7_headers("new secret", NOW, BODY), BODY, at(NOW))
        .unwrap();
    let added = Verifier::<SendSeven>::new("old secret")
        .unwrap()
        .with_secret("new secret")
        .unwrap();
    added
        .verify_at(&s7_headers("new secret", NOW, BODY), BODY, at(NOW))
        .unwrap();
    assert_eq!(
        Verifier::<SendSeven>::from_secrets(Vec::<String>::new()).unwrap_err(),
        SecretError::NoSecret
    );
    assert_eq!(
        Verifier::<SendSeven>::new(" ").unwrap_err(),
        SecretError::Empty
    );
}

// ---------------------------------------------------------------------------------------------
// Sent-like
// ---------------------------------------------------------------------------------------------

#[test]
fn sent_like_independent_signature_is_accepted() {
    assert_eq!(base64(&SENT_KEY), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let verifier = Verifier::<SentLike>::new(SENT_SECRET).unwrap();
    let headers = sent_headers(&SENT_KEY, NOW, BODY);
    let delivery = verifier.verify_at(&headers, BODY, at(NOW)).unwrap();
    assert_eq!(delivery.id.as_deref(), Some(WEBHOOK_ID));
    assert_eq!(delivery.timestamp, NOW);

    // The Standard Webhooks vector: same construction, same key.
    let vector = [
        ("X-Webhook-ID", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("X-Webhook-Timestamp", "1614265330"),
        (
            "X-Webhook-Signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
    ];
    let payload = br#"{"test": 2432232314}"#;
    assert_eq!(
        sent_signature(&SENT_KEY, vector[0].1, vector[1].1, payload),
        vector[2].1
    );
    verifier
        .verify_at(&vector, payload, at(1_614_265_330))
        .unwrap();

    // The key given directly, and the secret without its prefix, are the same key.
    Verifier::from(SigningSecret::<SentLike>::from_key(&SENT_KEY).unwrap())
        .verify_at(&headers, BODY, at(NOW))
        .unwrap();
    Verifier::<SentLike>::new(SENT_SECRET.trim_start_matches("whsec_"))
        .unwrap()
        .verify_at(&headers, BODY, at(NOW))
        .unwrap();

    // Several signatures, one of them right, one of another version.
    let good = headers["x-webhook-signature"].to_str().unwrap().to_owned();
    let mut several = headers.clone();
    several.insert(
        "x-webhook-signature",
        HeaderValue::from_str(&format!(
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc {good}"
        ))
        .unwrap(),
    );
    verifier.verify_at(&several, BODY, at(NOW)).unwrap();
}

#[test]
fn sent_like_signer_agrees_with_the_independent_one() {
    let signer = Signer::<SentLike>::new(SENT_SECRET).unwrap();
    let signed = signer.sign(Some(WEBHOOK_ID), NOW, BODY);
    assert_eq!(signed.id(), Some(WEBHOOK_ID));
    assert_eq!(
        signed.signature(),
        sent_signature(&SENT_KEY, WEBHOOK_ID, &NOW.to_string(), BODY)
    );
    let names: Vec<&str> = signed.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["X-Webhook-ID", "X-Webhook-Timestamp", "X-Webhook-Signature"]
    );
    Verifier::<SentLike>::new(SENT_SECRET)
        .unwrap()
        .verify_at(&signed, BODY, at(NOW))
        .unwrap();
    let fresh = signer.sign_now(Some(WEBHOOK_ID), BODY);
    Verifier::<SentLike>::new(SENT_SECRET)
        .unwrap()
        .verify(&fresh.to_header_map().unwrap(), BODY)
        .unwrap();
}

#[test]
fn sent_like_rejections() {
    let verifier = Verifier::<SentLike>::new(SENT_SECRET).unwrap();
    let id = SENT_LIKE.id().unwrap();
    let signature = SENT_LIKE.signature();
    let headers = sent_headers(&SENT_KEY, NOW, BODY);

    let mut tampered = BODY.to_vec();
    tampered[10] ^= 1;
    assert_eq!(
        verifier.verify_at(&headers, &tampered, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );
    let wrong_key = sent_headers(b"another key", NOW, BODY);
    assert_eq!(
        verifier.verify_at(&wrong_key, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );
    let mut other_id = headers.clone();
    other_id.insert("x-webhook-id", HeaderValue::from_static("another"));
    assert_eq!(
        verifier.verify_at(&other_id, BODY, at(NOW)),
        Err(VerifyError::NoMatchingSignature(signature))
    );

    let old = sent_headers(&SENT_KEY, NOW - 301, BODY);
    assert_eq!(
        verifier.verify_at(&old, BODY, at(NOW)),
        Err(VerifyError::TooOld {
            timestamp: NOW - 301
        })
    );
    let new = sent_headers(&SENT_KEY, NOW + 301, BODY);
    assert_eq!(
        verifier.verify_at(&new, BODY, at(NOW)),
        Err(VerifyError::TooNew {
            timestamp: NOW + 301
        })
    );
    let strict = verifier.clone().tolerance(Duration::from_secs(10));
    assert_eq!(strict.current_tolerance(), Some(Duration::from_secs(10)));
    assert!(matches!(
        strict.verify_at(&headers, BODY, at(NOW + 11)),
        Err(VerifyError::TooOld { .. })
    ));

    // The id is signed, so it is required and must be text.
    let mut no_id = headers.clone();
    no_id.remove("x-webhook-id");
    assert_eq!(
        verifier.verify_at(&no_id, BODY, at(NOW)),
        Err(VerifyError::MissingHeader(id))
    );
    assert_eq!(
        verifier.verify_at(&HeaderMap::new(), BODY, at(NOW)),
        Err(VerifyError::MissingHeader(id))
    );
    let mut binary_id = headers.clone();
    binary_id.insert("x-webhook-id", HeaderValue::from_bytes(b"\xff").unwrap());
    let err = verifier.verify_at(&binary_id, BODY, at(NOW)).unwrap_err();
    assert_eq!(err, VerifyError::InvalidId(id));
    assert_eq!(
        err.to_string(),
        "the X-Webhook-ID header is empty or not UTF-8"
    );
    let mut two_ids = headers.clone();
    two_ids.append("x-webhook-id", HeaderValue::from_static("another"));
    assert_eq!(
        verifier.verify_at(&two_ids, BODY, at(NOW)),
        Err(VerifyError::ConflictingHeader(id))
    );

    let good = headers["x-webhook-signature"].to_str().unwrap().to_owned();
    let bare = good.trim_start_matches("v1,").to_owned();
    for (value, expected) in [
        (bare.clone(), VerifyError::MalformedSignature(signature)),
        (
            format!("v1={bare}"),
            VerifyError::MalformedSignature(signature),
        ),
        (
            format!("v1,{}", bare.trim_end_matches('=')),
            VerifyError::MalformedSignature(signature),
        ),
        ("v1,".to_owned(), VerifyError::MalformedSignature(signature)),
        (
            format!("sha256={}", hex(&[0; 32])),
            VerifyError::MalformedSignature(signature),
        ),
        (
            format!("v2,{bare}"),
            VerifyError::NoMatchingSignature(signature),
        ),
        (
            format!("V1,{bare}"),
            VerifyError::NoMatchingSignature(signature),
        ),
    ] {
        let mut bad = headers.clone();
        bad.insert(
            "x-webhook-signature",
            HeaderValue::from_str(&value).unwrap(),
        );
        assert_eq!(
            verifier.verify_at(&bad, BODY, at(NOW)),
            Err(expected),
            "{value:?}"
        );
    }
    let mut no_signature = headers.clone();
    no_signature.remove("x-webhook-signature");
    let err = verifier
        .verify_at(&no_signature, BODY, at(NOW))
        .unwrap_err();
    assert_eq!(err, VerifyError::MissingHeader(signature));
    assert_eq!(
        err.to_string(),
        "the webhook delivery has no X-Webhook-Signature header"
    );

    for (secret, reason) in [
        ("whsec_", SecretError::Empty),
        ("whsec_not base64", SecretError::NotBase64),
        ("whsec_ab+c-d", SecretError::MixedAlphabets),
    ] {
        assert_eq!(Verifier::<SentLike>::new(secret).unwrap_err(), reason);
        assert_eq!(Signer::<SentLike>::new(secret).unwrap_err(), reason);
        assert!(!reason.to_string().contains(secret));
    }
}

// ---------------------------------------------------------------------------------------------
// Other units, unsigned ids, payloads
// ---------------------------------------------------------------------------------------------

#[test]
fn milliseconds_and_an_unsigned_id() {
    let now_ms = NOW * 1000 + 250;
    let signed_at = now_ms.to_string();
    let mut message = format!("{signed_at}.").into_bytes();
    message.extend_from_slice(BODY);
    let signature = format!("sha256={}", hex(&hmac_sha256(b"key", &message)));
    let now = UNIX_EPOCH + Duration::from_millis(u64::try_from(now_ms).unwrap());
    let verifier = Verifier::<Millis>::new("key").unwrap();
    assert_eq!(verifier.current_tolerance(), Some(Duration::from_secs(30)));

    let headers = [
        ("Sent-At", signed_at.as_str()),
        ("Sig", signature.as_str()),
        ("Delivery", "dlv_42"),
    ];
    let delivery = verifier.verify_at(&headers, BODY, now).unwrap();
    assert_eq!(delivery.id.as_deref(), Some("dlv_42"));
    assert_eq!(delivery.timestamp, now_ms);
    assert_eq!(delivery.unit, TimestampUnit::Milliseconds);
    assert_eq!(delivery.datetime().unwrap().millisecond(), 250);

    // The id is not signed: another one, or none, verifies all the same; an unusable one is
    // not reported.
    let other = [headers[0], headers[1], ("Delivery", "dlv_43")];
    assert_eq!(
        verifier.verify_at(&other, BODY, now).unwrap().id.as_deref(),
        Some("dlv_43")
    );
    assert_eq!(
        verifier.verify_at(&headers[..2], BODY, now).unwrap().id,
        None
    );
    let empty = [headers[0], headers[1], ("Delivery", "")];
    assert_eq!(verifier.verify_at(&empty, BODY, now).unwrap().id, None);

    // Thirty seconds either way, in milliseconds.
    let late = now + Duration::from_millis(30_001);
    assert_eq!(
        verifier.verify_at(&headers, BODY, late),
        Err(VerifyError::TooOld { timestamp: now_ms })
    );
    // A timestamp in seconds is far in the past.
    let mut in_seconds = format!("{NOW}.").into_bytes();
    in_seconds.extend_from_slice(BODY);
    let seconds_signature = format!("sha256={}", hex(&hmac_sha256(b"key", &in_seconds)));
    let seconds = [("Sent-At", NOW.to_string()), ("Sig", seconds_signature)];
    assert!(matches!(
        verifier.verify_at(&seconds, BODY, now),
        Err(VerifyError::TooOld { .. })
    ));

    // The signer writes milliseconds too.
    let signer = Signer::<Millis>::new("key").unwrap();
    assert_eq!(
        signer.sign(Some("dlv_42"), now_ms, BODY).signature(),
        signature
    );
    verifier.verify(&signer.sign_now(None, BODY), BODY).unwrap();
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Event {
    event: String,
}

#[test]
fn verified_payloads() {
    let verifier = Verifier::<SendSeven>::new(S7_SECRET).unwrap();
    let headers = s7_headers(S7_SECRET, NOW, BODY);
    let verified = verifier
        .verify_payload_at::<Json<Event>, _>(&headers, BODY, at(NOW))
        .unwrap();
    assert_eq!(verified.payload.0.event, "message.delivered");
    assert_eq!(verified.delivery.timestamp, NOW);

    let not_json = b"not json";
    let headers = s7_headers(S7_SECRET, NOW, not_json);
    match verifier.verify_payload_at::<Json<Event>, _>(&headers, not_json, at(NOW)) {
        Err(WebhookError::Payload(err)) => assert!(err.is_syntax()),
        other => panic!("{other:?}"),
    }
    match verifier.verify_payload_at::<Json<Event>, _>(&headers, BODY, at(NOW)) {
        Err(WebhookError::Verify(VerifyError::NoMatchingSignature(_))) => {}
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets stay secret
// ---------------------------------------------------------------------------------------------

#[test]
fn nothing_secret_in_debug_or_errors() {
    let s7 = Verifier::<SendSeven>::new(S7_SECRET).unwrap();
    let sent = Verifier::<SentLike>::new(SENT_SECRET).unwrap();
    let key_text = SENT_SECRET.trim_start_matches("whsec_");
    let s7_tag = s7_signature(S7_SECRET, &NOW.to_string(), BODY);
    let s7_tag = s7_tag.trim_start_matches("sha256=");

    let mut outputs = vec![
        format!("{s7:?}"),
        format!("{sent:?}"),
        format!("{:?}", Signer::<SendSeven>::new(S7_SECRET).unwrap()),
        format!("{:?}", Signer::<SentLike>::new(SENT_SECRET).unwrap()),
        format!("{:?}", SigningSecret::<SendSeven>::new(S7_SECRET).unwrap()),
        format!("{:?}", SigningSecret::<SentLike>::new(SENT_SECRET).unwrap()),
    ];
    assert!(outputs[0].contains("[redacted]"), "{}", outputs[0]);
    assert!(outputs[2].contains("[redacted]"), "{}", outputs[2]);
    assert_eq!(outputs[4], "[redacted]");

    let headers = s7_headers(S7_SECRET, NOW, BODY);
    for (body, now) in [
        (&b"tampered"[..], at(NOW)),
        (BODY, at(NOW + 10_000)),
        (BODY, at(NOW - 10_000)),
    ] {
        let err = s7.verify_at(&headers, body, now).unwrap_err();
        outputs.push(err.to_string());
        outputs.push(format!("{err:?}"));
        let err = s7
            .verify_payload_at::<Json<Event>, _>(&headers, body, now)
            .unwrap_err();
        outputs.push(err.to_string());
        outputs.push(format!("{err:?}"));
    }
    let err = Verifier::<SentLike>::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!").unwrap_err();
    outputs.push(err.to_string());
    outputs.push(format!("{err:?}"));
    for output in &outputs {
        assert!(!output.contains(S7_SECRET), "{output}");
        assert!(!output.contains(key_text), "{output}");
        assert!(!output.contains(s7_tag), "{output}");
    }
}

#[test]
fn public_types_are_thread_safe_and_errors_are_errors() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn error<E: std::error::Error + Send + Sync + 'static>() {}
    send_sync::<Verifier<SendSeven>>();
    send_sync::<Signer<SendSeven>>();
    send_sync::<SigningSecret<SendSeven>>();
    send_sync::<webhook::SignedHeaders>();
    send_sync::<webhook::Delivery>();
    error::<VerifyError>();
    error::<SecretError>();
    error::<WebhookError<serde_json::Error>>();
}

// ---------------------------------------------------------------------------------------------
// axum
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "axum")]
mod extractors {
    use axum::body::Body;
    use axum::extract::{FromRef, FromRequest as _, Request};
    use axum::response::IntoResponse as _;
    use sentdm_runtime::webhook::axum::{VerifiedWebhook, WebhookPayload, WebhookRejection};

    use super::*;

    /// An application receiving both APIs' deliveries.
    #[derive(Clone)]
    struct State {
        sendseven: Verifier<SendSeven>,
        sent: Verifier<SentLike>,
    }

    impl FromRef<State> for Verifier<SendSeven> {
        fn from_ref(state: &State) -> Self {
            state.sendseven.clone()
        }
    }

    impl FromRef<State> for Verifier<SentLike> {
        fn from_ref(state: &State) -> Self {
            state.sent.clone()
        }
    }

    fn state() -> State {
        State {
            sendseven: Verifier::new(S7_SECRET).unwrap(),
            sent: Verifier::new(SENT_SECRET).unwrap(),
        }
    }

    fn request<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>, body: &[u8]) -> Request {
        let mut builder = Request::builder().method("POST").uri("/webhooks");
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        builder.body(Body::from(body.to_vec())).unwrap()
    }

    fn now() -> i64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        i64::try_from(since.as_secs()).unwrap()
    }

    #[tokio::test]
    async fn each_scheme_from_the_state() {
        let state = state();
        let s7 = s7_headers(S7_SECRET, now(), BODY);
        let pairs = s7.iter().map(|(n, v)| (*n, v.as_str()));
        let verified =
            VerifiedWebhook::<SendSeven>::from_request(request(pairs.clone(), BODY), &state)
                .await
                .unwrap();
        assert_eq!(verified.body, BODY);
        assert_eq!(verified.delivery.id, None);

        let payload =
            WebhookPayload::<SendSeven, Json<Event>>::from_request(request(pairs, BODY), &state)
                .await
                .unwrap();
        assert_eq!(payload.payload.0.event, "message.delivered");

        let sent = sent_headers(&SENT_KEY, now(), BODY);
        let sent_pairs: Vec<(&str, &str)> = sent
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        let verified =
            VerifiedWebhook::<SentLike>::from_request(request(sent_pairs.clone(), BODY), &state)
                .await
                .unwrap();
        assert_eq!(verified.delivery.id.as_deref(), Some(WEBHOOK_ID));

        // A SendSeven delivery is not a Sent-like one.
        let s7_pairs = s7.iter().map(|(n, v)| (*n, v.as_str()));
        let rejection = VerifiedWebhook::<SentLike>::from_request(request(s7_pairs, BODY), &state)
            .await
            .unwrap_err();
        assert!(matches!(
            rejection,
            WebhookRejection::Verification(VerifyError::MissingHeader(_))
        ));
    }

    #[tokio::test]
    async fn rejections_answer_401_and_400() {
        let state = state();
        let s7 = s7_headers(S7_SECRET, now(), BODY);
        let pairs = s7.iter().map(|(n, v)| (*n, v.as_str()));
        let rejection =
            VerifiedWebhook::<SendSeven>::from_request(request(pairs, b"tampered"), &state)
                .await
                .unwrap_err();
        assert!(rejection.to_string().contains("X-Sendseven-Signature"));
        let response = rejection.into_response();
        assert_eq!(response.status(), 401);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(body, "webhook signature verification failed");

        let not_json = b"[1, 2]";
        let signed = s7_headers(S7_SECRET, now(), not_json);
        let pairs = signed.iter().map(|(n, v)| (*n, v.as_str()));
        let rejection = WebhookPayload::<SendSeven, Json<Event>>::from_request(
            request(pairs, not_json),
            &state,
        )
        .await
        .unwrap_err();
        assert!(matches!(rejection, WebhookRejection::Payload(_)));
        let response = rejection.into_response();
        assert_eq!(response.status(), 400);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(body, "invalid webhook payload");
    }
}
