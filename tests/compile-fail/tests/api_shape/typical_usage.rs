//! The API shape the compile-fail cases guard, used as intended: the control that shows each case
//! fails for the reason it names. Compiled with this test binary, on the workspace's build; trybuild
//! only has failing cases to type-check, so its own build of the client stays a `cargo check`.

use sentdm_client::types::{CampaignUseCaseInput, Channel, TemplateRef, UserRole};
use sentdm_client::{Client, Error, RequestOptions};

#[expect(dead_code, reason = "compiled, never run: compiling is the check")]
async fn run(client: Client) -> Result<(), Error> {
    let sent = client
        .messages()
        .send(["+14155551234"], TemplateRef::by_name("welcome"))
        .channel(vec![Channel::Whatsapp])
        .idempotency_key("welcome-42")
        .sandbox(true)
        .options(RequestOptions::new().timeout(std::time::Duration::from_secs(5)))
        .await?;
    let _ = sent.request_id();

    let id = sentdm_client::uuid::Uuid::nil();
    let contact = client.contacts().get(id).await?;
    let _ = &contact.phone_number;
    let _ = client
        .contacts()
        .list()
        .page(2)
        .page_size(50)
        .search("+1415")
        .await?;
    let _ = client
        .users()
        .invite("dev@example.com", UserRole::Developer)
        .await?;
    let use_case = CampaignUseCaseInput::new("ACCOUNT_NOTIFICATION", ["Your code is 1234"]);
    let _ = client
        .profiles()
        .campaigns()
        .create(id, "Notifications", vec![use_case])
        .await?;
    let _ = client.webhooks().rotate_secret(id).await?;
    Ok(())
}

/// The SendSeven and Sendivent shapes the `sendseven_*` and `sendivent_*` cases guard.
#[expect(dead_code, reason = "compiled, never run: compiling is the check")]
async fn siblings(
    sendseven: sendseven_client::Client,
    sendivent: sendivent_client::Client,
) -> Result<(), sendseven_client::Error> {
    use sendseven_client::types::{MediaMessageRequest, MediaMessageType, TextMessageRequest};

    let _ = TextMessageRequest::new("conv_1", "Hello!");
    let photo = sendseven
        .attachments()
        .upload(sendseven_client::Upload::path("photo.jpg"))
        .await?;
    let media = MediaMessageRequest::new("conv_1", MediaMessageType::Image, [photo.id.clone()]);
    sendseven.messages().send(media).await?;

    sendivent
        .notifications()
        .send("order.confirmed", "ada@example.com")
        .await?;
    sendivent
        .notifications()
        .send_to_channel(
            "order.confirmed",
            sendivent_client::types::Channel::Sms,
            "+14155550123",
        )
        .await?;
    Ok(())
}
