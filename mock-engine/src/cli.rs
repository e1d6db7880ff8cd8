//! What the mocks' binaries share: reading option values, and serving until interrupted.

use std::future::Future;

/// The value after `flag`.
///
/// # Errors
///
/// When there is none.
pub fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
    args.next().ok_or_else(|| format!("{flag} needs a value"))
}

/// `KEY=VALUE` after `flag`, both non-empty.
///
/// # Errors
///
/// When there is no value, or it is not of that form.
pub fn pair(
    args: &mut impl Iterator<Item = String>,
    flag: &str,
) -> Result<(String, String), String> {
    let v = value(args, flag)?;
    match v.split_once('=') {
        Some((key, value)) if !key.is_empty() && !value.is_empty() => {
            Ok((key.to_owned(), value.to_owned()))
        }
        _ => Err(format!("{flag}: expected KEY=VALUE, got {v}")),
    }
}

/// A port number after `--port`.
///
/// # Errors
///
/// When there is no value or it is not a port.
pub fn port(args: &mut impl Iterator<Item = String>) -> Result<u16, String> {
    let v = value(args, "--port")?;
    v.parse().map_err(|_| format!("--port: not a port: {v}"))
}

/// Calls `announce` (which prints where the mock listens) and waits for Ctrl-C (SIGINT). The
/// signal is listened for before anything is printed, so that a test suite that interrupts the
/// mock as soon as it has read the URL stops it cleanly.
///
/// # Errors
///
/// When no runtime can be started to wait on.
pub fn serve_until_interrupted(announce: impl FnOnce()) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(wait_after(tokio::signal::ctrl_c(), announce));
    Ok(())
}

async fn wait_after<F: Future>(interrupted: F, announce: impl FnOnce()) {
    tokio::pin!(interrupted);
    tokio::select! {
        biased;
        _ = &mut interrupted => return,
        () = std::future::ready(()) => {}
    }
    announce();
    let _ = interrupted.await;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn option_values() {
        assert_eq!(value(&mut args(&["x"]), "--f").unwrap(), "x");
        assert_eq!(
            value(&mut args(&[]), "--f").unwrap_err(),
            "--f needs a value"
        );
        assert_eq!(
            pair(&mut args(&["k=v"]), "--f").unwrap(),
            ("k".to_owned(), "v".to_owned())
        );
        assert!(
            pair(&mut args(&["k="]), "--f")
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert_eq!(port(&mut args(&["0"])).unwrap(), 0);
        assert!(
            port(&mut args(&["http"]))
                .unwrap_err()
                .contains("not a port")
        );
    }

    #[tokio::test]
    async fn announces_unless_interrupted_first() {
        let mut announced = false;
        wait_after(std::future::ready(()), || announced = true).await;
        assert!(!announced);
        // Interrupted only once announced: the announcement comes, then the wait ends.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut told = false;
        wait_after(rx, || {
            told = true;
            let _ = tx.send(());
        })
        .await;
        assert!(told);
    }
}
