//! API keys, the accounts they belong to, and the scope a request acts in (`x-profile-id`).
//!
//! The docs: "Only organization API keys can use this header. The profile must belong to the
//! calling organization." A key belongs either to an organization or to one of its profiles; an
//! organization key may scope a request to one of the organization's profiles with the header.

use serde_json::{Value, json};

use crate::schema::is_uuid;
use crate::spec::{Operation, Spec};
use crate::state::{Scope, Store};

/// What an API key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// An organization key.
    Organization(String),
    /// A profile key: the profile and the organization it belongs to.
    Profile {
        organization: String,
        profile: String,
    },
}

impl Principal {
    /// The scope of a request made with the key and no `x-profile-id`.
    pub fn own_scope(&self) -> Scope {
        match self {
            Principal::Organization(organization) => Scope::organization(organization),
            Principal::Profile {
                organization,
                profile,
            } => Scope {
                organization: organization.clone(),
                profile: Some(profile.clone()),
            },
        }
    }

    /// The account whose rate-limit pool the key draws on: all keys of an organization share
    /// one, a profile key draws on the profile's.
    pub fn account(&self) -> String {
        match self {
            Principal::Organization(organization) => organization.clone(),
            Principal::Profile {
                organization,
                profile,
            } => format!("{organization}/{profile}"),
        }
    }
}

/// An accepted API key.
#[derive(Debug, Clone)]
pub(crate) struct ApiKey {
    pub key: String,
    pub principal: Principal,
}

/// Why a request's `x-profile-id` was refused.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// What is wrong with the header, for `error.details`.
    pub detail: &'static str,
}

impl Refusal {
    /// `error.details` of the refusal: the header and what is wrong with it.
    pub fn details(&self) -> Value {
        json!({ "x-profile-id": [self.detail] })
    }
}

fn refusal(status: u16, code: &'static str, message: &str, detail: &'static str) -> Refusal {
    Refusal {
        status,
        code,
        message: message.to_owned(),
        detail,
    }
}

/// The 403 the catalog gives for a profile the caller may not act for (`AUTH_004`).
fn forbidden(spec: &Spec, message: Option<&str>, detail: &'static str) -> Refusal {
    let catalog = spec
        .error_code("AUTH_004")
        .map_or("Insufficient permissions for this operation", |(_, m)| m);
    refusal(403, "AUTH_004", message.unwrap_or(catalog), detail)
}

/// The scope of a request: the key's own, or the profile its `x-profile-id` names.
///
/// `header` is the header's value when it is a well-formed UUID (a malformed one is a
/// validation failure, answered elsewhere). Refused, with the catalog's code:
///
/// - the header with a profile key (`403 AUTH_004`: only organization keys may use it);
/// - a profile that does not exist (`404 RESOURCE_014`, or `403 AUTH_004` for operations that
///   document no `404`);
/// - a profile of another organization (`403 AUTH_004`).
pub(crate) fn scope(
    spec: &Spec,
    op: &Operation,
    store: &Store,
    principal: &Principal,
    header: Option<&str>,
) -> Result<Scope, Refusal> {
    let Some(profile) = header.filter(|h| is_uuid(h)) else {
        return Ok(principal.own_scope());
    };
    let organization = match principal {
        Principal::Profile { .. } => {
            return Err(forbidden(
                spec,
                None,
                "Only organization API keys can use this header",
            ));
        }
        Principal::Organization(organization) => organization,
    };
    match store.profile_organization(profile) {
        Some(owner) if owner == organization => Ok(Scope {
            organization: organization.clone(),
            profile: Some(profile.to_owned()),
        }),
        Some(_) => Err(forbidden(
            spec,
            Some("You do not have access to this organization or profile"),
            "The profile does not belong to the calling organization",
        )),
        None if op.documents(404) => {
            let message = spec
                .error_code("RESOURCE_014")
                .map_or("Profile not found", |(_, m)| m);
            Err(refusal(
                404,
                "RESOURCE_014",
                message,
                "No profile with this id exists",
            ))
        }
        None => Err(forbidden(
            spec,
            Some("You do not have access to this organization or profile"),
            "No profile with this id exists",
        )),
    }
}
