//! Walks every contact, page by page, without holding more than one page in memory.
//!
//! ```sh
//! cargo run -p sentdm-client --example page_contacts
//! ```
//!
//! Without `SENT_DM_API_KEY` it runs against a mock of the API started in-process, after
//! creating 45 contacts there (three pages of 20).

#[path = "support/mod.rs"]
mod support;

use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = support::connect()?;
    let client = &target.client;

    if target.mock.is_some() {
        for n in 0..45 {
            client.contacts().create(format!("+1415555{n:04}")).await?;
        }
        println!("created 45 contacts");
    }

    // One request per page, made only when the stream needs the next page.
    let mut pages = client.contacts().list().page_size(20).pages();
    let mut page_number = 0;
    while let Some(page) = pages.try_next().await? {
        page_number += 1;
        let count = page.contacts.len();
        println!(
            "page {page_number}: {count} contacts (request {})",
            page.request_id().unwrap_or("-")
        );
    }

    // Or item by item.
    let mut contacts = client.contacts().list().page_size(20).items();
    let mut total = 0;
    while let Some(contact) = contacts.try_next().await? {
        total += 1;
        if total <= 3 {
            println!(
                "{} ({:?})",
                contact.phone_number, contact.available_channels
            );
        }
    }
    println!("{total} contacts in all");
    Ok(())
}
