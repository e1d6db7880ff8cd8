//! Generates the client from `openapi.json` (this package's copy of `spec/openapi.json`)
//! into `$OUT_DIR/sentdm.rs`, which `src/lib.rs` includes.

use std::process::ExitCode;

#[path = "codegen_config.rs"]
mod codegen_config;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=codegen_config.rs");
    match sentdm_generator::build_script("openapi.json", &codegen_config::config(), "sentdm.rs") {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
