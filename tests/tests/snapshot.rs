//! The code the client's build script generates is kept as a reviewed snapshot
//! (`tests/snapshots/sentdm_client.rs`); `cargo xtask codegen` refreshes it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../sentdm-client/codegen_config.rs"]
mod codegen_config;

const SPEC: &str = include_str!("../../spec/openapi.json");
const CLIENT_SPEC: &str = include_str!("../../sentdm-client/openapi.json");
const SNAPSHOT: &str = include_str!("../snapshots/sentdm_client.rs");

#[test]
fn generated_code_matches_the_reviewed_snapshot() {
    let spec: openapiv3::OpenAPI = serde_json::from_str(CLIENT_SPEC).expect("spec parses");
    let code = sentdm_generator::generate(&spec, &codegen_config::config()).expect("generates");
    if code != SNAPSHOT {
        let line = code
            .lines()
            .zip(SNAPSHOT.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || code.lines().count().min(SNAPSHOT.lines().count()),
                |i| i + 1,
            );
        panic!(
            "tests/snapshots/sentdm_client.rs is stale from line {line}; run `cargo xtask codegen` and review the diff"
        );
    }
}

#[test]
fn client_package_carries_the_assembled_spec() {
    assert!(
        SPEC == CLIENT_SPEC,
        "sentdm-client/openapi.json differs from spec/openapi.json; run `cargo xtask codegen`"
    );
}

#[test]
fn generation_is_deterministic() {
    let spec: openapiv3::OpenAPI = serde_json::from_str(CLIENT_SPEC).expect("spec parses");
    let config = codegen_config::config();
    let first = sentdm_generator::generate(&spec, &config).expect("generates");
    let second = sentdm_generator::generate(&spec, &config).expect("generates");
    assert_eq!(first, second);
}
