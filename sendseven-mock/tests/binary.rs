#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `sendseven-mock` binary: `--help`, options, the printed lines, serving.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sendseven-mock");

#[test]
fn help_lists_the_options_and_unknown_arguments_fail() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for says in [
        "--port",
        "--api-token",
        "--tenant-id",
        "--conversation",
        "--empty",
        "SENDSEVEN_API_URL",
        "413",
        "415",
    ] {
        assert!(help.contains(says), "--help does not mention {says}");
    }
    for (args, says) in [
        (&["--frobnicate"][..], "unknown argument"),
        (&["--port", "x"], "--port"),
        (&["--tenant-id"], "needs a value"),
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

struct Started {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Started {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let lines = (0..4).map(|_| out.next().unwrap().unwrap()).collect();
    Started { child, lines }
}

#[tokio::test]
async fn serves_with_the_printed_credentials() {
    let token = format!("msgapi_{}", "ab".repeat(32));
    let mock = start(&[
        "--api-token",
        &token,
        "--tenant-id",
        "acme",
        "--conversation",
        "conv_1",
        "--empty",
    ]);
    let url = mock.lines[0]
        .strip_prefix("sendseven-mock listening on ")
        .unwrap();
    assert!(url.ends_with("/api/v1"), "{url}");
    assert_eq!(mock.lines[1], format!("api token: {token}"));
    assert_eq!(mock.lines[2], "tenant id: acme");
    assert_eq!(mock.lines[3], "conversations: conv_1");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let sent = http
        .post(format!("{url}/messages"))
        .bearer_auth(&token)
        .header("X-Tenant-ID", "acme")
        .json(
            &serde_json::json!({"conversation_id": "conv_1", "message_type": "text", "text": "Hi"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let seeded_only = http
        .post(format!("{url}/messages"))
        .bearer_auth(&token)
        .header("X-Tenant-ID", "acme")
        .json(&serde_json::json!({"conversation_id": "conv_xyz789", "message_type": "text", "text": "Hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(seeded_only.status(), 404);
}
