//! `sentdm-mock`: serves the mock Sent.dm API on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use sentdm_mock_engine::cli;

use sentdm_mock::{AccountTier, DEFAULT_RATE_LIMIT, DEFAULT_WINDOW, MockServer};

const USAGE: &str = "\
Usage: sentdm-mock [OPTIONS]

Serves a mock of the Sent.dm API (https://api.sent.dm) on 127.0.0.1 until interrupted
(Ctrl-C, SIGINT) or killed. Use it from any language's test suite: start the binary, read
the first line of its output for the base URL, point the client (any Sent SDK, plain HTTP)
at that URL with the printed API key in `x-api-key`, and stop the process when done.

  $ sentdm-mock --port 0
  sentdm-mock listening on http://127.0.0.1:41233
  api key: 5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c
  ...
  $ curl -H 'x-api-key: 5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c' \\
      http://127.0.0.1:41233/v3/contacts/6ba7b810-9dad-11d1-80b4-00c04fd430c8

It starts with the resources of the docs' examples (same ids and contents): contact
6ba7b810-9dad-11d1-80b4-00c04fd430c8, template 7ba7b820-9dad-11d1-80b4-00c04fd430c8,
message 8ba7b830-9dad-11d1-80b4-00c04fd430c8, webhook d4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f6a7b8,
profile 770e8400-e29b-41d4-a716-446655440002 and its campaign
b2c3d4e5-f6a7-8901-bcde-f12345678901, users, and so on; calls copied from the docs work as
they are. Resources created, changed and deleted stay so until the process ends.

Requests are validated against the spec; errors come in the documented envelope with the
catalog's codes. `null` for an optional member is taken as absent. `x-profile-id` scopes a
request to a profile of the calling organization. Rate limits are the documented ones, per
account and endpoint group, with X-RateLimit-* headers and 429 BUSINESS_002.

Options:
  --port N                    port to listen on (default: a free one; 0 also picks one)
  --api-key KEY               accepted key of the docs' organization; repeat for several
                              (default: 5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c)
  --organization-key KEY=ORG  a key of another organization ORG, which starts empty
  --profile-key KEY=PROFILE   a key of profile PROFILE of the docs' organization (a
                              non-organization key: it may not send x-profile-id)
  --empty                     start without the docs' example resources
  --account-tier TIER         message sends a minute: starter (60, the default), growth
                              (300), or a number
  --rate-limit N              one limit for every endpoint instead of the documented ones:
                              N requests per window and account (with --window-secs)
  --window-secs S             window of --rate-limit in seconds (default: 60)
  --allow-external-webhooks   let webhook tests deliver to non-loopback hosts
  --any-template              accept sends naming templates that were never created
  -h, --help                  print this help";

fn tier(v: &str) -> Result<AccountTier, String> {
    match v.to_ascii_lowercase().as_str() {
        "starter" => Ok(AccountTier::Starter),
        "growth" => Ok(AccountTier::Growth),
        n => n
            .parse()
            .map(AccountTier::Enterprise)
            .map_err(|_| format!("--account-tier: starter, growth or a number, not {v}")),
    }
}

/// Prints where the mock listens, its key, its organization and what it holds.
fn announce(server: &MockServer) {
    println!("sentdm-mock listening on {}", server.url());
    println!("api key: {}", server.api_key());
    println!("organization: {}", server.organization_id());
    let held: Vec<String> = server
        .resource_counts()
        .iter()
        .map(|(collection, n)| format!("{n} in {collection}"))
        .collect();
    if held.is_empty() {
        println!("resources: none");
    } else {
        println!("resources: {}", held.join(", "));
    }
}

fn run() -> Result<(), String> {
    let mut builder = MockServer::builder();
    let mut limit = None;
    let mut window = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => builder = builder.port(cli::port(&mut args)?),
            "--api-key" => builder = builder.api_key(cli::value(&mut args, "--api-key")?),
            "--organization-key" => {
                let (key, organization) = cli::pair(&mut args, "--organization-key")?;
                builder = builder.organization_api_key(key, organization);
            }
            "--profile-key" => {
                let (key, profile) = cli::pair(&mut args, "--profile-key")?;
                builder = builder.profile_api_key(key, profile);
            }
            "--empty" => builder = builder.seeded(false),
            "--account-tier" => {
                builder = builder.account_tier(tier(&cli::value(&mut args, "--account-tier")?)?);
            }
            "--rate-limit" => {
                let v = cli::value(&mut args, "--rate-limit")?;
                limit = Some(
                    v.parse()
                        .map_err(|_| format!("--rate-limit: not a count: {v}"))?,
                );
            }
            "--window-secs" => {
                let v = cli::value(&mut args, "--window-secs")?;
                window = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|s| *s > 0.0)
                        .and_then(|s| Duration::try_from_secs_f64(s).ok())
                        .ok_or_else(|| {
                            format!("--window-secs: not a positive number of seconds: {v}")
                        })?,
                );
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
    if limit.is_some() || window.is_some() {
        builder = builder.rate_limit(
            limit.unwrap_or(DEFAULT_RATE_LIMIT),
            window.unwrap_or(DEFAULT_WINDOW),
        );
    }
    let server = builder
        .start()
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    cli::serve_until_interrupted(|| announce(&server))?;
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
