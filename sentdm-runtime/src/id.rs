//! Ids that know what they identify.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The id of a resource of type `R`: a UUID that cannot be mixed up with another resource's.
///
/// Generated code names one per resource (`pub type ContactId = Id<Contact>;`), and operations
/// take them where the API takes that resource's id, so passing a template's id where a
/// contact's is expected does not compile. Converting is explicit: [`Id::from_uuid`],
/// `From<Uuid>`, [`FromStr`] (parsing the hyphenated, simple or braced forms), and
/// [`Id::uuid`] or `From<Id<R>> for Uuid` back. On the wire and in `Display` it is the
/// hyphenated UUID.
///
/// ```
/// use sentdm_runtime::Id;
///
/// struct Contact;
/// type ContactId = Id<Contact>;
///
/// let id: ContactId = "6ba7b810-9dad-11d1-80b4-00c04fd430c8".parse()?;
/// assert_eq!(id.to_string(), "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
/// assert_eq!(serde_json::to_string(&id)?, "\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Id<R> {
    uuid: Uuid,
    resource: PhantomData<fn() -> R>,
}

impl<R> Id<R> {
    /// The id whose value is `uuid`.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Id {
            uuid,
            resource: PhantomData,
        }
    }

    /// The UUID behind the id.
    pub const fn uuid(&self) -> Uuid {
        self.uuid
    }
}

impl<R> Clone for Id<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Id<R> {}

impl<R> PartialEq for Id<R> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}

impl<R> Eq for Id<R> {}

impl<R> PartialOrd for Id<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<R> Ord for Id<R> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.uuid.cmp(&other.uuid)
    }
}

impl<R> Hash for Id<R> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.uuid.hash(state);
    }
}

impl<R> Default for Id<R> {
    /// The nil UUID, as for `Uuid`.
    fn default() -> Self {
        Id::from_uuid(Uuid::nil())
    }
}

impl<R> fmt::Debug for Id<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let resource = std::any::type_name::<R>();
        let resource = resource.rsplit("::").next().unwrap_or(resource);
        write!(f, "{resource}Id({})", self.uuid)
    }
}

impl<R> fmt::Display for Id<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.uuid.hyphenated(), f)
    }
}

impl<R> FromStr for Id<R> {
    type Err = uuid::Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(text).map(Id::from_uuid)
    }
}

impl<R> From<Uuid> for Id<R> {
    fn from(uuid: Uuid) -> Self {
        Id::from_uuid(uuid)
    }
}

impl<R> From<Id<R>> for Uuid {
    fn from(id: Id<R>) -> Self {
        id.uuid
    }
}

impl<R> Serialize for Id<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.uuid.serialize(serializer)
    }
}

impl<'de, R> Deserialize<'de> for Id<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Uuid::deserialize(deserializer).map(Id::from_uuid)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    struct Contact;

    #[test]
    fn ids_parse_print_and_serialize_as_uuids() {
        let text = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
        let id: Id<Contact> = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(format!("{id:?}"), format!("ContactId({text})"));
        assert_eq!(Uuid::from(id).to_string(), text);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        let back: Id<Contact> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert!("not-a-uuid".parse::<Id<Contact>>().is_err());
        assert!(serde_json::from_str::<Id<Contact>>("\"nope\"").is_err());
        assert_eq!(Id::<Contact>::default().uuid(), Uuid::nil());
    }
}
