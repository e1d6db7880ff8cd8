//! The client's public surface: no name stands for two different things when a user
//! glob-imports the crate root, `types`, `webhooks` and the prelude together, and plumbing
//! stays out of the documentation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// Names a `pub use` list brings in (`a::{B, C as D}` → `B`, `D`; `_` renames skipped), and
/// the items a file declares `pub` at the top level of its text.
fn public_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("pub use ") {
        let tail = &rest[at + "pub use ".len()..];
        let end = tail.find(';').unwrap();
        let path = &tail[..end];
        let list = match (path.find('{'), path.rfind('}')) {
            (Some(open), Some(close)) => path[open + 1..close].to_owned(),
            _ => path.rsplit("::").next().unwrap().to_owned(),
        };
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let name = item.rsplit(" as ").next().unwrap().trim();
            let name = name.rsplit("::").next().unwrap();
            if name != "_" && name != "*" {
                names.push(name.to_owned());
            }
        }
        rest = &tail[end..];
    }
    for line in source.lines() {
        for kind in [
            "pub struct ",
            "pub enum ",
            "pub mod ",
            "pub trait ",
            "pub const ",
            "pub fn ",
        ] {
            if let Some(name) = line.strip_prefix(kind) {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names
}

/// The names the generated `types` module declares.
fn type_names(generated: &str) -> Vec<String> {
    let start = generated.find("\npub mod types {").unwrap();
    let end = start + generated[start..].find("\n}\n").unwrap();
    generated[start..end]
        .lines()
        .filter_map(|line| {
            [
                "    pub struct ",
                "    pub enum ",
                "    pub type ",
                "    pub trait ",
            ]
            .iter()
            .find_map(|kind| line.strip_prefix(kind))
        })
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn glob_imports_of_root_types_webhooks_and_prelude_do_not_collide() {
    let generated = read("tests/snapshots/sentdm_client.rs");
    let mut modules: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut root = public_names(&read("sentdm-client/src/lib.rs"));
    // The generated file's own top level (Client, ErrorCode, API, the modules).
    root.extend(
        generated
            .lines()
            .filter(|line| !line.starts_with(' '))
            .flat_map(public_names),
    );
    modules.insert("sentdm_client", root);
    modules.insert("types", type_names(&generated));
    modules.insert(
        "webhooks",
        public_names(&read("sentdm-client/src/webhooks/mod.rs")),
    );
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut collisions = Vec::new();
    for (module, names) in &modules {
        for name in names {
            if let Some(first) = owner.insert(name.as_str(), module) {
                if first != *module {
                    collisions.push(format!("{name}: {first} and {module}"));
                }
            }
        }
    }
    assert!(collisions.is_empty(), "{collisions:?}");
    // The check saw what it should.
    assert!(modules["types"].iter().any(|n| n == "ContactId"));
    assert!(modules["types"].iter().any(|n| n == "ErrorObject"));
    assert!(modules["webhooks"].iter().any(|n| n == "WebhookEvent"));
    assert!(modules["sentdm_client"].iter().any(|n| n == "ApiError"));
}

/// Compiles only if every glob import together leaves the everyday names unambiguous.
#[allow(unused_imports)]
mod globs {
    use sentdm_client::prelude::*;
    use sentdm_client::types::*;
    use sentdm_client::webhooks::*;
    use sentdm_client::*;

    #[allow(dead_code)]
    fn everyday(_: Client, _: Error, _: ApiError, _: WebhookEvent, _: ErrorObject, _: Meta) {}

    #[allow(dead_code)]
    fn more(_: TemplateRef, _: ContactId, _: Delivery, _: WebhookDelivery, _: Response<Contact>) {}
}

#[test]
fn plumbing_is_hidden_from_the_documentation() {
    let generated = read("tests/snapshots/sentdm_client.rs");
    for item in ["pub mod operations {", "pub const API:"] {
        let at = generated.find(item).unwrap();
        let before = &generated[..at];
        let attribute_line = before.lines().last().unwrap_or_default();
        assert!(
            attribute_line.trim() == "#[doc(hidden)]",
            "`{item}` is not hidden: {attribute_line:?}"
        );
    }
    let runtime = read("sentdm-runtime/src/lib.rs");
    for module in [
        "pub mod validate;",
        "pub mod union;",
        "pub mod comma_separated;",
    ] {
        let at = runtime.find(module).unwrap();
        assert!(
            runtime[..at].trim_end().ends_with("#[doc(hidden)]"),
            "{module}"
        );
    }
}
