//! `sendivent-mock`: serves the mock Sendivent API on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;

use sentdm_mock_engine::cli;

use sendivent_mock::{Environment, MockServer};

const USAGE: &str = "\
Usage: sendivent-mock [OPTIONS]

Serves a mock of the Sendivent API on 127.0.0.1 until interrupted (Ctrl-C, SIGINT) or killed,
playing production (https://api.sendivent.com, live_ keys) or, with --sandbox, the sandbox
(https://api-sandbox.sendivent.com, test_ keys). Use it from any language's test suite: start
the binary, read the first line of its output for the base URL, send the printed key as
`Authorization: Bearer …`, and stop the process when done.

  $ sendivent-mock --port 0
  sendivent-mock listening on http://127.0.0.1:41233
  api key: live_0123456789abcdef0123456789abcdef
  environment: production
  events: user.welcome
  $ curl -H 'Authorization: Bearer live_0123456789abcdef0123456789abcdef' \\
      -H 'Content-Type: application/json' -d '{\"to\": \"user@example.com\"}' \\
      http://127.0.0.1:41233/v1/send/user.welcome/email

It serves every endpoint of the API reference: sends (with X-Idempotency-Key replays),
contacts (limit/offset pages, search, identifiers that are an email, phone, UUID or external
id, unknown fields kept in meta, push tokens), events, deliveries (filters, trace),
integrations and the one webhook endpoint (whsec_ secret). Errors are {error, code} with the
documented codes; a key of the other environment is refused with 401 UNAUTHORIZED. It starts
with the docs' examples: event user.welcome (email, slack), the email integration (ses), sender
billing@yourcompany.com verified. What is created stays until the process ends.

Options:
  --port N                      port to listen on (default: a free one; 0 also picks one)
  --sandbox                     play the sandbox (test_ keys, 10 requests a second, 150 sends
                                a day) instead of production (live_ keys, 100 a second, 1000
                                sends a day)
  --api-key KEY                 accepted key; repeat for several (default:
                                live_0123456789abcdef0123456789abcdef, or test_… with --sandbox)
  --event ID=CHANNEL,CHANNEL    an event sending on these channels; repeatable
  --integration CHANNEL=PROVIDER  an active integration; repeatable
  --verified-sender ADDRESS     a sender `from` may name; repeatable
  --any-event                   send events that do not exist instead of 404 EVENT_NOT_FOUND
  --no-rate-limit               enforce no rate limit
  --empty                       start without the docs' examples
  -h, --help                    print this help";

fn run() -> Result<(), String> {
    let mut builder = MockServer::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => builder = builder.port(cli::port(&mut args)?),
            "--sandbox" => builder = builder.environment(Environment::Sandbox),
            "--api-key" => builder = builder.api_key(cli::value(&mut args, "--api-key")?),
            "--event" => {
                let (id, channels) = cli::pair(&mut args, "--event")?;
                let channels: Vec<&str> = channels.split(',').map(str::trim).collect();
                builder = builder.event(&id, &id, &channels);
            }
            "--integration" => {
                let (channel, provider) = cli::pair(&mut args, "--integration")?;
                builder = builder.integration(&channel, &provider);
            }
            "--verified-sender" => {
                builder = builder.verified_sender(cli::value(&mut args, "--verified-sender")?);
            }
            "--any-event" => builder = builder.require_known_events(false),
            "--no-rate-limit" => builder = builder.unlimited(),
            "--empty" => builder = builder.seeded(false),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument: {other}\n\n{USAGE}")),
        }
    }
    let server = builder
        .start()
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    cli::serve_until_interrupted(|| {
        println!("sendivent-mock listening on {}", server.url());
        println!("api key: {}", server.api_key());
        println!("environment: {}", server.environment().name());
        let events: Vec<String> = server.events();
        if events.is_empty() {
            println!("events: none");
        } else {
            println!("events: {}", events.join(", "));
        }
    })?;
    server.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sendivent-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
