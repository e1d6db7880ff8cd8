//! Every JSON example on the docs' endpoint pages, success and error, decodes into the
//! generated type of its operation and status, through the same decoder a real call uses.

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
