#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `sendivent-mock` binary: `--help`, options, the printed lines, serving.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sendivent-mock");

#[test]
fn help_lists_the_options_and_unknown_arguments_fail() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for says in [
        "--port",
        "--sandbox",
        "--api-key",
        "--event",
        "--integration",
        "--verified-sender",
        "--any-event",
        "--no-rate-limit",
        "--empty",
        "live_",
        "test_",
    ] {
        assert!(help.contains(says), "--help does not mention {says}");
    }
    for (args, says) in [
        (&["--frobnicate"][..], "unknown argument"),
        (&["--event", "no-channels"], "KEY=VALUE"),
        (&["--port"], "needs a value"),
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

#[tokio::test]
async fn serves_the_sandbox_with_the_printed_key() {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--sandbox",
            "--empty",
            "--event",
            "otp=email",
            "--integration",
            "email=ses",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let lines = (0..4).map(|_| out.next().unwrap().unwrap()).collect();
    let mock = Started { child, lines };
    let url = mock.lines[0]
        .strip_prefix("sendivent-mock listening on ")
        .unwrap();
    let key = mock.lines[1].strip_prefix("api key: ").unwrap();
    assert!(key.starts_with("test_"));
    assert_eq!(mock.lines[2], "environment: sandbox");
    assert_eq!(mock.lines[3], "events: otp");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let sent = http
        .post(format!("{url}/v1/send/otp"))
        .bearer_auth(key)
        .json(&serde_json::json!({"to": "a@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let body: serde_json::Value = sent.json().await.unwrap();
    assert_eq!(body["success"], true);
}
