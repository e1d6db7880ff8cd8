//! In-memory state: collections of resources keyed by the spec's path templates, webhook
//! secrets, template definitions and the log of sends.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::Value;

/// A message send the mock accepted (`POST /v3/messages`, not in sandbox mode, not a replay).
#[derive(Debug, Clone)]
pub struct RecordedSend {
    /// `meta.request_id` of the response.
    pub request_id: String,
    /// The API key that sent it.
    pub api_key: String,
    /// The `Idempotency-Key` header, when there was one.
    pub idempotency_key: Option<String>,
    /// The request body as the mock read it (`null` optional members left out).
    pub body: Value,
    /// Ids of the messages created, one per (recipient, channel) pair.
    pub message_ids: Vec<String>,
    /// When the send was accepted.
    pub at: SystemTime,
}

/// Whose resources a request sees: an organization's own, or those of one of its profiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub organization: String,
    pub profile: Option<String>,
}

/// The collection that belongs to organizations rather than to profiles: sender profiles and
/// what is nested under them (their campaigns).
const ORGANIZATION_COLLECTION: &str = "/v3/profiles";

impl Scope {
    /// The organization's own scope, without a profile.
    pub fn organization(organization: &str) -> Scope {
        Scope {
            organization: organization.to_owned(),
            profile: None,
        }
    }

    /// The key of a collection (its template and parent ids) as this scope sees it: profiles
    /// and their campaigns are the organization's; everything else belongs to the profile the
    /// request is scoped to, or to the organization itself.
    pub fn key(&self, template: &str, params: &[(String, String)]) -> String {
        let organization_wide = template == ORGANIZATION_COLLECTION
            || template.starts_with(&format!("{ORGANIZATION_COLLECTION}/"));
        let owner = match (&self.profile, organization_wide) {
            (Some(profile), false) => format!("{}/{profile}", self.organization),
            _ => self.organization.clone(),
        };
        format!("{owner}#{}", collection_key(template, params))
    }
}

/// Everything the mock remembers between requests.
#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    /// Items per collection key (a path template plus its parent ids), in creation order.
    collections: HashMap<String, Vec<Value>>,
    /// Current signing secret per webhook id.
    pub secrets: HashMap<String, String>,
    /// Template request bodies (definitions) per template id.
    pub template_definitions: HashMap<String, Value>,
    pub sends: Vec<RecordedSend>,
}

/// The key of a collection: its template and the values of the template's parameters.
pub(crate) fn collection_key(template: &str, params: &[(String, String)]) -> String {
    let mut key = template.to_owned();
    for (name, value) in params {
        if template.contains(&format!("{{{name}}}")) {
            key.push('|');
            key.push_str(value);
        }
    }
    key
}

fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

impl Store {
    pub fn items(&self, key: &str) -> &[Value] {
        self.collections.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get(&self, key: &str, id: &str) -> Option<&Value> {
        self.items(key).iter().find(|i| id_of(i) == Some(id))
    }

    pub fn get_mut(&mut self, key: &str, id: &str) -> Option<&mut Value> {
        self.collections
            .get_mut(key)?
            .iter_mut()
            .find(|i| id_of(i) == Some(id))
    }

    pub fn insert(&mut self, key: &str, item: Value) {
        self.collections
            .entry(key.to_owned())
            .or_default()
            .push(item);
    }

    /// The organization a profile belongs to, when the profile exists.
    pub fn profile_organization(&self, id: &str) -> Option<&str> {
        let suffix = format!("#{ORGANIZATION_COLLECTION}");
        self.collections.iter().find_map(|(key, items)| {
            let organization = key.strip_suffix(&suffix)?;
            items
                .iter()
                .any(|i| id_of(i) == Some(id))
                .then_some(organization)
        })
    }

    /// How many items the collections hold, per collection template (parent ids and scopes
    /// left out).
    pub fn counts(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for (key, items) in &self.collections {
            let template = key.split_once('#').map_or(key.as_str(), |(_, t)| t);
            let template = template.split('|').next().unwrap_or(template);
            *counts.entry(template.to_owned()).or_insert(0) += items.len();
        }
        counts
    }

    pub fn remove(&mut self, key: &str, id: &str) -> Option<Value> {
        let items = self.collections.get_mut(key)?;
        let at = items.iter().position(|i| id_of(i) == Some(id))?;
        let item = items.remove(at);
        // Nested collections of the removed item go with it.
        let prefix = format!("|{id}");
        self.collections
            .retain(|k, _| !(k.starts_with(key) && k.len() > key.len() && k.ends_with(&prefix)));
        Some(item)
    }
}
