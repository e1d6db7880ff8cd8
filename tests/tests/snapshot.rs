//! The code each client's build script generates is kept as a reviewed snapshot
//! (`tests/snapshots/<client>.rs`); `cargo xtask codegen` refreshes them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../sendivent-client/codegen_config.rs"]
mod sendivent_config;
#[path = "../../sendseven-client/codegen_config.rs"]
mod sendseven_config;
#[path = "../../sentdm-client/codegen_config.rs"]
mod sentdm_config;

/// A client: its snapshot's name, the assembled spec, the package's copy, the snapshot and
/// the generator configuration.
struct Client {
    name: &'static str,
    spec: &'static str,
    package_spec: &'static str,
    snapshot: &'static str,
    config: sentdm_generator::Config,
}

fn clients() -> [Client; 3] {
    [
        Client {
            name: "sentdm_client",
            spec: include_str!("../../spec/openapi.json"),
            package_spec: include_str!("../../sentdm-client/openapi.json"),
            snapshot: include_str!("../snapshots/sentdm_client.rs"),
            config: sentdm_config::config(),
        },
        Client {
            name: "sendseven_client",
            spec: include_str!("../../spec/sendseven/openapi.json"),
            package_spec: include_str!("../../sendseven-client/openapi.json"),
            snapshot: include_str!("../snapshots/sendseven_client.rs"),
            config: sendseven_config::config(),
        },
        Client {
            name: "sendivent_client",
            spec: include_str!("../../spec/sendivent/openapi.json"),
            package_spec: include_str!("../../sendivent-client/openapi.json"),
            snapshot: include_str!("../snapshots/sendivent_client.rs"),
            config: sendivent_config::config(),
        },
    ]
}

#[test]
fn generated_code_matches_the_reviewed_snapshots() {
    for client in clients() {
        let spec: openapiv3::OpenAPI = serde_json::from_str(client.package_spec).unwrap();
        let code = sentdm_generator::generate(&spec, &client.config).unwrap();
        if code != client.snapshot {
            let line = code
                .lines()
                .zip(client.snapshot.lines())
                .position(|(a, b)| a != b)
                .map_or_else(
                    || code.lines().count().min(client.snapshot.lines().count()),
                    |i| i + 1,
                );
            panic!(
                "tests/snapshots/{}.rs is stale from line {line}; run `cargo xtask codegen` and review the diff",
                client.name
            );
        }
    }
}

#[test]
fn client_packages_carry_the_assembled_specs() {
    for client in clients() {
        assert!(
            client.spec == client.package_spec,
            "the {} package's openapi.json differs from the assembled spec; run `cargo xtask codegen`",
            client.name
        );
    }
}

#[test]
fn generation_is_deterministic() {
    for client in clients() {
        let spec: openapiv3::OpenAPI = serde_json::from_str(client.package_spec).unwrap();
        let first = sentdm_generator::generate(&spec, &client.config).unwrap();
        let second = sentdm_generator::generate(&spec, &client.config).unwrap();
        assert_eq!(first, second, "{}", client.name);
    }
}

/// Every generated doc comment says something: no "The `x` field." or "Sets `x`." standing in
/// for a description the spec lacks.
#[test]
fn no_placeholder_doc_comments() {
    for client in clients() {
        let placeholders: Vec<&str> = client
            .snapshot
            .lines()
            .map(str::trim)
            .filter(|line| {
                let Some(doc) = line.strip_prefix("///") else {
                    return false;
                };
                let doc = doc.trim();
                let is_name = |text: &str| {
                    text.starts_with('`')
                        && text.ends_with('`')
                        && text.len() > 2
                        && !text[1..text.len() - 1].contains('`')
                };
                doc.strip_prefix("The ")
                    .and_then(|rest| rest.strip_suffix(" field."))
                    .is_some_and(is_name)
                    || doc
                        .strip_prefix("Sets ")
                        .and_then(|rest| rest.strip_suffix('.'))
                        .is_some_and(is_name)
            })
            .collect();
        println!(
            "{}: {} placeholder doc comments",
            client.name,
            placeholders.len()
        );
        assert!(
            placeholders.is_empty(),
            "{}: {placeholders:#?}",
            client.name
        );
    }
}
