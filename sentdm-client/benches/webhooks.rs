//! Cost of verifying a typical delivery (1 KiB body) compared with a bare HMAC-SHA256 of the
//! same signed bytes.
//!
//! ```sh
//! cargo bench -p sentdm-client --bench webhooks
//! ```
//!
//! Criterion reports each function; afterwards the bench measures both again, interleaved in
//! the same process, and prints the ratio verification / bare HMAC.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sentdm_client::webhooks::{Signer, Verifier};
use sha2::Sha256;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WEBHOOK_ID: &str = "d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8";

struct Fixture {
    verifier: Verifier,
    headers: HeaderMap,
    body: Vec<u8>,
    key: Vec<u8>,
    /// `{id}.{timestamp}.{body}`, what the HMAC covers.
    signed_content: Vec<u8>,
}

/// A `messages` delivery padded with realistic extra members to exactly 1 KiB.
fn body_1kib() -> Vec<u8> {
    let mut body = String::from(
        r#"{"field":"messages","payload":{"message_id":"8ba7b830-9dad-11d1-80b4-00c04fd430c8","message_status":"DELIVERED","channel":"whatsapp","to":"+14155551234","template_id":"7ba7b820-9dad-11d1-80b4-00c04fd430c8","template_name":"order_confirmation","profile_id":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","created_at":"2026-04-08T15:54:52.2460263+00:00","note":""#,
    );
    let tail = r#""}}"#;
    while body.len() + tail.len() < 1024 {
        body.push('x');
    }
    body.push_str(tail);
    assert_eq!(body.len(), 1024);
    body.into_bytes()
}

fn fixture() -> Fixture {
    let body = body_1kib();
    let signed = Signer::new(SECRET).unwrap().sign_now(WEBHOOK_ID, &body);
    let headers = signed.to_header_map().unwrap();
    let mut signed_content = Vec::new();
    signed_content.extend_from_slice(WEBHOOK_ID.as_bytes());
    signed_content.push(b'.');
    signed_content.extend_from_slice(signed.timestamp().as_bytes());
    signed_content.push(b'.');
    signed_content.extend_from_slice(&body);
    let key = decode_standard(SECRET.trim_start_matches("whsec_"));
    // A day of tolerance so that long runs stay within it; the check itself still runs.
    let verifier = Verifier::new(SECRET)
        .unwrap()
        .tolerance(Duration::from_secs(86_400));
    verifier.verify(&headers, &body).unwrap();
    Fixture {
        verifier,
        headers,
        body,
        key,
        signed_content,
    }
}

fn decode_standard(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    text.as_bytes()
        .chunks(4)
        .flat_map(|quad| {
            let n = quad.iter().fold(0u32, |acc, &c| (acc << 6) | value(c));
            [(n >> 16) as u8, (n >> 8) as u8, n as u8]
        })
        .collect()
}

fn verify(f: &Fixture) {
    black_box(f.verifier.verify(black_box(&f.headers), black_box(&f.body))).unwrap();
}

fn bare_hmac(f: &Fixture) {
    let mut mac = Hmac::<Sha256>::new_from_slice(black_box(&f.key)).unwrap();
    mac.update(black_box(&f.signed_content));
    black_box(mac.finalize().into_bytes());
}

fn benches(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("webhooks_1kib");
    group.throughput(Throughput::Bytes(f.body.len() as u64));
    group.bench_function("verify", |b| b.iter(|| verify(f)));
    group.bench_function("bare_hmac_sha256", |b| b.iter(|| bare_hmac(f)));
    group.finish();
}

/// Median over rounds of the time per call, both functions measured in alternation.
fn interleaved(f: &Fixture) -> (Duration, Duration) {
    const ROUNDS: usize = 41;
    const CALLS: u32 = 20_000;
    let time = |run: &dyn Fn(&Fixture)| {
        let start = Instant::now();
        for _ in 0..CALLS {
            run(f);
        }
        start.elapsed() / CALLS
    };
    for _ in 0..3 {
        time(&verify);
        time(&bare_hmac);
    }
    let mut verify_times = Vec::with_capacity(ROUNDS);
    let mut hmac_times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        verify_times.push(time(&verify));
        hmac_times.push(time(&bare_hmac));
    }
    verify_times.sort();
    hmac_times.sort();
    (verify_times[ROUNDS / 2], hmac_times[ROUNDS / 2])
}

fn main() {
    let fixture = fixture();
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion, &fixture);
    criterion.final_summary();

    // `cargo test --benches` runs each function once; the comparison is for `cargo bench`.
    if std::env::args().any(|arg| arg == "--bench") {
        let (verify, hmac) = interleaved(&fixture);
        println!(
            "webhooks_1kib: verify {verify:?}, bare HMAC-SHA256 {hmac:?}, ratio {:.3}x",
            verify.as_secs_f64() / hmac.as_secs_f64()
        );
    }
}
