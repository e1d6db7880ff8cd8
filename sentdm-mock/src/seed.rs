//! The resources of the docs' examples, which the mock starts with, so that a call copied from
//! the docs works as it is: the same ids and contents, related resources linked.
//!
//! Everything is read from the spec's response examples:
//!
//! - Each resource is taken from the example that shows it best: the `GET` of the item, else a
//!   list, else its creation, else another operation on it (an update shows changed contents).
//! - Items of nested collections (a profile's campaigns, a webhook's delivery log, a message's
//!   activities) belong to the parent items they refer to: a campaign to the profiles whose
//!   brand it names, activities to the message their `message_id` names; an example that names
//!   no parent belongs to the only parent there is.
//! - The messages of the send example are the messages it queued, with their template and
//!   contacts linked by id and phone number.
//! - A message's contact that no contact example shows is the contact example with the
//!   message's id for it and phone number.
//! - A webhook's signing secret is the one its creation example returns.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::behaviour::{
    QueuedMessage, contact_with_phone, fill_contact, item_template, last_param, parent_template,
    queued_message,
};
use crate::envelope::{new_id, now};
use crate::schema::is_uuid;
use crate::spec::{Operation, Spec};
use crate::state::{Scope, Store};

/// The organization the docs' examples belong to: the one their profiles name.
pub(crate) fn organization(spec: &Spec) -> String {
    spec.operations
        .iter()
        .filter(|op| op.key.starts_with("profiles."))
        .filter_map(|op| op.success()?.example_data.as_ref())
        .find_map(|data| {
            let profile = match data.get("profiles") {
                Some(Value::Array(items)) => items.first()?,
                _ => data,
            };
            profile
                .get("organization_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(new_id)
}

/// How well an example shows a resource, lower being better: the `GET` of the item, a list,
/// the creation, another operation (an update).
fn rank(op: &Operation) -> u8 {
    match (op.method.as_str(), op.is_item_path()) {
        ("GET", true) => 0,
        ("GET", false) => 1,
        ("POST", false) if op.success_status() == 201 => 2,
        _ => 3,
    }
}

/// An example item and where it was shown.
#[derive(Debug)]
struct Shown {
    item: Value,
    rank: u8,
    /// Ids the example names beside the item (a list's `message_id`).
    context: Vec<String>,
}

/// The uuids among an object's own string members, but its `id`.
fn references(item: &Value) -> Vec<String> {
    item.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "id")
                .filter_map(|(_, v)| v.as_str())
                .filter(|v| is_uuid(v))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn mentions(value: &Value, wanted: &str) -> bool {
    match value {
        Value::String(s) => s == wanted,
        Value::Array(items) => items.iter().any(|v| mentions(v, wanted)),
        Value::Object(map) => map.values().any(|v| mentions(v, wanted)),
        _ => false,
    }
}

/// The collection an operation's example data shows items of, and the items.
fn shown_items(spec: &Spec, op: &Operation, data: &Value) -> Option<(String, Vec<Value>)> {
    let collection_of_item = || parent_template(item_template(&op.template)).to_owned();
    if op.is_item_path() {
        // GET, PUT, PATCH of an item.
        return data
            .get("id")
            .is_some()
            .then(|| (collection_of_item(), vec![data.clone()]));
    }
    if op.method == "POST" && op.success_status() == 201 {
        return data
            .get("id")
            .is_some()
            .then(|| (op.template.clone(), vec![data.clone()]));
    }
    if item_template(&op.template) != op.template && op.method != "GET" {
        // An action on an item (`…/{id}/toggle-status`) answering the item.
        return data
            .get("id")
            .is_some()
            .then(|| (collection_of_item(), vec![data.clone()]));
    }
    if op.method != "GET" {
        return None;
    }
    // A list: paginated or added to at the top level; any array of items when nested.
    let nested = op.template.contains('{');
    let listed = op.pagination.is_some() || spec.operation("POST", &op.template).is_some();
    if !nested && !listed {
        return None;
    }
    let items = match data {
        Value::Array(items) => items.clone(),
        Value::Object(map) => {
            let member = op.pagination.as_ref().map(|p| p.items.as_str());
            map.iter()
                .find(|(k, v)| member.is_none_or(|m| m == *k) && v.is_array())
                .and_then(|(_, v)| v.as_array().cloned())?
        }
        _ => return None,
    };
    Some((op.template.clone(), items))
}

/// The store the mock starts with, holding the docs' examples in `organization`'s own scope.
pub(crate) fn store(spec: &Spec, organization: &str) -> Store {
    let scope = Scope::organization(organization);
    // Every item the examples show, per collection template, best first.
    let mut shown: HashMap<String, Vec<Shown>> = HashMap::new();
    for op in &spec.operations {
        let Some(data) = op.success().and_then(|r| r.example_data.as_ref()) else {
            continue;
        };
        let Some((collection, items)) = shown_items(spec, op, data) else {
            continue;
        };
        let context = references(data);
        shown
            .entry(collection)
            .or_default()
            .extend(items.into_iter().map(|item| Shown {
                item,
                rank: rank(op),
                context: context.clone(),
            }));
    }
    for items in shown.values_mut() {
        items.sort_by_key(|s| s.rank);
    }

    let mut store = Store::default();
    // Top-level collections first, then nested ones, parents before children.
    let mut collections: Vec<&String> = shown.keys().collect();
    collections.sort_by_key(|c| (c.matches('{').count(), c.as_str()));
    for collection in collections {
        let items = &shown[collection];
        if !collection.contains('{') {
            let key = scope.key(collection, &[]);
            for s in best_per_id(items) {
                store.insert(&key, s.item.clone());
            }
            continue;
        }
        let parent_item = item_template(collection);
        let (Some(param), parent_collection) =
            (last_param(parent_item), parent_template(parent_item))
        else {
            continue;
        };
        let parent_key = scope.key(parent_collection, &[]);
        let parents: Vec<String> = store
            .items(&parent_key)
            .iter()
            .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for s in best_per_id(items) {
            let named: Vec<String> = references(&s.item)
                .into_iter()
                .chain(s.context.iter().cloned())
                .collect();
            let mut owners: Vec<&String> = parents
                .iter()
                .filter(|id| {
                    store
                        .get(&parent_key, id)
                        .is_some_and(|p| named.iter().any(|n| mentions(p, n)))
                })
                .collect();
            if owners.is_empty() && parents.len() == 1 {
                owners = parents.iter().collect();
            }
            for owner in owners {
                let key = scope.key(collection, &[(param.to_owned(), owner.clone())]);
                store.insert(&key, s.item.clone());
            }
        }
    }

    messages_of_the_send_example(spec, &scope, &mut store);
    secrets_of_created_webhooks(spec, &mut store);
    store
}

/// The best example of each id (`items` are best first); items without ids (activities) are
/// taken from the best examples only.
fn best_per_id(items: &[Shown]) -> Vec<&Shown> {
    let best_rank = items.first().map_or(0, |s| s.rank);
    let mut seen: Vec<&str> = Vec::new();
    items
        .iter()
        .filter(|s| match s.item.get("id").and_then(Value::as_str) {
            Some(id) if seen.contains(&id) => false,
            Some(id) => {
                seen.push(id);
                true
            }
            None => s.rank == best_rank,
        })
        .collect()
}

/// The messages the send example queued, and the contacts messages name.
fn messages_of_the_send_example(spec: &Spec, scope: &Scope, store: &mut Store) {
    let messages = scope.key("/v3/messages", &[]);
    let contacts = scope.key("/v3/contacts", &[]);
    let templates = scope.key("/v3/templates", &[]);

    // Contacts that messages name by id and only the messages show (by phone number).
    let named: Vec<(String, String)> = store
        .items(&messages)
        .iter()
        .filter_map(|m| {
            let id = m.get("contact_id")?.as_str()?;
            let phone = m.get("phone")?.as_str()?;
            Some((id.to_owned(), phone.to_owned()))
        })
        .collect();
    for (id, phone) in named {
        if store.get(&contacts, &id).is_some() {
            continue;
        }
        let Some(mut contact) = store
            .items(&contacts)
            .first()
            .and_then(|c| c.as_object().cloned())
        else {
            continue;
        };
        contact.insert("id".into(), Value::String(id));
        contact.insert("phone_number".into(), Value::String(phone));
        fill_contact(&mut contact);
        store.insert(&contacts, Value::Object(contact));
    }

    let Some(send) = spec.operations.iter().find(|op| op.key == "messages.send") else {
        return;
    };
    let Some(data) = send.success().and_then(|r| r.example_data.as_ref()) else {
        return;
    };
    let at = example_timestamp(spec, send).unwrap_or_else(now);
    let template = data
        .get("template_id")
        .and_then(Value::as_str)
        .and_then(|id| store.get(&templates, id))
        .map(|t| {
            let pick = |k: &str| t.get(k).cloned().unwrap_or(Value::Null);
            Value::Object(Map::from_iter([
                ("id".to_owned(), pick("id")),
                ("name".to_owned(), pick("name")),
                ("category".to_owned(), pick("category")),
            ]))
        })
        .unwrap_or_else(|| {
            Value::Object(Map::from_iter([
                (
                    "id".to_owned(),
                    data.get("template_id").cloned().unwrap_or(Value::Null),
                ),
                (
                    "name".to_owned(),
                    data.get("template_name").cloned().unwrap_or(Value::Null),
                ),
            ]))
        });
    let recipients = data
        .get("recipients")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in &recipients {
        let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
        let id = field("message_id");
        if id.is_empty() || store.get(&messages, id).is_some() {
            continue;
        }
        let message = queued_message(&QueuedMessage {
            id,
            organization: &scope.organization,
            contact_id: contact_with_phone(store, &contacts, field("to")),
            to: field("to"),
            channel: field("channel"),
            template: template.clone(),
            content: field("body"),
            at: &at,
        });
        store.insert(&messages, message);
    }
}

/// The `meta.timestamp` of an operation's success example.
fn example_timestamp(spec: &Spec, op: &Operation) -> Option<String> {
    let path = op.template.replace('~', "~0").replace('/', "~1");
    let pointer = format!(
        "/paths/{path}/{}/responses/{}/content/application~1json/example/meta/timestamp",
        op.method.to_ascii_lowercase(),
        op.success_status()
    );
    spec.root
        .pointer(&pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Signing secrets of the webhooks created in the examples.
fn secrets_of_created_webhooks(spec: &Spec, store: &mut Store) {
    for op in spec
        .operations
        .iter()
        .filter(|op| op.key == "webhooks.create")
    {
        let Some(data) = op.success().and_then(|r| r.example_data.as_ref()) else {
            continue;
        };
        if let (Some(id), Some(secret)) = (
            data.get("id").and_then(Value::as_str),
            data.get("signing_secret").and_then(Value::as_str),
        ) {
            store.secrets.insert(id.to_owned(), secret.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::spec::spec;

    #[test]
    fn the_examples_organization() {
        assert_eq!(organization(spec()), "550e8400-e29b-41d4-a716-446655440000");
    }
}
