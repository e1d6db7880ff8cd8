//! Webhook verification over arbitrary secrets, header values and bodies.
//!
//! Besides "no panic", checks that a delivery is accepted only when its signature header holds
//! the correct signature, that correctly signed fresh deliveries are accepted, and that error
//! messages never contain the expected signature.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use sentdm_client::webhooks::{SecretError, Signer, SigningSecret, Verifier};

const FALLBACK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret: &'a str,
    id: &'a [u8],
    timestamp: &'a [u8],
    signature: &'a [u8],
    body: &'a [u8],
    /// Put a correct signature (for `id`, `timestamp`, `body`) in the header.
    sign: bool,
    /// Then change one byte of the header (index, xor mask).
    change: Option<(u16, u8)>,
    /// Append the fuzzer's `signature` bytes to the header after a space.
    append: bool,
    /// The clock, in seconds from the unix epoch (negative: before it).
    now: i64,
    tolerance: Option<u32>,
    /// Bits choosing the case of each header name.
    name_case: u8,
}

fn case(name: &str, upper: bool) -> String {
    if upper {
        name.to_ascii_uppercase()
    } else {
        name.to_owned()
    }
}

fuzz_target!(|input: Input<'_>| {
    // Arbitrary secrets must parse or be refused, never panic.
    let secret = match SigningSecret::new(input.secret) {
        Ok(_) => input.secret,
        Err(err) => {
            // The message is one of the fixed ones: nothing of the input is in it.
            let fixed = [
                SecretError::Empty,
                SecretError::NotBase64,
                SecretError::MixedAlphabets,
            ]
            .map(|reason| reason.to_string());
            assert!(fixed.contains(&err.to_string()), "{err}");
            FALLBACK_SECRET
        }
    };
    let verifier = Verifier::new(secret).expect("parsed above");
    let verifier = match input.tolerance {
        Some(seconds) => verifier.tolerance(Duration::from_secs(u64::from(seconds))),
        None => verifier.without_timestamp_check(),
    };
    let signer = Signer::new(secret).expect("parsed above");

    // The expected signature, when id and timestamp are text.
    let expected = match (
        std::str::from_utf8(input.id),
        std::str::from_utf8(input.timestamp),
    ) {
        (Ok(id), Ok(timestamp)) => Some(signer.signature(id, timestamp, input.body)),
        _ => None,
    };

    let mut header: Vec<u8> = match (&expected, input.sign) {
        (Some(expected), true) => expected.as_bytes().to_vec(),
        _ => input.signature.to_vec(),
    };
    if let Some((index, mask)) = input.change {
        if !header.is_empty() && mask != 0 {
            let index = usize::from(index) % header.len();
            header[index] ^= mask;
        }
    }
    if input.append {
        header.push(b' ');
        header.extend_from_slice(input.signature);
    }

    let names = [
        case("x-webhook-id", input.name_case & 1 != 0),
        case("x-webhook-timestamp", input.name_case & 2 != 0),
        case("x-webhook-signature", input.name_case & 4 != 0),
    ];
    let pairs: [(&str, &[u8]); 3] = [
        (&names[0], input.id),
        (&names[1], input.timestamp),
        (&names[2], &header),
    ];
    let offset = Duration::from_secs(input.now.unsigned_abs());
    let now = if input.now >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
    .unwrap_or(UNIX_EPOCH);
    let result = verifier.verify_at(&pairs, input.body, now);

    // The same through an `http::HeaderMap`, when the values are valid header values.
    let mut map = http::HeaderMap::new();
    let mut representable = true;
    for (name, value) in &pairs {
        match (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_bytes(value),
        ) {
            (Ok(name), Ok(value)) => {
                map.insert(name, value);
            }
            _ => representable = false,
        }
    }
    if representable {
        assert_eq!(verifier.verify_at(&map, input.body, now), result);
    }

    match &result {
        Ok(delivery) => {
            // Accepted: the header must hold the correct signature as one of its entries (a
            // comma ending an entry separates list items).
            let expected = expected.as_deref().expect("accepted with non-text headers");
            assert!(
                header
                    .split(|b| b.is_ascii_whitespace())
                    .map(|entry| entry.strip_suffix(b",").unwrap_or(entry))
                    .any(|entry| entry == expected.as_bytes()),
                "accepted without the correct signature"
            );
            assert_eq!(delivery.webhook_id.as_bytes(), input.id);
        }
        Err(err) => {
            if let Some(expected) = &expected {
                let tag = &expected[3..];
                assert!(!err.to_string().contains(tag));
                assert!(!format!("{err:?}").contains(tag));
            }
            // A correct, unchanged signature over a well-formed delivery with no timestamp
            // check must be accepted.
            let well_formed = !input.id.is_empty()
                && std::str::from_utf8(input.id).is_ok()
                && !input.timestamp.is_empty()
                && input.timestamp.len() <= 18
                && input.timestamp.iter().all(u8::is_ascii_digit);
            if input.sign && input.change.is_none() && input.tolerance.is_none() && well_formed {
                panic!("a correctly signed delivery was refused: {err}");
            }
        }
    }
});
