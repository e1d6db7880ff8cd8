//! Maintainer tasks for the sentdm workspace.
//!
//! ```text
//! cargo xtask codegen [--check] [--api NAME] [--docs PATH] [--report FILE] [--report-json FILE]
//! ```
//!
//! `codegen` assembles `spec/openapi.json` from the vendored docs snapshot and
//! `spec/facts.toml`, writes the conflicts report, the client's copy of the spec and the
//! generated-code snapshot; and assembles the fact-driven specs of SendSeven and Sendivent
//! (`spec/<api>/openapi.json` and `conflicts.md`, from `spec/<api>/docs/` and `facts.toml`). `--check` writes nothing and fails, naming what differs, when a
//! committed file is stale. `--docs PATH` assembles from another copy of the docs (and, without
//! `--check`, vendors it), and prints how the API changes: every difference from the committed
//! spec, whether it breaks code written against the generated client, and the semver bump.
//! `--report FILE` / `--report-json FILE` also write that report as Markdown / JSON. `--api`
//! picks the API (`sentdm`, the default, `sendseven` or `sendivent`) whose docs `--docs` takes
//! and whose spec the report compares.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod assemble;
mod catalog;
mod changes;
mod codegen;
mod conflicts;
mod docs;
mod endpoint;
mod error;
mod facts;
mod factspec;
mod models;
mod schema;
mod ts;

use error::Error;

const USAGE: &str = "usage: cargo xtask codegen [--check] [--api NAME] [--docs PATH] [--report FILE] [--report-json FILE]";

const HELP: &str = "\
cargo xtask codegen: assemble spec/openapi.json from the docs and spec/facts.toml, and refresh
every generated file (conflicts report, the packages' copies of the spec, generated-code snapshot);
assemble spec/sendseven/openapi.json and spec/sendivent/openapi.json (with their conflicts.md)
from their vendored docs and facts.toml.

Options:
  --check             write nothing; fail, naming what differs, when a generated file is stale
  --api NAME          the API --docs and the change report are about: sentdm (the default),
                      sendseven or sendivent
  --docs PATH         assemble from another copy of the API's docs (vendored unless --check) and
                      print a change report: what differs from the committed spec, per
                      operation, whether each change breaks code using the generated client,
                      and the semver bump it calls for. For sentdm, PATH is a copy of the docs
                      export; for sendseven and sendivent, a directory holding new copies of
                      their documents named as in spec/<api>/docs/SOURCE.toml (documents it
                      lacks stay as vendored), or one such file
  --report FILE       also write the change report as Markdown to FILE
  --report-json FILE  also write the change report as JSON to FILE
  -h, --help          print this help

Without --docs, --report and --report-json compare the API's committed spec with the one
assembled from its vendored docs (after an edit of its facts.toml, say). Report files are
written even when the run then fails, and are never among the generated files.";

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
                let mut path = |flag: &str| {
                    args.next()
                        .map(PathBuf::from)
                        .ok_or_else(|| Error::Usage(format!("{flag} needs a path\n{USAGE}")))
                };
                match arg.as_str() {
                    "--check" => options.check = true,
                    "--api" => {
                        let name = args.next().ok_or_else(|| {
                            Error::Usage(format!("--api needs an API name\n{USAGE}"))
                        })?;
                        options.api = Some(name);
                    }
                    "--docs" => options.docs = Some(path("--docs")?),
                    "--report" => options.report = Some(path("--report")?),
                    "--report-json" => options.report_json = Some(path("--report-json")?),
                    "-h" | "--help" => {
                        println!("{HELP}");
                        return Ok(());
                    }
                    other => {
                        return Err(Error::Usage(format!("unknown argument `{other}`\n{USAGE}")));
                    }
                }
            }
            codegen::run(&workspace_root(), &options)
        }
        Some("-h" | "--help" | "help") => {
            println!("{HELP}");
            Ok(())
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
