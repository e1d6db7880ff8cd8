//! Lists sent as one comma-separated string (`sms,whatsapp`), for generated fields.

use std::fmt::Display;

use serde::{Deserialize, Deserializer, Serializer};

/// Writes the items joined by commas.
pub fn serialize<S, T>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Display,
{
    let text = items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    serializer.serialize_str(&text)
}

/// Reads a comma-separated string into its items, trimming spaces and skipping empty ones;
/// `null` reads as no items.
pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
    Ok(text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(T::from)
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Contact {
        #[serde(default, with = "super")]
        channels: Vec<String>,
    }

    #[test]
    fn lists_travel_as_one_string() {
        let contact: Contact = serde_json::from_str(r#"{"channels": "sms, whatsapp,"}"#).unwrap();
        assert_eq!(contact.channels, ["sms", "whatsapp"]);
        assert_eq!(
            serde_json::to_string(&contact).unwrap(),
            r#"{"channels":"sms,whatsapp"}"#
        );
        let empty: Contact = serde_json::from_str(r#"{"channels": null}"#).unwrap();
        assert!(empty.channels.is_empty());
        let absent: Contact = serde_json::from_str("{}").unwrap();
        assert!(absent.channels.is_empty());
    }
}
