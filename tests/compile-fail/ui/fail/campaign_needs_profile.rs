// Campaigns live under a profile: creating one needs the profile id first.
use sentdm_client::{Client, types::CampaignUseCaseInput};

async fn run(client: Client) {
    let use_case = CampaignUseCaseInput::new("ACCOUNT_NOTIFICATION", ["Your code is 1234"]);
    let _ = client.profiles().campaigns().create("Notifications", vec![use_case]).await;
}

fn main() {}
