//! `sentdm-mock`: serves the mock Sent.dm API on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use sentdm_mock::{DEFAULT_RATE_LIMIT, DEFAULT_WINDOW, MockServer};

const USAGE: &str = "\
Usage: sentdm-mock [OPTIONS]

Serves a mock of the Sent.dm API on 127.0.0.1 until interrupted (Ctrl-C).

Options:
  --port N                   port to listen on (default: a free one)
  --api-key KEY              accepted API key; repeat for several (default: the built-in test key)
  --rate-limit N             requests allowed per window and API key (default: 200)
  --window-secs S            rate-limit window in seconds (default: 60)
  --allow-external-webhooks  let webhook tests deliver to non-loopback hosts
  --any-template             accept sends naming templates that were never created
  -h, --help                 print this help";

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn run() -> Result<(), String> {
    let mut builder = MockServer::builder();
    let mut limit = DEFAULT_RATE_LIMIT;
    let mut window = DEFAULT_WINDOW;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let v = value(&mut args, "--port")?;
                builder = builder.port(v.parse().map_err(|_| format!("--port: not a port: {v}"))?);
            }
            "--api-key" => builder = builder.api_key(value(&mut args, "--api-key")?),
            "--rate-limit" => {
                let v = value(&mut args, "--rate-limit")?;
                limit = v
                    .parse()
                    .map_err(|_| format!("--rate-limit: not a count: {v}"))?;
            }
            "--window-secs" => {
                let v = value(&mut args, "--window-secs")?;
                window = v
                    .parse::<f64>()
                    .ok()
                    .filter(|s| *s > 0.0)
                    .and_then(|s| Duration::try_from_secs_f64(s).ok())
                    .ok_or_else(|| {
                        format!("--window-secs: not a positive number of seconds: {v}")
                    })?;
            }
            "--allow-external-webhooks" => builder = builder.allow_external_webhooks(true),
            "--any-template" => builder = builder.require_known_templates(false),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument: {other}\n\n{USAGE}")),
        }
    }
    let server = builder
        .rate_limit(limit, window)
        .start()
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    println!("sentdm-mock listening on {}", server.url());
    println!("api key: {}", server.api_key());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    server.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sentdm-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
