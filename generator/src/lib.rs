//! OpenAPI 3.0 → Rust client generator.
//!
//! [`generate`] turns a parsed document into one formatted Rust source file: models, a
//! `Client`, resource groups with one request builder per operation, and the operation
//! descriptions the runtime works from. The file is meant to be written by a build script and
//! `include!`d by the crate that provides the runtime; see the crate README for what is emitted
//! and the runtime contract the code relies on.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let text = std::fs::read_to_string("openapi.json")?;
//! let spec: openapiv3::OpenAPI = serde_json::from_str(&text)?;
//! let config = sentdm_generator::Config::new("crate::runtime");
//! let code = sentdm_generator::generate(&spec, &config)?;
//! # let _ = code;
//! # Ok(())
//! # }
//! ```

mod api;
mod docs;
mod emit;
mod error;
mod model;
mod names;

use indexmap::IndexMap;

pub use crate::error::Error;

/// What the generated code needs to know beyond the document.
#[derive(Clone, Debug)]
pub struct Config {
    runtime_path: String,
    replacements: IndexMap<String, String>,
    renames: IndexMap<String, String>,
    idempotency_key_prefix: String,
    credential_setters: IndexMap<String, String>,
}

impl Config {
    /// A configuration whose generated code calls the runtime at `runtime_path`, an absolute
    /// module path such as `crate::runtime` or `::sentdm_client::runtime`.
    pub fn new(runtime_path: &str) -> Config {
        Config {
            runtime_path: runtime_path.trim().to_owned(),
            replacements: IndexMap::new(),
            renames: IndexMap::new(),
            idempotency_key_prefix: String::new(),
            credential_setters: IndexMap::new(),
        }
    }

    /// Names the client builder's method for the credential of security scheme `scheme`
    /// `setter` (such as `api_key`), instead of the scheme's name in snake case.
    pub fn credential_setter(mut self, scheme: &str, setter: &str) -> Config {
        self.credential_setters
            .insert(scheme.to_owned(), setter.trim().to_owned());
        self
    }

    /// Starts the idempotency keys the runtime generates for this API with `prefix` (such as
    /// `sentdm-`), so that they are recognisable in the API's logs. Empty by default.
    pub fn idempotency_key_prefix(mut self, prefix: &str) -> Config {
        prefix.trim().clone_into(&mut self.idempotency_key_prefix);
        self
    }

    /// Names the type generated for the component schema `schema_name` `rust_name` instead of
    /// its own name: for a schema whose name would collide with an item of the host crate that
    /// users import beside the generated types (a hand-written `ApiError`, say).
    pub fn rename(mut self, schema_name: &str, rust_name: &str) -> Config {
        self.renames
            .insert(schema_name.to_owned(), rust_name.trim().to_owned());
        self
    }

    /// Uses the existing Rust type at `rust_path` (an absolute path) wherever the component
    /// schema `schema_name` is referenced, instead of generating a type for it.
    ///
    /// The type must implement `Debug`, `Clone`, `PartialEq`, `Send`, `Sync` and serde's
    /// `Serialize` and `Deserialize`. Generated code does not validate it.
    pub fn replace(mut self, schema_name: &str, rust_path: &str) -> Config {
        self.replacements
            .insert(schema_name.to_owned(), rust_path.trim().to_owned());
        self
    }
}

/// What a client crate's build script does: reads the OpenAPI document (JSON) at `spec_path`,
/// generates the client with `config` and writes it to `$OUT_DIR/out_file`, for the crate to
/// `include!`. Cargo is told to run the script again when the document changes.
///
/// # Errors
///
/// A message naming the document or the output file, for the build script to print.
pub fn build_script(spec_path: &str, config: &Config, out_file: &str) -> Result<(), String> {
    println!("cargo:rerun-if-changed={spec_path}");
    let text =
        std::fs::read_to_string(spec_path).map_err(|e| format!("reading {spec_path}: {e}"))?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&text).map_err(|e| format!("{spec_path} is not OpenAPI 3.0: {e}"))?;
    let code = generate(&spec, config).map_err(|e| format!("{spec_path}: {e}"))?;
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?)
        .join(out_file);
    std::fs::write(&out, code).map_err(|e| format!("writing {}: {e}", out.display()))
}

/// Generates the client for `spec`.
///
/// The output depends only on `spec` and `config`: the same input always gives the same bytes.
///
/// # Errors
///
/// An [`Error`] naming the JSON pointer of the first construct that is unsupported or
/// inconsistent, or [`Error::Config`] for an unusable configuration.
pub fn generate(spec: &openapiv3::OpenAPI, config: &Config) -> Result<String, Error> {
    let runtime = absolute_path(&config.runtime_path).ok_or_else(|| {
        Error::Config(format!(
            "runtime path {:?} is not an absolute Rust path (`crate::…` or `::crate_name::…`)",
            config.runtime_path
        ))
    })?;
    for (schema, path) in &config.replacements {
        if absolute_path(path).is_none() {
            return Err(Error::Config(format!(
                "replacement for {schema:?}: {path:?} is not an absolute Rust path"
            )));
        }
    }
    for (schema, name) in &config.renames {
        if syn::parse_str::<syn::Ident>(name).is_err()
            || names::pascal(name).as_deref() != Some(name)
        {
            return Err(Error::Config(format!(
                "rename of {schema:?}: {name:?} is not a PascalCase Rust type name"
            )));
        }
    }
    let api = api::Api::analyze(spec, config)?;
    let emitter = emit::Emitter::new(&api, &runtime);
    let tokens = emitter.file()?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Internal(e.to_string()))?;
    let body = spaced(&prettyplease::unparse(&file));
    let banner = format!(
        "// @generated by sentdm-generator {} from {:?} version {:?}. Do not edit.\n\n",
        env!("CARGO_PKG_VERSION"),
        one_line(&spec.info.title),
        one_line(&spec.info.version),
    );
    Ok(banner + &body)
}

/// A path that resolves the same from any module: `crate::...`, `::...` or `$crate::...`.
fn absolute_path(text: &str) -> Option<syn::Path> {
    let path: syn::Path = syn::parse_str(text).ok()?;
    let first = path.segments.first()?.ident.to_string();
    (path.leading_colon.is_some() || first == "crate").then_some(path)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Separates consecutive items with a blank line, as rustfmt-formatted code usually is.
///
/// The printer emits no blank lines at all. Generated string literals never span lines, so a
/// line-based pass is safe.
fn spaced(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///",
        "#[",
        "pub ",
        "pub(",
        "impl ",
        "impl<",
        "fn ",
        "const ",
        "static ",
        "type ",
        "struct ",
        "enum ",
        "mod ",
        "use ",
        "async fn ",
    ];
    /// Items of these kinds stay together when they follow one another (`type Output` and
    /// `type IntoFuture`, a run of `use`s).
    const GROUPED: &[&str] = &["type ", "use "];
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut previous: Option<&str> = None;
    // The grouped kind of the last item started at each indentation.
    let mut last_kind: Vec<(usize, Option<&str>)> = Vec::new();
    for line in code.lines() {
        let trimmed = line.trim_start();
        let starts_item = ITEM_STARTS.iter().any(|start| trimmed.starts_with(start));
        let kind = GROUPED.iter().copied().find(|k| trimmed.starts_with(k));
        if let Some(prev) = previous {
            let prev_trimmed = prev.trim();
            let ends_item =
                prev_trimmed == "}" || prev_trimmed == "};" || prev_trimmed.ends_with(';');
            let same_kind = kind.is_some()
                && last_kind
                    .iter()
                    .rev()
                    .find(|(at, _)| *at == indent(line))
                    .is_some_and(|(_, k)| *k == kind);
            if ends_item
                && starts_item
                && !same_kind
                && indent(prev) == indent(line)
                && !prev_trimmed.starts_with("///")
            {
                out.push('\n');
            }
        }
        if starts_item && !trimmed.starts_with("///") && !trimmed.starts_with("#[") {
            last_kind.retain(|(at, _)| *at < indent(line));
            last_kind.push((indent(line), kind));
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::spaced;

    #[test]
    fn items_are_separated_by_blank_lines() {
        let code = "use a as b;\n/// Doc.\npub struct S {\n    x: i32,\n}\nimpl S {\n    \
                    type A = i32;\n    type B = i32;\n    fn f() {\n        let x = 1;\n    }\n    \
                    fn g() {}\n}\n";
        let expected = "use a as b;\n\n/// Doc.\npub struct S {\n    x: i32,\n}\n\nimpl S {\n    \
                        type A = i32;\n    type B = i32;\n\n    fn f() {\n        let x = 1;\n    \
                        }\n\n    fn g() {}\n}\n";
        assert_eq!(spaced(code), expected);
    }
}
