//! Maintainer tasks for the sentdm workspace.
//!
//! ```text
//! cargo xtask codegen [--check] [--docs PATH]
//! ```
//!
//! `codegen` assembles `spec/openapi.json` from the vendored docs snapshot and
//! `spec/facts.toml`, writes the conflicts report, the client's copy of the spec and the
//! generated-code snapshot. `--check` writes nothing and fails, naming what differs, when a
//! committed file is stale. `--docs PATH` assembles from another copy of the docs (and, without
//! `--check`, vendors it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod assemble;
mod catalog;
mod codegen;
mod conflicts;
mod docs;
mod endpoint;
mod error;
mod facts;
mod models;
mod schema;
mod ts;

use error::Error;

const USAGE: &str = "usage: cargo xtask codegen [--check] [--docs PATH]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), Error> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("codegen") => {
            let mut options = codegen::Options::default();
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--check" => options.check = true,
                    "--docs" => {
                        let path = args
                            .next()
                            .ok_or_else(|| Error::Usage(format!("--docs needs a path\n{USAGE}")))?;
                        options.docs = Some(PathBuf::from(path));
                    }
                    other => {
                        return Err(Error::Usage(format!("unknown argument `{other}`\n{USAGE}")));
                    }
                }
            }
            codegen::run(&workspace_root(), &options)
        }
        Some(other) => Err(Error::Usage(format!("unknown task `{other}`\n{USAGE}"))),
        None => Err(Error::Usage(USAGE.into())),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
