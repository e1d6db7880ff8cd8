//! Generates a client for `fixtures/petstore-bearer.json` into `$OUT_DIR/petstore.rs`, on the
//! Sent.dm client's runtime, to show the generator assumes nothing about Sent.dm.

use std::path::PathBuf;
use std::process::ExitCode;

const FIXTURE: &str = "fixtures/petstore-bearer.json";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={FIXTURE}");
    match generate() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn generate() -> Result<(), String> {
    let text = std::fs::read_to_string(FIXTURE).map_err(|e| format!("reading {FIXTURE}: {e}"))?;
    let spec: openapiv3::OpenAPI =
        serde_json::from_str(&text).map_err(|e| format!("{FIXTURE} is not OpenAPI 3.0: {e}"))?;
    let config = sentdm_generator::Config::new("::sentdm_client::runtime");
    let code = sentdm_generator::generate(&spec, &config).map_err(|e| format!("{FIXTURE}: {e}"))?;
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("petstore.rs");
    std::fs::write(&out, code).map_err(|e| format!("writing {}: {e}", out.display()))
}
