//! `Client::from_env` reads the three documented variables. The environment is set on a child
//! process (this test binary again, running only `child`), so no test changes its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use sendseven_client::prelude::*;
use sendseven_client::{API_TOKEN_ENV, BASE_URL_ENV, TENANT_ID_ENV};
use sendseven_mock::MockServer;

/// Set by the parent on the child it runs.
const CHILD: &str = "SENDSEVEN_FROM_ENV_CHILD";

/// Runs `child` in a new process with `vars` set and the documented ones otherwise removed;
/// returns its combined output when it succeeded.
fn run_child(vars: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "child", "--nocapture", "--test-threads", "1"])
        .env(CHILD, "1")
        .env_remove(API_TOKEN_ENV)
        .env_remove(TENANT_ID_ENV)
        .env_remove(BASE_URL_ENV);
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// In the child: a client from the environment sends one message, or reports why it could not
/// be built.
#[tokio::test]
async fn child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    match Client::from_env() {
        Ok(client) => {
            let sent = client
                .messages()
                .send(TextMessageRequest::new("conv_env", "from the environment"))
                .await
                .unwrap();
            println!("sent {}", sent.id);
        }
        Err(error) => panic!("from_env: {error}"),
    }
}

#[test]
fn the_documented_variables_configure_the_client() {
    let server = MockServer::builder()
        .seeded(false)
        .conversation("conv_env")
        .start()
        .unwrap();
    let token = server.api_token();
    let (ok, output) = run_child(&[
        (API_TOKEN_ENV, token.as_str()),
        (TENANT_ID_ENV, server.tenant_id()),
        (BASE_URL_ENV, server.url()),
    ]);
    assert!(ok, "{output}");
    assert!(output.contains("sent msg_"), "{output}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let header = |name: &str| {
        requests[0]
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("authorization"), Some(format!("Bearer {token}")));
    assert_eq!(header("x-tenant-id").as_deref(), Some(server.tenant_id()));

    // Without the tenant the client is not built, and the error names the variable.
    let (ok, output) = run_child(&[
        (API_TOKEN_ENV, token.as_str()),
        (BASE_URL_ENV, server.url()),
    ]);
    assert!(!ok);
    assert!(
        output.contains("SENDSEVEN_TENANT_ID is not set"),
        "{output}"
    );
    assert!(!output.contains(&token), "{output}");
}
