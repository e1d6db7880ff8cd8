//! What each operation does to the in-memory state.
//!
//! Operations are classified from the spec: a `POST` on a collection path answering `201`
//! creates, a `GET` on a collection lists (paginated when the operation has `x-pagination`), and
//! `GET`/`PUT`/`PATCH`/`DELETE` on `…/{param}` read, update and delete. Resources are built from
//! the spec's response examples (fresh ids and timestamps) overlaid with the request body. The
//! few operations that are not plain CRUD (sending, lookups, webhook actions) have their own
//! handlers, keyed by `x-group`/`x-method`.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::envelope::{new_id, now};
use crate::schema::{conforms, declared_type, is_uuid};
use crate::spec::{Location, Operation, Spec};
use crate::state::{RecordedSend, Scope, Store};

/// A validated request, as the behaviours see it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub op: &'a Operation,
    pub path_params: &'a [(String, String)],
    pub query: &'a Map<String, Value>,
    pub body: Option<&'a Value>,
    pub sandbox: bool,
    pub api_key: &'a str,
    /// The organization or profile whose resources the call sees.
    pub scope: &'a Scope,
    pub idempotency_key: Option<&'a str>,
    pub request_id: &'a str,
}

impl Call<'_> {
    /// The key of a collection (a path template) for this call: its scope and the call's
    /// values of the template's parameters.
    fn key(&self, template: &str) -> String {
        self.scope.key(template, self.path_params)
    }
}

/// Settings that change behaviours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub require_known_templates: bool,
}

/// A webhook test event to deliver over HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub webhook_id: String,
    pub url: String,
    pub secret: String,
    pub field: String,
    pub event_type: String,
    pub body: String,
    pub timeout: Duration,
}

/// What an operation answers.
#[derive(Debug)]
pub(crate) enum Outcome {
    Data {
        status: u16,
        data: Value,
    },
    NoContent,
    Error {
        status: u16,
        code: String,
        message: String,
    },
    Deliver(Box<Delivery>),
}

fn error(status: u16, code: &str, message: &str) -> Outcome {
    Outcome::Error {
        status,
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// The template without its trailing literal segments (`/a/{x}/b` → `/a/{x}`).
pub(crate) fn item_template(template: &str) -> &str {
    if !template.contains('{') {
        return template;
    }
    let mut t = template;
    while let Some((head, last)) = t.rsplit_once('/') {
        if last.starts_with('{') || head.is_empty() {
            break;
        }
        t = head;
    }
    t
}

/// The template without its last segment.
pub(crate) fn parent_template(template: &str) -> &str {
    template.rsplit_once('/').map_or("", |(head, _)| head)
}

pub(crate) fn last_param(template: &str) -> Option<&str> {
    template
        .rsplit('/')
        .next()
        .and_then(|s| s.strip_prefix('{'))
        .and_then(|s| s.strip_suffix('}'))
}

fn param<'a>(call: &Call<'a>, name: &str) -> Option<&'a str> {
    call.path_params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The documented 404 of the operation, or of the `GET` on the item it acts on.
fn not_found(spec: &Spec, op: &Operation) -> Outcome {
    let doc = op.error_doc(404).or_else(|| {
        spec.operation("GET", item_template(&op.template))
            .and_then(|g| g.error_doc(404))
    });
    match doc {
        Some(d) => error(404, &d.code, &d.message),
        None => error(404, "NOT_FOUND", "Resource not found"),
    }
}

/// The members a schema declares, following `$ref` and `allOf`.
fn properties(spec: &Spec, schema: &Value) -> Map<String, Value> {
    let schema = spec.resolve(schema);
    let mut out = Map::new();
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            out.extend(properties(spec, s));
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.clone());
    }
    out
}

/// The members a schema requires, following `$ref` and `allOf`.
fn required_members(spec: &Spec, schema: &Value) -> Vec<String> {
    let schema = spec.resolve(schema);
    let mut out: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            out.extend(required_members(spec, s));
        }
    }
    out
}

/// Replaces example ids with fresh ones and example timestamps with the current time.
fn refresh(value: &mut Value, now: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "id" && v.as_str().is_some_and(is_uuid) {
                    *v = Value::String(new_id());
                } else if (k.ends_with("_at") || k.ends_with("At")) && v.is_string() {
                    *v = Value::String(now.to_owned());
                } else {
                    refresh(v, now);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| refresh(v, now)),
        _ => {}
    }
}

fn deep_merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match out.get(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

/// Copies request members into a resource where the resource schema has a member of that name
/// and the result still conforms to it.
fn overlay(
    spec: &Spec,
    item: &mut Map<String, Value>,
    item_schema: &Value,
    body: &Map<String, Value>,
) {
    let props = properties(spec, item_schema);
    for (k, v) in body {
        if k == "sandbox" {
            continue;
        }
        let Some(prop) = props.get(k) else { continue };
        let merged = item
            .get(k)
            .map_or_else(|| v.clone(), |existing| deep_merge(existing, v));
        if conforms(spec, prop, &merged) {
            item.insert(k.clone(), merged);
        } else if conforms(spec, prop, v) {
            item.insert(k.clone(), v.clone());
        }
    }
}

/// On create, members the request could have set but did not, and whose example values are
/// specific to the example (free text, nested objects), become null — unless the resource
/// schema requires them (the docs guarantee them), in which case the example value stays.
fn clear_unset(
    spec: &Spec,
    item: &mut Map<String, Value>,
    request_schema: &Value,
    response_schema: &Value,
    body: &Map<String, Value>,
) {
    let request_props = properties(spec, request_schema);
    let guaranteed = required_members(spec, response_schema);
    for (k, prop) in &request_props {
        if body.contains_key(k) || !item.contains_key(k) || guaranteed.contains(k) {
            continue;
        }
        let resolved = spec.resolve(prop);
        let is_enum = resolved.get("enum").is_some()
            || resolved
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|s| spec.resolve(s).get("enum").is_some()));
        let clear = match declared_type(spec, prop) {
            Some("string") => !is_enum,
            Some("object") | None => true,
            _ => false,
        };
        if clear {
            item.insert(k.clone(), Value::Null);
        }
    }
}

/// Pagination members for a page of `total` items.
fn pagination(page: u64, page_size: u64, total: u64) -> Value {
    let total_pages = total.div_ceil(page_size.max(1));
    json!({
        "page": page,
        "page_size": page_size,
        "total_count": total,
        "total_pages": total_pages,
        "has_more": page < total_pages,
        "cursors": null,
    })
}

fn text_matches(field: &Value, wanted: &str) -> bool {
    match field {
        Value::String(s) => {
            s.eq_ignore_ascii_case(wanted)
                || s.split(',').any(|p| p.trim().eq_ignore_ascii_case(wanted))
        }
        Value::Bool(b) => wanted == if *b { "true" } else { "false" },
        Value::Number(n) => n.to_string() == wanted,
        _ => false,
    }
}

/// Applies the list's query filters: `search` over text members, other parameters by the member
/// of the same name (or `phone` → `phone_number`, `channel` → `available_channels`).
fn filter<'a>(call: &Call<'_>, items: &'a [Value]) -> Vec<&'a Value> {
    items
        .iter()
        .filter(|item| {
            call.query.iter().all(|(name, wanted)| {
                if name == "page" || name == "page_size" {
                    return true;
                }
                let wanted = match wanted {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if name == "search" {
                    let needle = wanted.to_lowercase();
                    return needle.is_empty()
                        || item.as_object().is_some_and(|m| {
                            m.values()
                                .filter_map(Value::as_str)
                                .any(|s| s.to_lowercase().contains(&needle))
                        });
                }
                let member = match name.as_str() {
                    _ if item.get(name).is_some() => name.as_str(),
                    "phone" => "phone_number",
                    "channel" => "available_channels",
                    _ => return true,
                };
                item.get(member).is_some_and(|f| text_matches(f, &wanted))
            })
        })
        .collect()
}

/// Phone number parts: country calling code, region and national number.
fn phone_parts(phone: &str) -> (String, &'static str, String) {
    const CODES: &[(&str, &str)] = &[
        ("1", "US"),
        ("44", "GB"),
        ("49", "DE"),
        ("33", "FR"),
        ("34", "ES"),
        ("39", "IT"),
        ("31", "NL"),
        ("61", "AU"),
        ("81", "JP"),
        ("86", "CN"),
        ("91", "IN"),
        ("52", "MX"),
        ("55", "BR"),
        ("27", "ZA"),
    ];
    let digits = phone.trim_start_matches('+');
    for (cc, region) in CODES {
        if let Some(rest) = digits.strip_prefix(cc) {
            return ((*cc).to_owned(), region, rest.to_owned());
        }
    }
    let cc: String = digits.chars().take(2).collect();
    let rest: String = digits.chars().skip(2).collect();
    (cc, "ZZ", rest)
}

fn grouped(national: &str) -> String {
    match (national.get(..3), national.get(3..6), national.get(6..)) {
        (Some(a), Some(b), Some(c)) if !c.is_empty() => format!("{a}-{b}-{c}"),
        _ => national.to_owned(),
    }
}

pub(crate) fn fill_contact(item: &mut Map<String, Value>) {
    let Some(phone) = item
        .get("phone_number")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let (cc, region, national) = phone_parts(&phone);
    let grouped = grouped(&national);
    item.insert("format_e164".into(), json!(phone));
    item.insert(
        "format_international".into(),
        json!(format!("+{cc} {grouped}")),
    );
    item.insert("format_national".into(), json!(national));
    item.insert("format_rfc".into(), json!(format!("tel:+{cc}-{grouped}")));
    item.insert("country_code".into(), json!(cc));
    item.insert("region_code".into(), json!(region));
}

/// `{{name}}` placeholders and declared variables of a template definition.
fn template_variables(definition: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        let n = n.trim();
        if !n.is_empty() && !names.iter().any(|x| x == n) {
            names.push(n.to_owned());
        }
    };
    for part in ["/header/content", "/body/content", "/footer/content"] {
        if let Some(text) = definition.pointer(part).and_then(Value::as_str) {
            let mut rest = text;
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let Some(end) = after.find("}}") else { break };
                add(&after[..end]);
                rest = &after[end + 2..];
            }
        }
    }
    if let Some(vars) = definition
        .pointer("/body/variables")
        .and_then(Value::as_array)
    {
        for v in vars {
            if let Some(n) = v.get("name").and_then(Value::as_str) {
                add(n);
            }
        }
    }
    names
}

fn render(text: &str, parameters: Option<&Map<String, Value>>) -> String {
    let mut out = text.to_owned();
    if let Some(params) = parameters {
        for (k, v) in params {
            let value = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            out = out.replace(&format!("{{{{{k}}}}}", k = k), &value);
        }
    }
    out
}

/// A fresh webhook signing secret: `whsec_` and base64 of 32 random bytes.
pub(crate) fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    for b in &mut bytes {
        *b = fastrand::u8(..);
    }
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Handles a validated call.
pub(crate) fn handle(spec: &Spec, store: &mut Store, call: &Call<'_>, opts: Options) -> Outcome {
    let op = call.op;
    match op.key.as_str() {
        "messages.send" => return send_message(spec, store, call, opts),
        "messages.activities" => return activities(spec, store, call),
        "numbers.lookup" => return lookup(spec, call),
        "profiles.complete" => return complete_profile(spec, store, call),
        "webhooks.rotate_secret" => return rotate_secret(spec, store, call),
        "webhooks.test" => return test_webhook(spec, store, call),
        "webhooks.toggle_status" => return toggle_webhook(spec, store, call),
        _ => {}
    }
    let item_path = op.is_item_path();
    match (op.method.as_str(), item_path) {
        ("GET", true) => get(spec, store, call),
        ("PUT" | "PATCH", true) => update(spec, store, call),
        ("DELETE", true) => delete(spec, store, call),
        ("POST", false) if op.success_status() == 201 => create(spec, store, call),
        // A collection is listed when it paginates or can be added to; other reads (the
        // account, the event types) answer the documented example.
        ("GET", false)
            if op.pagination.is_some() || spec.operation("POST", &op.template).is_some() =>
        {
            list(spec, store, call)
        }
        _ => example(op),
    }
}

/// The documented example data, unchanged.
fn example(op: &Operation) -> Outcome {
    let status = op.success_status();
    match op.success().and_then(|r| r.example_data.clone()) {
        Some(data) => Outcome::Data { status, data },
        None if status == 204 => Outcome::NoContent,
        None => Outcome::Data {
            status,
            data: Value::Null,
        },
    }
}

/// Where an item operation's item lives: its collection key and id.
fn locate(call: &Call<'_>) -> Option<(String, String)> {
    let template = item_template(&call.op.template);
    let id = param(call, last_param(template)?)?;
    let collection = parent_template(template);
    Some((call.key(collection), id.to_owned()))
}

/// Whether the parent item of a nested collection exists (true for top-level collections).
fn parent_exists(store: &Store, call: &Call<'_>, collection: &str) -> bool {
    if !collection.contains('{') {
        return true;
    }
    let parent_item = item_template(collection);
    let Some(id) = last_param(parent_item).and_then(|p| param(call, p)) else {
        return false;
    };
    let parent_collection = parent_template(parent_item);
    store.get(&call.key(parent_collection), id).is_some()
}

fn data_schema(op: &Operation) -> Value {
    op.success()
        .and_then(|r| r.data_schema.clone())
        .unwrap_or(Value::Null)
}

fn get(spec: &Spec, store: &Store, call: &Call<'_>) -> Outcome {
    let Some((key, id)) = locate(call) else {
        return not_found(spec, call.op);
    };
    match store.get(&key, &id) {
        Some(item) => Outcome::Data {
            status: call.op.success_status(),
            data: item.clone(),
        },
        None => not_found(spec, call.op),
    }
}

fn update(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let Some((key, id)) = locate(call) else {
        return not_found(spec, call.op);
    };
    let Some(existing) = store.get(&key, &id) else {
        return not_found(spec, call.op);
    };
    let mut item = existing.as_object().cloned().unwrap_or_default();
    let body = call
        .body
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    overlay(spec, &mut item, &data_schema(call.op), &body);
    let stamp = now();
    for k in ["updated_at", "updatedAt"] {
        if item.contains_key(k) {
            item.insert(k.to_owned(), json!(stamp));
        }
    }
    if call.op.key.starts_with("templates.") {
        if let Some(def) = body.get("definition") {
            item.insert("variables".into(), json!(template_variables(def)));
            if !call.sandbox {
                store.template_definitions.insert(id.clone(), def.clone());
            }
        }
    }
    if call.op.key.starts_with("webhooks.") {
        item.insert("signing_secret".into(), Value::Null);
    }
    let item = Value::Object(item);
    if !call.sandbox {
        if let Some(slot) = store.get_mut(&key, &id) {
            *slot = item.clone();
        }
    }
    Outcome::Data {
        status: call.op.success_status(),
        data: item,
    }
}

fn delete(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let Some((key, id)) = locate(call) else {
        return not_found(spec, call.op);
    };
    if store.get(&key, &id).is_none() {
        return not_found(spec, call.op);
    }
    if !call.sandbox {
        store.remove(&key, &id);
        store.secrets.remove(&id);
        store.template_definitions.remove(&id);
    }
    if call.op.success_status() == 204 {
        Outcome::NoContent
    } else {
        example(call.op)
    }
}

fn create(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let op = call.op;
    let collection = op.template.as_str();
    if !parent_exists(store, call, collection) {
        return not_found(spec, op);
    }
    let key = call.key(collection);
    let schema = data_schema(op);
    let body = call
        .body
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let request_schema = op
        .body
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or(Value::Null);

    // Operations documenting a 409 "already exists" (`RESOURCE_007`) keep their first required
    // request member unique. (Every idempotent operation also documents a 409 `CONFLICT_001`,
    // which is about concurrent requests, not duplicates.)
    if op.error_doc(409).is_some_and(|d| d.code == "RESOURCE_007") {
        let required = spec
            .resolve(&request_schema)
            .get("required")
            .and_then(Value::as_array);
        if let Some(field) = required.and_then(|r| r.first()).and_then(Value::as_str) {
            if let Some(wanted) = body.get(field) {
                let taken = store
                    .items(&key)
                    .iter()
                    .any(|i| i.get(field) == Some(wanted));
                if taken {
                    let doc = op.error_doc(409);
                    return error(
                        409,
                        doc.map_or("RESOURCE_007", |d| d.code.as_str()),
                        doc.map_or("Resource already exists", |d| d.message.as_str()),
                    );
                }
            }
        }
    }

    let mut base = op
        .success()
        .and_then(|r| r.example_data.clone())
        .unwrap_or_else(|| json!({}));
    let stamp = now();
    refresh(&mut base, &stamp);
    let mut item = base.as_object().cloned().unwrap_or_default();
    item.insert("id".into(), json!(new_id()));
    clear_unset(spec, &mut item, &request_schema, &schema, &body);
    overlay(spec, &mut item, &schema, &body);
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();

    let mut response_extra: Option<(String, Value)> = None;
    match op.key.as_str() {
        "contacts.create" => fill_contact(&mut item),
        "templates.create" => {
            if let Some(def) = body.get("definition") {
                item.insert("variables".into(), json!(template_variables(def)));
                if !call.sandbox {
                    store.template_definitions.insert(id.clone(), def.clone());
                }
            }
            if call.sandbox {
                item.insert("status".into(), json!("PENDING"));
            }
        }
        "webhooks.create" => {
            let secret = new_secret();
            item.insert("signing_secret".into(), Value::Null);
            item.insert("is_active".into(), json!(true));
            item.insert("consecutive_failures".into(), json!(0));
            if !call.sandbox {
                store.secrets.insert(id.clone(), secret.clone());
            }
            response_extra = Some(("signing_secret".into(), json!(secret)));
        }
        "users.invite" => {
            item.insert("status".into(), json!("invited"));
            item.insert("last_login_at".into(), Value::Null);
        }
        "profiles.campaigns.create" => {
            if let Some(Value::Array(cases)) = item.get_mut("useCases") {
                for case in cases.iter_mut().filter_map(Value::as_object_mut) {
                    case.insert("id".into(), json!(new_id()));
                    case.insert("campaignId".into(), json!(id));
                    case.insert("createdAt".into(), json!(stamp));
                    case.entry("updatedAt").or_insert(Value::Null);
                    case.entry("customerId")
                        .or_insert(json!("00000000-0000-0000-0000-000000000000"));
                }
            }
        }
        "profiles.create" => {
            item.insert("status".into(), json!("incomplete"));
            item.insert(
                "organization_id".into(),
                json!(call.scope.organization.clone()),
            );
        }
        _ => {}
    }
    let stored = Value::Object(item.clone());
    if !call.sandbox {
        store.insert(&key, stored);
    }
    if let Some((k, v)) = response_extra {
        item.insert(k, v);
    }
    Outcome::Data {
        status: op.success_status(),
        data: Value::Object(item),
    }
}

/// A whole-number query value; numbers beyond `u64` saturate.
fn query_u64(call: &Call<'_>, name: &str) -> Option<u64> {
    let v = call.query.get(name)?;
    v.as_u64().or_else(|| {
        v.as_f64().filter(|f| *f >= 0.0).map(|f| {
            if f >= u64::MAX as f64 {
                u64::MAX
            } else {
                f as u64
            }
        })
    })
}

fn list(spec: &Spec, store: &Store, call: &Call<'_>) -> Outcome {
    let op = call.op;
    let collection = op.template.as_str();
    if !parent_exists(store, call, collection) {
        return not_found(spec, op);
    }
    let schema = data_schema(op);
    let resolved = spec.resolve(&schema);
    let items_member = op.pagination.as_ref().map(|p| p.items.clone()).or_else(|| {
        properties(spec, &schema)
            .iter()
            .find(|(_, s)| declared_type(spec, s) == Some("array"))
            .map(|(k, _)| k.clone())
    });
    let is_array = declared_type(spec, resolved) == Some("array");
    if items_member.is_none() && !is_array {
        return example(op);
    }
    let key = call.key(collection);
    let all = store.items(&key);
    let matched = filter(call, all);
    if op.key == "contacts.list"
        && call.query.contains_key("phone")
        && matched.is_empty()
        && op.documents(404)
    {
        return not_found(spec, op);
    }
    let status = op.success_status();
    if is_array {
        return Outcome::Data {
            status,
            data: Value::Array(matched.into_iter().cloned().collect()),
        };
    }
    let member = items_member.unwrap_or_default();
    let mut data = Map::new();
    match &op.pagination {
        Some(p) => {
            let page = query_u64(call, "page").unwrap_or(1).max(1);
            let size = query_u64(call, "page_size")
                .unwrap_or(p.default_page_size)
                .max(1);
            let total = matched.len() as u64;
            let start = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
            let page_items: Vec<Value> = matched
                .into_iter()
                .skip(start)
                .take(usize::try_from(size).unwrap_or(usize::MAX))
                .cloned()
                .collect();
            data.insert(member, Value::Array(page_items));
            data.insert("pagination".into(), pagination(page, size, total));
        }
        None => {
            data.insert(member, Value::Array(matched.into_iter().cloned().collect()));
        }
    }
    Outcome::Data {
        status,
        data: Value::Object(data),
    }
}

/// The item an action operation (`…/{id}/verb`) acts on.
fn target(spec: &Spec, store: &Store, call: &Call<'_>) -> Result<(String, String, Value), Outcome> {
    let Some((key, id)) = locate(call) else {
        return Err(not_found(spec, call.op));
    };
    match store.get(&key, &id) {
        Some(item) => Ok((key, id, item.clone())),
        None => Err(not_found(spec, call.op)),
    }
}

/// The id of the contact with a phone number in a collection, or `null`.
pub(crate) fn contact_with_phone(store: &Store, contacts: &str, phone: &str) -> Value {
    store
        .items(contacts)
        .iter()
        .find(|c| c.get("phone_number").and_then(Value::as_str) == Some(phone))
        .and_then(|c| c.get("id").cloned())
        .unwrap_or(Value::Null)
}

/// What a message just queued is made of.
#[derive(Debug)]
pub(crate) struct QueuedMessage<'a> {
    pub id: &'a str,
    /// The organization that sent it (the message's `customer_id`).
    pub organization: &'a str,
    pub contact_id: Value,
    pub to: &'a str,
    pub channel: &'a str,
    /// The template's `id`, `name` and `category`.
    pub template: Value,
    pub content: &'a str,
    pub at: &'a str,
}

/// A message as `GET /v3/messages/{id}` answers it, just queued.
pub(crate) fn queued_message(m: &QueuedMessage<'_>) -> Value {
    let (cc, region, national) = phone_parts(m.to);
    json!({
        "id": m.id,
        "customer_id": m.organization,
        "contact_id": m.contact_id,
        "phone": m.to,
        "phone_international": format!("+{cc} {}", grouped(&national)),
        "region_code": region,
        "template_id": m.template.get("id").cloned().unwrap_or(Value::Null),
        "template_name": m.template.get("name").cloned().unwrap_or(Value::Null),
        "template_category": m.template.get("category").cloned().unwrap_or(Value::Null),
        "channel": m.channel,
        "message_body": {"header": null, "content": m.content, "footer": null, "buttons": null},
        "status": "QUEUED",
        "created_at": m.at,
        "price": null,
        "active_contact_price": null,
        "events": [{"status": "QUEUED", "timestamp": m.at, "description": "Message queued for sending"}],
    })
}

fn send_message(_spec: &Spec, store: &mut Store, call: &Call<'_>, opts: Options) -> Outcome {
    let op = call.op;
    let Some(body) = call.body.and_then(Value::as_object) else {
        return error(400, "VALIDATION_004", "Request validation failed");
    };
    let template_ref = body.get("template").and_then(Value::as_object);
    let ref_id = template_ref
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str);
    let ref_name = template_ref
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str);
    let parameters = template_ref
        .and_then(|t| t.get("parameters"))
        .and_then(Value::as_object);
    let templates = store.items(&call.key("/v3/templates"));
    let found = templates.iter().find(|t| match (ref_id, ref_name) {
        (Some(id), _) => t.get("id").and_then(Value::as_str) == Some(id),
        (None, Some(name)) => t.get("name").and_then(Value::as_str) == Some(name),
        (None, None) => false,
    });
    let (template_id, template_name, category) = match found {
        Some(t) => (
            t.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            t.get("name").cloned().unwrap_or(Value::Null),
            t.get("category").cloned().unwrap_or(Value::Null),
        ),
        None if opts.require_known_templates || (ref_id.is_none() && ref_name.is_none()) => {
            let doc = op.error_doc(404);
            return error(
                404,
                doc.map_or("RESOURCE_002", |d| d.code.as_str()),
                doc.map_or("Template not found", |d| d.message.as_str()),
            );
        }
        None => (
            ref_id.map_or_else(new_id, str::to_owned),
            ref_name.map_or(Value::Null, |n| json!(n)),
            Value::Null,
        ),
    };
    let content = store
        .template_definitions
        .get(&template_id)
        .and_then(|d| d.pointer("/body/content"))
        .and_then(Value::as_str)
        .map_or_else(
            || {
                template_name.as_str().map_or_else(
                    || "Message".to_owned(),
                    |n| format!("Message from template {n}"),
                )
            },
            |c| render(c, parameters),
        );
    let channels: Vec<String> = body
        .get("channel")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .filter(|c: &Vec<String>| !c.is_empty())
        .unwrap_or_else(|| vec!["sms".to_owned()]);
    let recipients: Vec<String> = body
        .get("to")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let stamp = now();
    let mut out = Vec::new();
    let mut messages = Vec::new();
    for to in &recipients {
        let contact_id = contact_with_phone(store, &call.key("/v3/contacts"), to);
        for channel in &channels {
            let id = new_id();
            out.push(json!({"message_id": id, "to": to, "channel": channel, "body": content}));
            messages.push(queued_message(&QueuedMessage {
                id: &id,
                organization: &call.scope.organization,
                contact_id: contact_id.clone(),
                to,
                channel,
                template: json!({"id": template_id, "name": template_name, "category": category}),
                content: &content,
                at: &stamp,
            }));
        }
    }
    if !call.sandbox {
        let message_ids = messages
            .iter()
            .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for m in messages {
            store.insert(&call.key("/v3/messages"), m);
        }
        store.sends.push(RecordedSend {
            request_id: call.request_id.to_owned(),
            api_key: call.api_key.to_owned(),
            idempotency_key: call.idempotency_key.map(str::to_owned),
            body: Value::Object(body.clone()),
            message_ids,
            at: SystemTime::now(),
        });
    }
    Outcome::Data {
        status: op.success_status(),
        data: json!({
            "status": "QUEUED",
            "template_id": template_id,
            "template_name": template_name,
            "recipients": out,
        }),
    }
}

fn activities(spec: &Spec, store: &Store, call: &Call<'_>) -> Outcome {
    let Some(id) = call.path_params.first().map(|(_, v)| v.as_str()) else {
        return not_found(spec, call.op);
    };
    let Some(message) = store.get(&call.key("/v3/messages"), id) else {
        return not_found(spec, call.op);
    };
    // Activities recorded for the message (the docs' examples) are answered as they are.
    let recorded = store.items(&call.key(&call.op.template));
    if !recorded.is_empty() {
        return Outcome::Data {
            status: call.op.success_status(),
            data: json!({"message_id": id, "activities": recorded}),
        };
    }
    let price = message
        .get("price")
        .and_then(Value::as_f64)
        .map(|p| format!("{p:.4}"));
    let activities: Vec<Value> = message
        .get("events")
        .and_then(Value::as_array)
        .map(|events| {
            events
                .iter()
                .rev()
                .map(|e| {
                    let mut a = e.clone();
                    if let Some(m) = a.as_object_mut() {
                        m.insert("price".into(), json!(price));
                        m.insert("active_contact_price".into(), Value::Null);
                    }
                    a
                })
                .collect()
        })
        .unwrap_or_default();
    Outcome::Data {
        status: call.op.success_status(),
        data: json!({"message_id": id, "activities": activities}),
    }
}

fn lookup(_spec: &Spec, call: &Call<'_>) -> Outcome {
    let phone = call
        .path_params
        .iter()
        .find(|(n, _)| {
            call.op
                .params
                .iter()
                .any(|p| p.location == Location::Path && &p.name == n)
        })
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let (_, region, _) = phone_parts(&phone);
    let mut data = call
        .op
        .success()
        .and_then(|r| r.example_data.clone())
        .unwrap_or_else(|| json!({}));
    if let Some(m) = data.as_object_mut() {
        m.insert("phone_number".into(), json!(phone));
        m.insert("is_valid".into(), json!(true));
        m.insert("country_code".into(), json!(region));
    }
    Outcome::Data {
        status: call.op.success_status(),
        data,
    }
}

fn complete_profile(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let (key, id, _) = match target(spec, store, call) {
        Ok(t) => t,
        Err(o) => return o,
    };
    if !call.sandbox {
        if let Some(p) = store.get_mut(&key, &id).and_then(Value::as_object_mut) {
            p.insert("status".into(), json!("pending_review"));
            p.insert("updated_at".into(), json!(now()));
        }
    }
    example(call.op)
}

fn rotate_secret(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let (_, id, _) = match target(spec, store, call) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let secret = new_secret();
    if !call.sandbox {
        store.secrets.insert(id, secret.clone());
    }
    Outcome::Data {
        status: call.op.success_status(),
        data: json!({"signing_secret": secret}),
    }
}

fn toggle_webhook(spec: &Spec, store: &mut Store, call: &Call<'_>) -> Outcome {
    let (key, id, current) = match target(spec, store, call) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let mut item = current.as_object().cloned().unwrap_or_default();
    let was = item
        .get("is_active")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let next = call
        .body
        .and_then(|b| b.get("is_active"))
        .and_then(Value::as_bool)
        .unwrap_or(!was);
    item.insert("is_active".into(), json!(next));
    item.insert("updated_at".into(), json!(now()));
    let item = Value::Object(item);
    if !call.sandbox {
        if let Some(slot) = store.get_mut(&key, &id) {
            *slot = item.clone();
        }
    }
    Outcome::Data {
        status: call.op.success_status(),
        data: item,
    }
}

fn test_webhook(spec: &Spec, store: &Store, call: &Call<'_>) -> Outcome {
    let (_, id, webhook) = match target(spec, store, call) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let status = call.op.success_status();
    if call.sandbox {
        return Outcome::Data {
            status,
            data: json!({"success": true, "message": "Sandbox request: no test event was delivered"}),
        };
    }
    let event_type = call
        .body
        .and_then(|b| b.get("event_type"))
        .and_then(Value::as_str)
        .unwrap_or("messages")
        .to_owned();
    let field = if event_type.starts_with("template") {
        "templates"
    } else {
        "messages"
    };
    let payload = if field == "templates" {
        json!({"field": "templates", "payload": {
            "template_id": new_id(), "template_name": "test_template", "status": "APPROVED"
        }})
    } else {
        json!({"field": "messages", "payload": {
            "message_id": new_id(), "message_status": "DELIVERED", "channel": "sms"
        }})
    };
    let secret = store.secrets.get(&id).cloned().unwrap_or_default();
    let url = webhook
        .get("endpoint_url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let timeout = webhook
        .get("timeout_seconds")
        .and_then(Value::as_u64)
        .unwrap_or(30)
        .clamp(1, 120);
    Outcome::Deliver(Box::new(Delivery {
        webhook_id: id,
        url,
        secret,
        field: field.to_owned(),
        event_type,
        body: payload.to_string(),
        timeout: Duration::from_secs(timeout),
    }))
}

/// Records a delivery attempt on the webhook and in its event log, and answers the test call.
pub(crate) fn delivered(
    store: &mut Store,
    call: &Call<'_>,
    delivery: &Delivery,
    started: SystemTime,
    result: Result<(u16, String), String>,
) -> Outcome {
    let finished = now();
    let started_at = crate::envelope::timestamp(started);
    let success = matches!(&result, Ok((s, _)) if (200..300).contains(s));
    let (code, response_body, err) = match &result {
        Ok((s, b)) => (
            json!(s),
            json!(b.chars().take(1000).collect::<String>()),
            Value::Null,
        ),
        Err(e) => (Value::Null, Value::Null, json!(e)),
    };
    let event = json!({
        "id": new_id(),
        "event_type": delivery.event_type,
        "event_data": serde_json::from_str::<Value>(&delivery.body).unwrap_or(Value::Null),
        "delivery_status": if success { "delivered" } else { "failed" },
        "http_status_code": code,
        "response_body": response_body,
        "delivery_attempts": 1,
        "error_message": if success { Value::Null } else if err.is_null() {
            json!(format!("Endpoint answered {}", code))
        } else { err.clone() },
        "created_at": started_at,
        "processing_started_at": started_at,
        "processing_completed_at": finished,
    });
    let events_template = format!("{}/events", item_template(&call.op.template));
    store.insert(&call.key(&events_template), event);
    if let Some(w) = store
        .get_mut(&call.key("/v3/webhooks"), &delivery.webhook_id)
        .and_then(Value::as_object_mut)
    {
        w.insert("last_delivery_attempt_at".into(), json!(finished));
        if success {
            w.insert("last_successful_delivery_at".into(), json!(finished));
            w.insert("consecutive_failures".into(), json!(0));
        } else {
            let n = w
                .get("consecutive_failures")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            w.insert("consecutive_failures".into(), json!(n + 1));
        }
    }
    let message = match &result {
        Ok((s, _)) if success => format!("Test event delivered successfully (HTTP {s})"),
        Ok((s, _)) => format!("Test event delivery failed: the endpoint answered HTTP {s}"),
        Err(e) => format!("Test event delivery failed: {e}"),
    };
    Outcome::Data {
        status: call.op.success_status(),
        data: json!({"success": success, "message": message}),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::spec::{Segment, spec};

    fn literal_count(op: &Operation) -> usize {
        op.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    #[test]
    fn templates() {
        assert_eq!(item_template("/v3/webhooks/{id}/test"), "/v3/webhooks/{id}");
        assert_eq!(
            item_template("/v3/profiles/{profileId}/campaigns"),
            "/v3/profiles/{profileId}"
        );
        assert_eq!(item_template("/v3/contacts"), "/v3/contacts");
        assert_eq!(parent_template("/v3/webhooks/{id}"), "/v3/webhooks");
        assert_eq!(last_param("/v3/webhooks/{id}"), Some("id"));
        let op = spec().operation("GET", "/v3/webhooks/event-types").unwrap();
        assert_eq!(literal_count(op), 3);
    }

    #[test]
    fn variables_and_rendering() {
        let def = json!({"body": {"content": "Hi {{name}}, order {{ order }}", "variables": [{"name": "name", "type": "text"}, {"name": "extra", "type": "text"}]}});
        assert_eq!(template_variables(&def), vec!["name", "order", "extra"]);
        let params = json!({"name": "Ann"});
        assert_eq!(render("Hi {{name}}", params.as_object()), "Hi Ann");
    }

    #[test]
    fn secrets_decode_to_32_bytes() {
        let s = new_secret();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(s.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(raw.len(), 32);
    }

    #[test]
    fn pages() {
        assert_eq!(pagination(3, 2, 5)["has_more"], json!(false));
        assert_eq!(pagination(2, 2, 5)["total_pages"], json!(3));
        assert_eq!(pagination(1, 20, 0)["total_pages"], json!(0));
    }
}
