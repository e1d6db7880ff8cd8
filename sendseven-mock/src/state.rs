//! What the mock remembers: conversations, uploaded attachments and sent messages, per tenant.

use std::collections::BTreeSet;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::{Value, json};

/// An API token the mock accepts: its tenant and scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token (`msgapi_` and 64 hex characters).
    pub token: String,
    /// The tenant it acts for (`X-Tenant-ID`).
    pub tenant_id: String,
    /// Its scopes (`messages:create`, `attachments:create`).
    pub scopes: Vec<String>,
}

/// An uploaded attachment.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    /// Its id, for a media message's `attachments`.
    pub id: String,
    /// The tenant it was uploaded to.
    pub tenant_id: String,
    /// The file name of the upload's `file` part (empty when it had none).
    pub filename: String,
    /// The media type the mock took the file for.
    pub content_type: String,
    /// The file's bytes.
    pub bytes: Bytes,
    /// The size the API reports (`file_size`): the bytes' length for uploads.
    pub file_size: u64,
    /// The signed URL the API reports.
    pub url: String,
    /// When it was uploaded.
    pub uploaded_at: SystemTime,
}

impl StoredAttachment {
    /// The attachment as the API shows it.
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "filename": self.filename,
            "content_type": self.content_type,
            "file_size": self.file_size,
            "url": self.url,
        })
    }
}

/// A message the mock accepted (`POST /messages`).
#[derive(Debug, Clone)]
pub struct RecordedMessage {
    /// The token that sent it.
    pub api_token: String,
    /// The tenant it was sent for.
    pub tenant_id: String,
    /// The request body.
    pub request: Value,
    /// The message as answered.
    pub message: Value,
    /// When it was accepted.
    pub at: SystemTime,
}

/// Everything the mock remembers between requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    /// (tenant, conversation id).
    pub conversations: BTreeSet<(String, String)>,
    pub attachments: Vec<StoredAttachment>,
    pub messages: Vec<RecordedMessage>,
}

impl Store {
    pub fn has_conversation(&self, tenant: &str, id: &str) -> bool {
        self.conversations
            .contains(&(tenant.to_owned(), id.to_owned()))
    }

    pub fn attachment(&self, tenant: &str, id: &str) -> Option<&StoredAttachment> {
        self.attachments
            .iter()
            .find(|a| a.id == id && a.tenant_id == tenant)
    }

    /// The docs' examples as state, for `tenant`: the conversations the message examples name
    /// (`uuid` in the requests, `conv_xyz789` in the responses) and the attachment of the upload
    /// example (`attachment_uuid`, `image.jpg`, 12 345 bytes, `signed_url`).
    pub fn seeded(tenant: &str, upload_example: Option<&Value>, conversations: &[String]) -> Store {
        let mut store = Store::default();
        for id in conversations {
            store.conversations.insert((tenant.to_owned(), id.clone()));
        }
        if let Some(example) = upload_example {
            let text = |member: &str| {
                example
                    .get(member)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let file_size = example
                .get("file_size")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            store.attachments.push(StoredAttachment {
                id: text("id"),
                tenant_id: tenant.to_owned(),
                filename: text("filename"),
                content_type: text("content_type"),
                bytes: Bytes::from(vec![0; usize::try_from(file_size).unwrap_or(0)]),
                file_size,
                url: text("url"),
                uploaded_at: SystemTime::UNIX_EPOCH,
            });
        }
        store
    }
}
