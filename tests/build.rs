//! Generates a client for `fixtures/petstore-bearer.json` into `$OUT_DIR/petstore.rs`, on the
//! Sent.dm client's runtime, to show the generator assumes nothing about Sent.dm.

use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    let config = sentdm_generator::Config::new("::sentdm_client::runtime");
    match sentdm_generator::build_script("fixtures/petstore-bearer.json", &config, "petstore.rs") {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
