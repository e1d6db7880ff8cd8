//! The Sendivent API on the engine: keys per environment, rate limits, validation, idempotent
//! sends, and the operations.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use sentdm_mock_engine::idempotency::{Begin, IdempotencyCache};
use sentdm_mock_engine::pipeline::{Api, Request};
use sentdm_mock_engine::reply::{new_id, random_id, timestamp_z};
use sentdm_mock_engine::schema::{is_email, is_uuid};
use sentdm_mock_engine::spec::{Operation, RouteMatch, Spec};
use sentdm_mock_engine::validate::{Validated, validate};
use sentdm_mock_engine::{FaultRegistry, Reply, RequestLog, lock};
use serde_json::{Map, Value, json};

use crate::state::{
    Environment, Limits, RecordedSend, Store, StoredDelivery, StoredWebhook, Usage,
};

/// The spec as shipped with the crate (kept identical to `spec/sendivent/openapi.json`).
pub(crate) const SPEC_JSON: &str = include_str!("../openapi.json");

/// The spec shipped with the crate, parsed once.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_JSON))
}

/// The spec's server of an environment (`x-environment`).
fn server_of(spec: &Spec, environment: Environment) -> Option<&Value> {
    spec.root
        .get("servers")?
        .as_array()?
        .iter()
        .find(|s| s.get("x-environment").and_then(Value::as_str) == Some(environment.name()))
}

/// The key prefix of an environment (`x-key-prefix`: `live_`, `test_`).
pub(crate) fn key_prefix(environment: Environment) -> String {
    server_of(spec(), environment)
        .and_then(|s| s.get("x-key-prefix"))
        .and_then(Value::as_str)
        .unwrap_or(match environment {
            Environment::Production => "live_",
            Environment::Sandbox => "test_",
        })
        .to_owned()
}

/// The documented limits of an environment (`x-rate-limit`).
pub(crate) fn documented_limits(environment: Environment) -> Limits {
    let limit = server_of(spec(), environment).and_then(|s| s.get("x-rate-limit"));
    let read = |member: &str| {
        limit
            .and_then(|l| l.get(member))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(u32::MAX)
    };
    Limits {
        per_second: read("requests_per_second"),
        daily: read("daily_quota"),
    }
}

/// The members of a contact that identify it, in the order an upsert matches them: the
/// identifier columns of the docs' channel table, and `externalId`.
const IDENTIFIERS: [&str; 6] = [
    "email",
    "phone",
    "externalId",
    "slack",
    "telegram",
    "discord",
];

/// The contact member each channel delivers to (the docs' "Channels & Identifiers" table).
fn channel_field(channel: &str) -> &'static str {
    match channel {
        "email" => "email",
        "sms" | "whatsapp" => "phone",
        "slack" => "slack",
        "push" => "push_tokens",
        "telegram" => "telegram",
        _ => "discord",
    }
}

/// The mock's settings besides state.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub environment: Environment,
    pub limits: Option<Limits>,
    pub sms_addon: bool,
    pub contact_quota: Option<usize>,
    pub require_known_events: bool,
}

/// Everything a server's requests share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub spec: &'static Spec,
    pub keys: Mutex<Vec<String>>,
    pub settings: Settings,
    pub store: Mutex<Store>,
    /// What the store holds at the start, and again after a reset.
    pub initial: Store,
    pub usage: Mutex<Usage>,
    pub idempotency: IdempotencyCache,
    pub faults: FaultRegistry,
    pub requests: RequestLog,
}

/// An error response: `{error, code}`.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": message, "code": code }))
}

fn ok(status: u16, body: Value) -> Reply {
    Reply::json(status, &body)
}

fn not_found(message: &str) -> Reply {
    error(404, "NOT_FOUND", message)
}

fn invalid(message: &str) -> Reply {
    error(400, "VALIDATION_ERROR", message)
}

/// Whether a string is a phone number in E.164.
fn is_e164(s: &str) -> bool {
    s.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// A member name in camelCase (`favorite_color`, `Favorite Color` → `favoriteColor`), as the
/// API stores unknown contact members in `meta`.
pub(crate) fn camel_case(name: &str) -> String {
    let mut out = String::new();
    let words = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    for (i, word) in words.enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

fn text<'a>(value: &'a Value, member: &str) -> Option<&'a str> {
    value.get(member).and_then(Value::as_str)
}

impl Api for Shared {
    type Extra = ();

    fn spec(&self) -> &Spec {
        self.spec
    }

    fn faults(&self) -> &FaultRegistry {
        &self.faults
    }

    fn log(&self) -> &RequestLog {
        &self.requests
    }

    fn error_reply(&self, status: u16, _request: &Request) -> Reply {
        let code = self
            .spec
            .code_for_status(status)
            .unwrap_or(if status >= 500 {
                "SERVER_ERROR"
            } else {
                "VALIDATION_ERROR"
            });
        let message = self.spec.error_message(code).unwrap_or("Error");
        error(status, code, message)
    }

    async fn process(&self, request: &Request, slow: Option<Duration>) -> (Reply, Option<()>) {
        (self.answer(request, slow).await, None)
    }

    fn finish(&self, reply: Reply, _extra: Option<()>, _request: &Request) -> Reply {
        reply
    }
}

impl Shared {
    async fn answer(&self, request: &Request, slow: Option<Duration>) -> Reply {
        let (op, params) = match self.spec.route(&request.method, &request.path) {
            RouteMatch::Found(op, params) => (op, params),
            RouteMatch::NotFound => return not_found("No endpoint at this path"),
            RouteMatch::MethodNotAllowed(allowed) => {
                return error(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "The path does not take this method",
                )
                .with_header("Allow", allowed.join(", "));
            }
        };
        let key = match self.authenticate(request) {
            Ok(key) => key,
            Err(reply) => return reply,
        };
        if let Some(limits) = self.settings.limits {
            if !lock(&self.usage).request(limits) {
                return error(
                    429,
                    "RATE_LIMITED",
                    &format!(
                        "Too many requests: the {} environment allows {} a second",
                        self.settings.environment.name(),
                        limits.per_second
                    ),
                );
            }
        }
        let validated = match validate(
            self.spec,
            op,
            &params,
            &request.headers,
            request.query.as_deref(),
            &request.body,
        ) {
            Ok(v) => v,
            Err(failures) => {
                let messages: Vec<String> = failures.into_iter().map(|f| f.error.message).collect();
                return invalid(&messages.join("; "));
            }
        };
        let param = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v.as_str())
        };
        let call = Call {
            op,
            validated: &validated,
            key: &key,
            request,
        };
        match op.key.as_str() {
            "notifications.send" | "notifications.send_to_channel" => {
                let channel = (op.key == "notifications.send_to_channel").then(|| param("channel"));
                self.send_idempotently(&call, param("event"), channel, slow)
                    .await
            }
            other => {
                if let Some(d) = slow {
                    tokio::time::sleep(d).await;
                }
                let mut store = lock(&self.store);
                match other {
                    "contacts.list" => list_contacts(&store, &call),
                    "contacts.upsert" => self.upsert(&mut store, &call),
                    "contacts.get" => get_contact(&store, param("identifier")),
                    "contacts.update" => update_contact(&mut store, &call, param("identifier")),
                    "contacts.delete" => delete_contact(&mut store, param("identifier")),
                    "contacts.push_tokens.add" => {
                        push_token(&mut store, &call, param("identifier"), true)
                    }
                    "contacts.push_tokens.remove" => {
                        push_token(&mut store, &call, param("identifier"), false)
                    }
                    "events.list" => ok(
                        200,
                        json!({"success": true, "data": {"events": store.events}}),
                    ),
                    "events.get" => get_event(&store, param("identifier")),
                    "integrations.list" => list_integrations(&store, &call),
                    "deliveries.list" => list_deliveries(&store, &call),
                    "deliveries.trace" => trace(&store, param("uuid")),
                    "webhooks.get" => get_webhook(&store),
                    "webhooks.create" => create_webhook(&mut store, &call),
                    "webhooks.update" => update_webhook(&mut store, &call, param("uuid")),
                    "webhooks.delete" => delete_webhook(&mut store, param("uuid")),
                    _ => not_found("No endpoint at this path"),
                }
            }
        }
    }

    /// A bearer key this mock accepts. The docs: keys starting with `live_` belong to production,
    /// `test_` to the sandbox; `UNAUTHORIZED` is "Invalid or missing API key". They do not say
    /// what a key of the other environment gets; the mock refuses it with `401 UNAUTHORIZED`
    /// and says which environment it is.
    fn authenticate(&self, request: &Request) -> Result<String, Reply> {
        let unauthorized = |message: &str| error(401, "UNAUTHORIZED", message);
        let Some(key) = request.bearer_token().filter(|k| !k.is_empty()) else {
            return Err(unauthorized(
                "Missing API key: send Authorization: Bearer <key>",
            ));
        };
        let environment = self.settings.environment;
        let prefix = key_prefix(environment);
        let other = environment.other();
        let other_prefix = key_prefix(other);
        if key.starts_with(&other_prefix) {
            return Err(unauthorized(&format!(
                "This is a {} key ({other_prefix}…); the {} API takes {prefix} keys",
                other.name(),
                environment.name()
            )));
        }
        if !key.starts_with(&prefix) {
            return Err(unauthorized(&format!(
                "Invalid API key: {} keys start with {prefix}",
                environment.name()
            )));
        }
        if !lock(&self.keys).contains(&key) {
            return Err(unauthorized("Invalid API key"));
        }
        Ok(key)
    }

    /// A send under its `X-Idempotency-Key`: a repeat gets the first answer again and sends
    /// nothing; a repeat while the first is being handled gets `409 CONFLICT`. Keys are kept per
    /// API key and endpoint path for the life of the mock; failures are not kept.
    async fn send_idempotently(
        &self,
        call: &Call<'_>,
        event: &str,
        channel: Option<&str>,
        slow: Option<Duration>,
    ) -> Reply {
        let mut pending = None;
        if let Some(key) = call.validated.idempotency_key.clone() {
            let scope = format!("{} {}", call.key, call.request.path);
            match self.idempotency.begin(scope, key) {
                Begin::Replay { reply, .. } => return reply,
                Begin::InFlight => {
                    return error(
                        409,
                        "CONFLICT",
                        "A request with this X-Idempotency-Key is still being handled",
                    );
                }
                Begin::New(p) => pending = Some(p),
            }
        }
        if let Some(d) = slow {
            tokio::time::sleep(d).await;
        }
        let reply = self.send(call, event, channel);
        if let Some(pending) = pending {
            pending.complete(&reply, &call.request.request_id);
        }
        reply
    }

    fn send(&self, call: &Call<'_>, event: &str, forced: Option<&str>) -> Reply {
        let body = call.validated.body.clone().unwrap_or(Value::Null);
        if let Some(limits) = self.settings.limits {
            if !lock(&self.usage).send_allowed(limits) {
                return error(
                    429,
                    "RATE_LIMITED",
                    &format!(
                        "Daily quota reached: the {} environment allows {} sends a day",
                        self.settings.environment.name(),
                        limits.daily
                    ),
                );
            }
        }
        let mut store = lock(&self.store);
        let channels: Vec<String> = match (store.event(event), forced) {
            (_, Some(channel))
                if store.event(event).is_some() || !self.settings.require_known_events =>
            {
                vec![channel.to_owned()]
            }
            (Some(e), None) => e
                .get("channels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            (None, None) if !self.settings.require_known_events => store
                .integrations
                .iter()
                .filter(|i| text(i, "status") == Some("active"))
                .filter_map(|i| text(i, "channel"))
                .map(str::to_owned)
                .collect(),
            _ => {
                return error(
                    404,
                    "EVENT_NOT_FOUND",
                    &format!("Event '{event}' not found"),
                );
            }
        };
        if let Some(from) = text(&body, "from") {
            if !store.verified_senders.iter().any(|s| s == from) {
                return error(
                    400,
                    "UNVERIFIED_SENDER",
                    &format!("Sender '{from}' is not verified"),
                );
            }
        }
        let recipients = match body.get("to") {
            Some(Value::Array(items)) => items.clone(),
            Some(one) => vec![one.clone()],
            None => Vec::new(),
        };
        // Check every recipient before changing anything.
        for (i, r) in recipients.iter().enumerate() {
            let at = if body.get("to").is_some_and(Value::is_array) {
                format!("to[{i}]")
            } else {
                "to".to_owned()
            };
            if let Err(reply) = check_recipient(&store, r, &at) {
                return reply;
            }
        }
        let mut contacts = Vec::new();
        for r in &recipients {
            let uuid = match r {
                Value::String(identifier) => match find_contact(&store, identifier) {
                    Some(i) => text(&store.contacts[i], "uuid")
                        .unwrap_or_default()
                        .to_owned(),
                    None => {
                        let mut fields = Map::new();
                        let member = if is_email(identifier) {
                            "email"
                        } else {
                            "phone"
                        };
                        fields.insert(member.to_owned(), json!(identifier));
                        match self.upsert_fields(&mut store, &Value::Object(fields)) {
                            Ok((uuid, _)) => uuid,
                            Err(reply) => return reply,
                        }
                    }
                },
                fields => match self.upsert_fields(&mut store, fields) {
                    Ok((uuid, _)) => uuid,
                    Err(reply) => return reply,
                },
            };
            contacts.push(uuid);
        }
        let now = SystemTime::now();
        let mut deliveries = Vec::new();
        let mut errors = Vec::new();
        for uuid in &contacts {
            let Some(contact) = store
                .contacts
                .iter()
                .find(|c| text(c, "uuid") == Some(uuid))
                .cloned()
            else {
                continue;
            };
            for channel in &channels {
                let field = channel_field(channel);
                let reachable = match contact.get(field) {
                    Some(Value::Array(tokens)) => !tokens.is_empty(),
                    Some(Value::String(s)) => !s.is_empty(),
                    _ => false,
                };
                let failure =
                    if matches!(channel.as_str(), "sms" | "whatsapp") && !self.settings.sms_addon {
                        Some(("ADDON_NOT_ENABLED", format!("{channel} is not on the plan")))
                    } else if !store.integrated(channel) {
                        Some((
                            "INTEGRATION_MISSING",
                            format!("No {channel} integration configured"),
                        ))
                    } else if !reachable {
                        Some((
                            "MISSING_IDENTIFIER",
                            format!("Contact {uuid} has no {field} for {channel}"),
                        ))
                    } else {
                        None
                    };
                if let Some((code, message)) = failure {
                    errors.push(json!({"code": code, "message": message}));
                    continue;
                }
                let id = new_id();
                let provider = store
                    .integrations
                    .iter()
                    .find(|i| text(i, "channel") == Some(channel))
                    .and_then(|i| text(i, "provider"))
                    .unwrap_or("provider")
                    .to_owned();
                let sent_at = timestamp_z(now);
                store.deliveries.push(StoredDelivery {
                    delivery: json!({
                        "uuid": id,
                        "channel": channel,
                        "status": "sent",
                        "event_name": event,
                        "message_id": format!("{provider}-{}", random_id("", 16).to_ascii_lowercase()),
                        "sent_at": sent_at,
                        "delivered_at": null,
                        "error": null,
                    }),
                    contact: uuid.clone(),
                    content: json!({
                        "to": contact.get(field),
                        "payload": body.get("payload"),
                        "language": body.get("language"),
                        "from": body.get("from"),
                        "overrides": body.get("overrides").and_then(|o| o.get(channel)),
                    }),
                    timeline: vec![
                        json!({"status": "pending", "at": sent_at}),
                        json!({"status": "sent", "at": sent_at}),
                    ],
                });
                deliveries.push((channel.clone(), id));
            }
        }
        if self.settings.limits.is_some() {
            lock(&self.usage).sent();
        }
        store.sends.push(RecordedSend {
            event: event.to_owned(),
            channel: forced.map(str::to_owned),
            api_key: call.key.to_owned(),
            idempotency_key: call.validated.idempotency_key.clone(),
            body: body.clone(),
            deliveries: deliveries.clone(),
            at: now,
        });
        let listed: Vec<Value> = deliveries
            .iter()
            .map(|(channel, id)| json!({ channel.as_str(): id }))
            .collect();
        let mut answer = json!({"success": !listed.is_empty(), "deliveries": listed});
        if !errors.is_empty() {
            answer["errors"] = Value::Array(errors);
        }
        ok(200, answer)
    }

    /// `POST /v1/contacts`: creates (201) or updates the contact with one of the identifiers
    /// given (200).
    fn upsert(&self, store: &mut Store, call: &Call<'_>) -> Reply {
        let body = call.validated.body.clone().unwrap_or(Value::Null);
        if let Err(reply) = check_fields(&body, "") {
            return reply;
        }
        match self.upsert_fields(store, &body) {
            Ok((uuid, created)) => {
                let contact = store
                    .contacts
                    .iter()
                    .find(|c| text(c, "uuid") == Some(uuid.as_str()))
                    .cloned()
                    .unwrap_or(Value::Null);
                ok(
                    if created { 201 } else { 200 },
                    json!({"success": true, "data": contact}),
                )
            }
            Err(reply) => reply,
        }
    }

    /// Creates or updates the contact the fields identify: its UUID, and whether it was new.
    fn upsert_fields(&self, store: &mut Store, fields: &Value) -> Result<(String, bool), Reply> {
        let matches: Vec<usize> = IDENTIFIERS
            .iter()
            .filter_map(|member| {
                let value = text(fields, member)?;
                store
                    .contacts
                    .iter()
                    .position(|c| text(c, member) == Some(value))
            })
            .collect();
        if matches.windows(2).any(|w| w[0] != w[1]) {
            return Err(error(
                409,
                "CONFLICT",
                "The identifiers given belong to different contacts",
            ));
        }
        if let Some(&i) = matches.first() {
            merge(&mut store.contacts[i], fields);
            return Ok((
                text(&store.contacts[i], "uuid")
                    .unwrap_or_default()
                    .to_owned(),
                false,
            ));
        }
        if !IDENTIFIERS.iter().any(|m| text(fields, m).is_some()) {
            return Err(invalid(&format!(
                "A contact needs at least one identifier: {}",
                IDENTIFIERS.join(", ")
            )));
        }
        if let Some(quota) = self.settings.contact_quota {
            if store.contacts.len() >= quota {
                let message = format!("Contact quota reached: the plan allows {quota} contacts");
                return Err(error(402, "QUOTA_EXCEEDED", &message));
            }
        }
        let uuid = new_id();
        let mut contact = json!({"uuid": uuid, "meta": {}});
        merge(&mut contact, fields);
        store.contacts.push(contact);
        Ok((uuid, true))
    }
}

/// What a handler needs of the request.
pub(crate) struct Call<'a> {
    pub op: &'a Operation,
    pub validated: &'a Validated,
    pub key: &'a str,
    pub request: &'a Request,
}

impl Call<'_> {
    fn body(&self) -> Value {
        self.validated.body.clone().unwrap_or(Value::Null)
    }

    fn query_u64(&self, name: &str) -> Option<u64> {
        self.validated.query.get(name).and_then(Value::as_u64)
    }

    fn query_str(&self, name: &str) -> Option<&str> {
        self.validated.query.get(name).and_then(Value::as_str)
    }

    /// `limit` and `offset`, with the parameters' defaults.
    fn page(&self) -> (usize, usize) {
        let default = self
            .op
            .pagination
            .as_ref()
            .map_or(20, |p| p.default_page_size);
        let limit = self.query_u64("limit").unwrap_or(default);
        let offset = self.query_u64("offset").unwrap_or(0);
        (
            usize::try_from(limit).unwrap_or(usize::MAX),
            usize::try_from(offset).unwrap_or(usize::MAX),
        )
    }
}

/// Writes contact fields into a contact: the documented members as they are, others into `meta`
/// under their camelCase names. A `push_tokens` member is not written (push tokens have their
/// own endpoints).
fn merge(contact: &mut Value, fields: &Value) {
    let known = known_members();
    let Some(fields) = fields.as_object() else {
        return;
    };
    for (name, value) in fields {
        if known.iter().any(|k| k == name) {
            contact[name.as_str()] = value.clone();
        } else if name != "push_tokens" && name != "uuid" && name != "meta" {
            if !contact.get("meta").is_some_and(Value::is_object) {
                contact["meta"] = json!({});
            }
            contact["meta"][camel_case(name)] = value.clone();
        }
    }
}

/// The members `ContactFields` documents.
fn known_members() -> &'static [String] {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        spec()
            .root
            .pointer("/components/schemas/ContactFields/properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    })
}

/// The formats of a contact's email and phone: `INVALID_EMAIL`, `INVALID_PHONE`.
fn check_fields(fields: &Value, at: &str) -> Result<(), Reply> {
    let prefix = if at.is_empty() {
        String::new()
    } else {
        format!("{at}.")
    };
    if let Some(email) = text(fields, "email") {
        if !is_email(email) {
            return Err(error(
                400,
                "INVALID_EMAIL",
                &format!("'{prefix}email' is not a valid email address: '{email}'"),
            ));
        }
    }
    if let Some(phone) = text(fields, "phone") {
        if !is_e164(phone) {
            return Err(error(
                400,
                "INVALID_PHONE",
                &format!("'{prefix}phone' is not in E.164 (+1234567890): '{phone}'"),
            ));
        }
    }
    Ok(())
}

/// A recipient of a send: an identifier of a kind the docs list, or contact fields.
fn check_recipient(store: &Store, recipient: &Value, at: &str) -> Result<(), Reply> {
    match recipient {
        Value::String(identifier) => {
            if identifier.contains('@') && !is_email(identifier) {
                return Err(error(
                    400,
                    "INVALID_EMAIL",
                    &format!("'{at}' is not a valid email address: '{identifier}'"),
                ));
            }
            if identifier.starts_with('+') && !is_e164(identifier) {
                return Err(error(
                    400,
                    "INVALID_PHONE",
                    &format!("'{at}' is not in E.164 (+1234567890): '{identifier}'"),
                ));
            }
            let new_contact = is_email(identifier) || is_e164(identifier);
            if !new_contact && find_contact(store, identifier).is_none() {
                let kind = if is_uuid(identifier) {
                    "UUID"
                } else {
                    "external id"
                };
                return Err(not_found(&format!(
                    "'{at}': no contact with {kind} '{identifier}'"
                )));
            }
            Ok(())
        }
        fields => {
            check_fields(fields, at)?;
            if !IDENTIFIERS.iter().any(|m| text(fields, m).is_some()) {
                return Err(invalid(&format!(
                    "'{at}' needs at least one identifier: {}",
                    IDENTIFIERS.join(", ")
                )));
            }
            Ok(())
        }
    }
}

/// The contact an identifier names: a UUID, an email, a phone number, an external id or a Slack
/// user id.
fn find_contact(store: &Store, identifier: &str) -> Option<usize> {
    let by = |member: &str| {
        store
            .contacts
            .iter()
            .position(|c| text(c, member) == Some(identifier))
    };
    if is_uuid(identifier) {
        return by("uuid");
    }
    if identifier.contains('@') {
        return by("email");
    }
    if is_e164(identifier) {
        return by("phone");
    }
    by("externalId").or_else(|| by("slack"))
}

fn contact_not_found(identifier: &str) -> Reply {
    not_found(&format!("No contact with identifier '{identifier}'"))
}

fn list_contacts(store: &Store, call: &Call<'_>) -> Reply {
    let (limit, offset) = call.page();
    let search = call.query_str("search").map(str::to_lowercase);
    let matching: Vec<&Value> = store
        .contacts
        .iter()
        .filter(|c| {
            search.as_deref().is_none_or(|s| {
                ["email", "name", "phone"]
                    .iter()
                    .any(|m| text(c, m).is_some_and(|v| v.to_lowercase().contains(s)))
            })
        })
        .collect();
    let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
    ok(
        200,
        json!({"success": true, "data": {
            "contacts": page, "total": matching.len(), "limit": limit, "offset": offset,
        }}),
    )
}

fn get_contact(store: &Store, identifier: &str) -> Reply {
    match find_contact(store, identifier) {
        Some(i) => ok(200, json!({"success": true, "data": store.contacts[i]})),
        None => contact_not_found(identifier),
    }
}

fn update_contact(store: &mut Store, call: &Call<'_>, identifier: &str) -> Reply {
    let Some(i) = find_contact(store, identifier) else {
        return contact_not_found(identifier);
    };
    let body = call.body();
    if let Err(reply) = check_fields(&body, "") {
        return reply;
    }
    for member in IDENTIFIERS {
        if let Some(value) = text(&body, member) {
            let taken = store
                .contacts
                .iter()
                .enumerate()
                .any(|(j, c)| j != i && text(c, member) == Some(value));
            if taken {
                return error(
                    409,
                    "CONFLICT",
                    &format!("Another contact has {member} '{value}'"),
                );
            }
        }
    }
    merge(&mut store.contacts[i], &body);
    ok(200, json!({"success": true, "data": store.contacts[i]}))
}

fn delete_contact(store: &mut Store, identifier: &str) -> Reply {
    let Some(i) = find_contact(store, identifier) else {
        return contact_not_found(identifier);
    };
    store.contacts.remove(i);
    ok(200, json!({"success": true, "deleted": true}))
}

fn push_token(store: &mut Store, call: &Call<'_>, identifier: &str, add: bool) -> Reply {
    let Some(i) = find_contact(store, identifier) else {
        return contact_not_found(identifier);
    };
    let body = call.body();
    let token = text(&body, "token").unwrap_or_default().to_owned();
    let contact = &mut store.contacts[i];
    let mut tokens: Vec<Value> = contact
        .get("push_tokens")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let held = tokens.iter().any(|t| t.as_str() == Some(token.as_str()));
    if add && !held {
        tokens.push(json!(token));
    } else if !add {
        if !held {
            return not_found(&format!("The contact has no push token '{token}'"));
        }
        tokens.retain(|t| t.as_str() != Some(token.as_str()));
    }
    if tokens.is_empty() {
        if let Some(map) = contact.as_object_mut() {
            map.remove("push_tokens");
        }
    } else {
        contact["push_tokens"] = Value::Array(tokens);
    }
    ok(200, json!({"success": true}))
}

fn get_event(store: &Store, identifier: &str) -> Reply {
    match store.event(identifier) {
        Some(event) => ok(200, json!({"success": true, "data": event})),
        None => error(
            404,
            "EVENT_NOT_FOUND",
            &format!("Event '{identifier}' not found"),
        ),
    }
}

fn list_integrations(store: &Store, call: &Call<'_>) -> Reply {
    let channel = call.query_str("channel");
    let integrations: Vec<&Value> = store
        .integrations
        .iter()
        .filter(|i| channel.is_none_or(|c| text(i, "channel") == Some(c)))
        .collect();
    ok(
        200,
        json!({"success": true, "data": {"integrations": integrations}}),
    )
}

fn list_deliveries(store: &Store, call: &Call<'_>) -> Reply {
    let (limit, offset) = call.page();
    let filters: Vec<(&str, &str)> = [
        ("event", "event_name"),
        ("channel", "channel"),
        ("status", "status"),
    ]
    .into_iter()
    .filter_map(|(param, member)| Some((member, call.query_str(param)?)))
    .collect();
    let matching: Vec<&Value> = store
        .deliveries
        .iter()
        .rev()
        .map(|d| &d.delivery)
        .filter(|d| {
            filters
                .iter()
                .all(|(member, want)| text(d, member) == Some(*want))
        })
        .collect();
    let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
    ok(
        200,
        json!({"success": true, "data": {
            "deliveries": page, "total": matching.len(), "limit": limit, "offset": offset,
        }}),
    )
}

fn trace(store: &Store, uuid: &str) -> Reply {
    let Some(d) = store
        .deliveries
        .iter()
        .find(|d| text(&d.delivery, "uuid") == Some(uuid))
    else {
        return not_found(&format!("No delivery '{uuid}'"));
    };
    ok(
        200,
        json!({"success": true, "data": {
            "delivery": d.delivery,
            "contact": d.contact,
            "timeline": d.timeline,
            "content": d.content,
        }}),
    )
}

/// `url` must be an absolute http(s) URL (the spec types it as a string only).
fn check_url(body: &Value) -> Result<(), Reply> {
    if let Some(url) = text(body, "url") {
        let ok = ["http://", "https://"].iter().any(|s| {
            url.strip_prefix(s)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains(' '))
        });
        if !ok {
            return Err(invalid(&format!(
                "'url' must be an absolute http or https URL, not '{url}'"
            )));
        }
    }
    Ok(())
}

fn no_webhook() -> Reply {
    not_found("No webhook endpoint is configured")
}

fn get_webhook(store: &Store) -> Reply {
    match &store.webhook {
        Some(w) => ok(200, json!({"success": true, "webhook": w.webhook})),
        None => no_webhook(),
    }
}

fn create_webhook(store: &mut Store, call: &Call<'_>) -> Reply {
    if let Some(w) = &store.webhook {
        let uuid = text(&w.webhook, "uuid").unwrap_or_default();
        return error(
            409,
            "CONFLICT",
            &format!("The application already has a webhook endpoint ({uuid})"),
        );
    }
    let body = call.body();
    if let Err(reply) = check_url(&body) {
        return reply;
    }
    let events = body.get("enabled_events").cloned().unwrap_or_else(|| {
        spec()
            .root
            .pointer("/components/schemas/WebhookEventType/enum")
            .cloned()
            .unwrap_or(json!([]))
    });
    let secret = random_id("whsec_", 32);
    let mut webhook = json!({
        "uuid": new_id(),
        "url": body.get("url"),
        "enabled_events": events,
        "is_active": true,
        "created_at": timestamp_z(SystemTime::now()),
    });
    if let Some(d) = body.get("description") {
        webhook["description"] = d.clone();
    }
    let mut shown = webhook.clone();
    shown["signing_secret"] = json!(secret);
    store.webhook = Some(StoredWebhook { webhook, secret });
    ok(201, json!({"success": true, "webhook": shown}))
}

fn update_webhook(store: &mut Store, call: &Call<'_>, uuid: &str) -> Reply {
    let body = call.body();
    let Some(w) = store
        .webhook
        .as_mut()
        .filter(|w| text(&w.webhook, "uuid") == Some(uuid))
    else {
        return no_webhook();
    };
    if let Err(reply) = check_url(&body) {
        return reply;
    }
    if let Some(fields) = body.as_object() {
        for (name, value) in fields {
            w.webhook[name.as_str()] = value.clone();
        }
    }
    ok(200, json!({"success": true}))
}

fn delete_webhook(store: &mut Store, uuid: &str) -> Reply {
    if store
        .webhook
        .as_ref()
        .is_none_or(|w| text(&w.webhook, "uuid") != Some(uuid))
    {
        return no_webhook();
    }
    store.webhook = None;
    ok(200, json!({"success": true}))
}

/// The docs' examples as state: the events and integrations of the list examples, and the send
/// example's sender as verified.
pub(crate) fn seeded_store(spec: &Spec) -> Store {
    let mut store = Store::default();
    let example = |method: &str, template: &str| {
        spec.operation(method, template)?
            .responses
            .get(&200)?
            .example
            .clone()
    };
    if let Some(events) = example("GET", "/v1/events")
        .and_then(|e| e.pointer("/data/events").and_then(Value::as_array).cloned())
    {
        store.events = events;
    }
    if let Some(integrations) = example("GET", "/v1/integrations").and_then(|e| {
        e.pointer("/data/integrations")
            .and_then(Value::as_array)
            .cloned()
    }) {
        store.integrations = integrations;
    }
    let from = spec
        .operation("POST", "/v1/send/{event}")
        .and_then(|op| op.request_body.as_ref())
        .and_then(|b| b.examples.first())
        .and_then(|(_, e)| text(e, "from").map(str::to_owned));
    store.verified_senders.extend(from);
    store
}
