#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `sentdm-mock` binary: options, the printed URL, and stopping on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sentdm-mock");

#[test]
fn rejects_unknown_arguments() {
    let out = Command::new(BIN).arg("--frobnicate").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument"));
    let out = Command::new(BIN)
        .args(["--window-secs", "-1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--rate-limit"));
}

#[cfg(unix)]
#[tokio::test]
async fn serves_until_interrupted() {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--api-key",
            "bin-key",
            "--rate-limit",
            "7",
            "--window-secs",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("sentdm-mock listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert_eq!(lines.next().unwrap().unwrap(), "api key: bin-key");

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http
        .get(format!("{url}/v3/me"))
        .header("x-api-key", "bin-key")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-ratelimit-limit"], "7");
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "6");

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the mock did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}
