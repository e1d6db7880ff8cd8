#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `sentdm-mock` binary: options, the printed URL, and stopping on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sentdm-mock");

#[test]
fn rejects_unknown_arguments() {
    for (args, says) in [
        (&["--frobnicate"][..], "unknown argument"),
        (&["--window-secs", "-1"], "--window-secs"),
        (&["--profile-key", "no-equals-sign"], "KEY=VALUE"),
        (&["--account-tier", "gold"], "--account-tier"),
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--rate-limit",
        "--empty",
        "--profile-key",
        "--organization-key",
        "--account-tier",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    ] {
        assert!(help.contains(option), "--help does not mention {option}");
    }
}

/// A mock started the way a test suite in any language would: the binary, its first lines.
struct Started {
    child: std::process::Child,
    url: String,
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
    let lines: Vec<String> = (0..4).map(|_| out.next().unwrap().unwrap()).collect();
    let url = lines[0]
        .strip_prefix("sentdm-mock listening on ")
        .unwrap_or_else(|| panic!("{}", lines[0]))
        .to_owned();
    Started { child, url, lines }
}

#[tokio::test]
async fn starts_with_the_docs_examples_or_empty() {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let key = sentdm_mock::DEFAULT_API_KEY;
    let contact = "/v3/contacts/6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let sales = "770e8400-e29b-41d4-a716-446655440002";

    let mock = start(&[
        "--profile-key",
        &format!("sales-key={sales}"),
        "--account-tier",
        "growth",
    ]);
    assert_eq!(
        mock.lines[2],
        "organization: 550e8400-e29b-41d4-a716-446655440000"
    );
    assert!(
        mock.lines[3].contains("2 in /v3/contacts"),
        "{}",
        mock.lines[3]
    );
    let read = |url: String| {
        let request = http.get(url).header("x-api-key", key).send();
        async move { request.await.unwrap().status() }
    };
    assert_eq!(read(format!("{}{contact}", mock.url)).await, 200);
    let send = http
        .post(format!("{}/v3/messages", mock.url))
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(r#"{"to": ["+14155551234"], "template": {"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(send.status(), 202);
    assert_eq!(send.headers()["x-ratelimit-limit"], "300");
    let refused = http
        .get(format!("{}/v3/me", mock.url))
        .header("x-api-key", "sales-key")
        .header("x-profile-id", sales)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let empty = start(&["--empty"]);
    assert_eq!(empty.lines[3], "resources: none");
    assert_eq!(read(format!("{}{contact}", empty.url)).await, 404);
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
