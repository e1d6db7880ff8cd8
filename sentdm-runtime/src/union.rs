//! What generated unions (`oneOf`) use to write and read their variants.
//!
//! A discriminated union writes its variant's members and the discriminator beside them, and
//! reads the discriminator to pick the variant (keeping an unknown one as JSON). An untagged
//! union writes its variant as it is, and reads the first variant the JSON fits.

use serde::de::DeserializeOwned;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// Serializes `inner` (an object) with the member `tag` set to `value`.
pub fn serialize_tagged<S, T>(
    serializer: S,
    tag: &str,
    value: &str,
    inner: &T,
) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Serialize + ?Sized,
{
    let mut object = match serde_json::to_value(inner).map_err(S::Error::custom)? {
        Value::Object(object) => object,
        _ => {
            return Err(S::Error::custom(
                "a variant of a discriminated union must be an object",
            ));
        }
    };
    object.insert(tag.to_owned(), Value::String(value.to_owned()));
    object.serialize(serializer)
}

/// The discriminator of an object, when it is a string.
pub fn tag<'v>(value: &'v Value, tag: &str) -> Option<&'v str> {
    value.get(tag).and_then(Value::as_str)
}

/// The variant `T` read from `value`; a mismatch is a deserialization error naming what went
/// wrong.
pub fn variant<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

/// The variant `T` read from `value`, if the JSON fits it.
pub fn try_variant<T: DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// The message for JSON that fits no variant of an untagged union.
pub fn no_variant(value: &Value, expected: &str) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    format!("{kind} that is not {expected}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Url {
        url: String,
    }

    #[test]
    fn tagged_variants_carry_their_discriminator() {
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::new(&mut out);
        serialize_tagged(
            &mut serializer,
            "type",
            "URL",
            &Url {
                url: "https://a.b".into(),
            },
        )
        .unwrap();
        let written: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(written, json!({"type": "URL", "url": "https://a.b"}));
        assert_eq!(tag(&written, "type"), Some("URL"));
        let back: Url = variant::<Url, serde_json::Error>(written).unwrap();
        assert_eq!(back.url, "https://a.b");
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::new(&mut out);
        assert!(serialize_tagged(&mut serializer, "type", "X", &"text").is_err());
    }

    #[test]
    fn untagged_variants_are_tried_in_turn() {
        assert_eq!(
            try_variant::<Url>(&json!({"url": "x"})),
            Some(Url { url: "x".into() })
        );
        assert_eq!(try_variant::<Url>(&json!("x")), None);
        assert_eq!(
            no_variant(&json!([1]), "a reference"),
            "an array that is not a reference"
        );
    }
}
