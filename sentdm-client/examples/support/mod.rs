//! Shared by the examples: a client for the real Sent.dm API when `SENT_DM_API_KEY` is set,
//! otherwise for a mock of the API started in this process (it stops when dropped).

use sentdm_client::{API_KEY_ENV, Client};
use sentdm_mock::MockServer;

/// The client and, when there is one, the mock it talks to.
pub struct Target {
    pub client: Client,
    pub mock: Option<MockServer>,
}

pub fn connect() -> Result<Target, Box<dyn std::error::Error>> {
    if std::env::var(API_KEY_ENV).is_ok_and(|key| !key.trim().is_empty()) {
        let client = Client::from_env()?;
        println!("using the Sent.dm API at {}", client.runtime().base_url());
        return Ok(Target { client, mock: None });
    }
    let mock = MockServer::start()?;
    println!(
        "{API_KEY_ENV} is not set: using a mock of the API at {}",
        mock.url()
    );
    let client = Client::builder()
        .api_key(mock.api_key())
        .base_url(mock.url())
        .build()?;
    Ok(Target {
        client,
        mock: Some(mock),
    })
}
