//! Every JSON example on the docs' endpoint pages, success and error, decodes into the
//! generated type of its operation and status, through the same decoder a real call uses — for
//! the Sent.dm client and for the SendSeven and Sendivent clients.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use sentdm_client::operations::decode_response;
use sentdm_client::{Error, runtime::HeaderMap};
use serde_json::Value;

const SPEC: &str = include_str!("../../sentdm-client/openapi.json");

#[test]
fn every_documented_example_decodes_into_its_generated_type() {
    let spec: Value = serde_json::from_str(SPEC).expect("spec is JSON");
    let paths = spec["paths"].as_object().expect("paths");
    let (mut successes, mut errors, mut operations) = (0, 0, 0);
    let mut failures = Vec::new();
    for (path, methods) in paths {
        for (method, op) in methods.as_object().expect("methods") {
            operations += 1;
            let id = op["operationId"].as_str().expect("operationId");
            for (status, response) in op["responses"].as_object().expect("responses") {
                let Some(example) = response.pointer("/content/application~1json/example") else {
                    continue;
                };
                let status: u16 = status.parse().expect("numeric status");
                let where_ = format!("{} {path} {status}", method.to_uppercase());
                let body = Bytes::from(serde_json::to_vec(example).expect("serializes"));
                let Some(result) = decode_response(id, status, &HeaderMap::new(), body) else {
                    failures.push(format!("{where_}: operation {id} unknown to the client"));
                    continue;
                };
                match (result, (200..300).contains(&status)) {
                    (Ok(decoded), true) => {
                        assert_eq!(decoded.status().as_u16(), status);
                        assert_eq!(
                            decoded.request_id(),
                            example.pointer("/meta/request_id").and_then(Value::as_str),
                            "{where_}: request id from meta"
                        );
                        successes += 1;
                    }
                    (Err(Error::Api(api)), false) => {
                        let code = example.pointer("/error/code").and_then(Value::as_str);
                        let message = example.pointer("/error/message").and_then(Value::as_str);
                        assert_eq!(api.code(), code, "{where_}: error code");
                        assert_eq!(Some(api.message()), message, "{where_}: error message");
                        assert_eq!(api.status().as_u16(), status, "{where_}: status");
                        errors += 1;
                    }
                    (Ok(_), false) => {
                        failures.push(format!("{where_}: error example decoded as success"))
                    }
                    (Err(e), _) => failures.push(format!("{where_}: {e}")),
                }
            }
        }
    }
    println!(
        "decoded {} documented examples of {operations} operations: {successes} success, {errors} error",
        successes + errors
    );
    assert!(
        failures.is_empty(),
        "examples that did not decode:\n{}",
        failures.join("\n")
    );
    assert_eq!(operations, 40, "the docs document 40 unique operations");
    // Every operation documents at least one success example except the two whose success
    // response has no body (204) or no example.
    assert!(successes >= 30, "only {successes} success examples found");
    assert!(errors >= 90, "only {errors} error examples found");
}

/// A client's `operations::decode_response`, its payload left out.
type Decode = fn(&str, u16, Bytes) -> Option<Result<(), Error>>;

/// Every response example (`example` and named `examples`) of a fact-driven spec, decoded with
/// `decode`: a success status must decode, an error status must give an API error whose
/// message is the example's `message_member` (and code its `code_member`, when the API has
/// one). Returns how many decoded, and the examples that did not because the docs elide a
/// typed value (`"2026-03-30T..."`).
fn decode_sibling_examples(
    spec: &str,
    decode: Decode,
    message_member: &str,
    code_member: Option<&str>,
) -> (usize, Vec<String>) {
    let spec: Value = serde_json::from_str(spec).expect("spec is JSON");
    let (mut decoded, mut elided) = (0, Vec::new());
    for (path, methods) in spec["paths"].as_object().expect("paths") {
        for (method, op) in methods.as_object().expect("methods") {
            let id = op["operationId"].as_str().expect("operationId");
            for (status, response) in op["responses"].as_object().expect("responses") {
                let status: u16 = match status.as_str() {
                    "2XX" => 200,
                    "4XX" | "default" => 400,
                    "5XX" => 500,
                    other => other.parse().expect("status"),
                };
                let Some(media) = response.pointer("/content/application~1json") else {
                    continue;
                };
                let mut examples: Vec<&Value> = media.get("example").into_iter().collect();
                if let Some(named) = media.get("examples").and_then(Value::as_object) {
                    examples.extend(named.values().filter_map(|e| e.get("value")));
                }
                for example in examples {
                    let at = format!("{} {path} {status}", method.to_uppercase());
                    let body = Bytes::from(serde_json::to_vec(example).expect("serializes"));
                    let result = decode(id, status, body)
                        .unwrap_or_else(|| panic!("{at}: operation {id} unknown to the client"));
                    match result {
                        Ok(()) => assert!((200..300).contains(&status), "{at}: decoded as success"),
                        Err(error)
                            if error.as_decode().is_some()
                                && example.to_string().contains("...") =>
                        {
                            elided.push(format!("{at}: {error}"));
                            continue;
                        }
                        Err(error) => {
                            let api = error.as_api().unwrap_or_else(|| panic!("{at}: {error}"));
                            assert_eq!(api.status().as_u16(), status, "{at}");
                            assert_eq!(
                                Some(api.message()),
                                example[message_member].as_str(),
                                "{at}"
                            );
                            if let Some(code) = code_member {
                                assert_eq!(api.code(), example[code].as_str(), "{at}");
                            }
                        }
                    }
                    decoded += 1;
                }
            }
        }
    }
    (decoded, elided)
}

#[test]
fn every_documented_sendseven_example_decodes() {
    let (decoded, elided) = decode_sibling_examples(
        include_str!("../../sendseven-client/openapi.json"),
        |id, status, body| {
            sendseven_client::operations::decode_response(id, status, &HeaderMap::new(), body)
                .map(|result| result.map(drop))
        },
        "detail",
        None,
    );
    println!("sendseven: decoded {decoded} documented examples");
    assert!(elided.is_empty(), "{elided:#?}");
    assert_eq!(decoded, 5);
}

#[test]
fn every_documented_sendivent_example_decodes() {
    let (decoded, elided) = decode_sibling_examples(
        include_str!("../../sendivent-client/openapi.json"),
        |id, status, body| {
            sendivent_client::operations::decode_response(id, status, &HeaderMap::new(), body)
                .map(|result| result.map(drop))
        },
        "error",
        Some("code"),
    );
    println!("sendivent: decoded {decoded} documented examples; elided: {elided:#?}");
    // Seven response examples: six decode, and the webhook's `created_at` is elided.
    assert_eq!(decoded, 6);
    assert_eq!(elided.len(), 1, "{elided:#?}");
    assert!(
        elided[0].starts_with("POST /v1/webhooks 201"),
        "{elided:#?}"
    );
}
