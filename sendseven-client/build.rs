//! Generates the client from `openapi.json` (this package's copy of `spec/sendseven/openapi.json`)
//! into `$OUT_DIR/sendseven.rs`, which `src/lib.rs` includes.

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "codegen_config.rs"]
mod codegen_config;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=codegen_config.rs");
    println!("cargo:rerun-if-changed=openapi.json");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string("openapi.json")
        .map_err(|e| format!("reading openapi.json: {e}"))?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&text).map_err(|e| format!("openapi.json is not OpenAPI 3.0: {e}"))?;
    let code = sentdm_generator::generate(&spec, &codegen_config::config())
        .map_err(|e| format!("generating the client: {e}"))?;
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?)
        .join("sendseven.rs");
    std::fs::write(&out, code).map_err(|e| format!("writing {}: {e}", out.display()))
}
