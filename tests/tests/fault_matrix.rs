//! Every fault the mock can script, against a message send made with and without a caller's
//! `Idempotency-Key`: no panic, the send is recorded at most once however many attempts reach
//! the server, and the outcome is the documented one — retried to success when the failure is
//! transient, reported with its status, code and request id when it is not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;
use std::time::Duration;

use sentdm_client::types::TemplateRef;
use sentdm_client::{Client, Error, RetryPolicy};
use sentdm_mock::{Fault, MockServer};
use serde_json::json;

/// What a row expects of the call.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Succeeds (possibly after retries); `recorded` sends.
    Sent { recorded: usize },
    /// Fails with this status and, when the server gave one, this code.
    Api {
        status: u16,
        code: Option<&'static str>,
    },
    /// Fails decoding a 2xx body.
    Decode,
}

struct Row {
    name: &'static str,
    fault: fn() -> Fault,
    times: usize,
    expected: Outcome,
}

fn conflict_body(code: &str) -> serde_json::Value {
    json!({
        "success": false, "data": null,
        "error": { "code": code, "message": "conflict", "details": null, "doc_url": null },
        "meta": { "request_id": "req_fault_409", "timestamp": "2026-04-08T15:54:52+00:00", "version": "v3" }
    })
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "503 JSON envelope ×2",
            fault: || Fault::status(503),
            times: 2,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "502 HTML body ×2",
            fault: || Fault::status(502).html("<h1>Bad gateway</h1>"),
            times: 2,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "500 JSON, persistent",
            fault: || Fault::status(500),
            times: usize::MAX,
            expected: Outcome::Api {
                status: 500,
                code: Some("INTERNAL_001"),
            },
        },
        Row {
            name: "503 HTML, persistent",
            fault: || Fault::status(503).html("<p>maintenance</p>"),
            times: usize::MAX,
            expected: Outcome::Api {
                status: 503,
                code: None,
            },
        },
        Row {
            name: "429 + Retry-After ×1",
            fault: || Fault::status(429).header("Retry-After", "1"),
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "408 ×1",
            fault: || Fault::status(408).empty_body(),
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "409 CONFLICT_001 ×1",
            fault: || Fault::status(409).json(conflict_body("CONFLICT_001")),
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "409 RESOURCE_007",
            fault: || Fault::status(409).json(conflict_body("RESOURCE_007")),
            times: 1,
            expected: Outcome::Api {
                status: 409,
                code: Some("RESOURCE_007"),
            },
        },
        Row {
            name: "400 VALIDATION_001",
            fault: || Fault::status(400),
            times: 1,
            expected: Outcome::Api {
                status: 400,
                code: Some("VALIDATION_001"),
            },
        },
        Row {
            name: "delay past the timeout",
            fault: || Fault::delay(Duration::from_millis(1200)),
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "reset before processing ×2",
            fault: Fault::reset_before_processing,
            times: 2,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "reset after processing ×1",
            fault: Fault::reset_after_processing,
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "truncated body ×1",
            fault: Fault::truncated_body,
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "truncated chunked body ×1",
            fault: Fault::truncated_chunked_body,
            times: 1,
            expected: Outcome::Sent { recorded: 1 },
        },
        Row {
            name: "invalid JSON on 200",
            fault: Fault::invalid_json,
            times: 1,
            expected: Outcome::Decode,
        },
        Row {
            name: "success:false on 200",
            fault: Fault::unsuccessful_envelope,
            times: 1,
            expected: Outcome::Api {
                status: 200,
                code: None,
            },
        },
    ]
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .timeout(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::new()
                .max_retries(3)
                .base_delay(Duration::from_millis(200))
                .max_delay(Duration::from_millis(800)),
        )
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix() {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| fault | caller key | attempts | sends recorded | outcome |"
    );
    let _ = writeln!(table, "|---|---|---|---|---|");
    let mut failures = Vec::new();
    for row in rows() {
        for caller_key in [false, true] {
            let mock = MockServer::builder()
                .require_known_templates(false)
                .start()
                .expect("mock");
            let rule = mock.fault((row.fault)()).on("POST", "/v3/messages");
            let _rule = if row.times == usize::MAX {
                rule.always()
            } else {
                rule.times(row.times)
            };
            let client = client(&mock);

            let mut send = client
                .messages()
                .send(["+14155551234"], TemplateRef::by_name("welcome"));
            if caller_key {
                send = send.idempotency_key("order-12345");
            }
            let result = send.await;

            let attempts = mock
                .requests()
                .iter()
                .filter(|r| r.path == "/v3/messages")
                .count();
            let recorded = mock.send_count();
            let outcome = match &result {
                Ok(r) => format!(
                    "sent ({}){}",
                    r.status(),
                    if r.idempotent_replayed() {
                        ", replayed"
                    } else {
                        ""
                    }
                ),
                Err(e) => format!("error: {e}"),
            };
            let key = if caller_key { "yes" } else { "generated" };
            let _ = writeln!(
                table,
                "| {} | {key} | {attempts} | {recorded} | {} |",
                row.name,
                outcome.replace('|', "\\|")
            );

            let ok = match (row.expected, &result) {
                (Outcome::Sent { recorded: want }, Ok(_)) => recorded == want,
                (Outcome::Api { status, code }, Err(Error::Api(api))) => {
                    let status_ok = api.status().as_u16() == status;
                    let code_ok = code.is_none_or(|c| api.code() == Some(c));
                    // A request id is reported whenever the server sent one (envelope or header).
                    let id_ok = api.request_id().is_some() || status == 200;
                    status_ok && code_ok && id_ok && recorded == 0
                }
                (Outcome::Decode, Err(Error::Decode(d))) => d.request_id().is_some(),
                _ => false,
            };
            // Whatever happened, a logical send is never recorded twice.
            if !ok || recorded > 1 {
                failures.push(format!(
                    "{} (caller key: {key}): expected {:?}, got {outcome}, {recorded} recorded",
                    row.name, row.expected
                ));
            }
            // Every attempt of one call carries the same key.
            let keys: Vec<String> = mock
                .requests()
                .iter()
                .filter(|r| r.path == "/v3/messages")
                .filter_map(|r| {
                    r.headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("idempotency-key"))
                        .map(|(_, v)| v.clone())
                })
                .collect();
            if keys.len() != attempts || keys.windows(2).any(|w| w[0] != w[1]) {
                failures.push(format!(
                    "{} (caller key: {key}): keys differ across attempts: {keys:?}",
                    row.name
                ));
            }
            if caller_key && keys.first().is_some_and(|k| k != "order-12345") {
                failures.push(format!("{}: the caller's key was replaced", row.name));
            }
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
