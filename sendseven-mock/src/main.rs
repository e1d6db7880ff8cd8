//! `sendseven-mock`: serves the mock SendSeven API on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;

use sentdm_mock_engine::cli;

use sendseven_mock::MockServer;

const USAGE: &str = "\
Usage: sendseven-mock [OPTIONS]

Serves a mock of the SendSeven API (https://api.sendseven.com/api/v1) on 127.0.0.1 until
interrupted (Ctrl-C, SIGINT) or killed. Use it from any language's test suite: start the
binary, read the first line of its output for the base URL (the value for SENDSEVEN_API_URL),
send the printed token as `Authorization: Bearer …` and the tenant as `X-Tenant-ID`, and stop
the process when done.

  $ sendseven-mock --port 0
  sendseven-mock listening on http://127.0.0.1:41233/api/v1
  api token: msgapi_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  tenant id: tenant-id
  conversations: conv_xyz789, uuid
  $ curl -H 'Authorization: Bearer msgapi_0123…' -H 'X-Tenant-ID: tenant-id' \\
      -F file=@photo.jpg http://127.0.0.1:41233/api/v1/attachments

It serves POST /messages (text and media messages; the conversation must exist) and
POST /attachments (multipart/form-data, one `file` part; 415 for types the docs do not accept,
413 over a type's size limit). Errors are {detail, status_code}. It starts with the docs'
examples: conversations `uuid` and `conv_xyz789`, attachment `attachment_uuid`, and the
documented request bodies answered with the documented responses. What is created stays until
the process ends.

Options:
  --port N             port to listen on (default: a free one; 0 also picks one)
  --api-token TOKEN    accepted token, with every scope; repeat for several
                       (default: msgapi_0123456789abcdef…, 64 hex characters)
  --tenant-id ID       the tenant of the tokens and conversations (default: tenant-id)
  --conversation ID    a conversation messages can be sent to; repeat for several
  --empty              start without the docs' examples
  -h, --help           print this help";

fn run() -> Result<(), String> {
    let mut builder = MockServer::builder();
    let mut tokens = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => builder = builder.port(cli::port(&mut args)?),
            "--api-token" => tokens.push(cli::value(&mut args, "--api-token")?),
            "--tenant-id" => builder = builder.tenant_id(cli::value(&mut args, "--tenant-id")?),
            "--conversation" => {
                builder = builder.conversation(cli::value(&mut args, "--conversation")?)
            }
            "--empty" => builder = builder.seeded(false),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument: {other}\n\n{USAGE}")),
        }
    }
    // Tokens after the tenant, whatever the order of the options.
    for token in tokens {
        builder = builder.api_token(token);
    }
    let server = builder
        .start()
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    cli::serve_until_interrupted(|| {
        println!("sendseven-mock listening on {}", server.url());
        println!("api token: {}", server.api_token());
        println!("tenant id: {}", server.tenant_id());
        let conversations: Vec<String> = server
            .conversations()
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        if conversations.is_empty() {
            println!("conversations: none");
        } else {
            println!("conversations: {}", conversations.join(", "));
        }
    })?;
    server.shutdown();
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sendseven-mock: {e}");
            ExitCode::FAILURE
        }
    }
}
