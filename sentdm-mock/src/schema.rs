//! Validation against the Sent.dm spec's schemas, with the engine's validator.

pub(crate) use sentdm_mock_engine::schema::{Rule, conforms, declared_type, is_uuid};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::spec::spec;
    use sentdm_mock_engine::schema::{drop_null_optionals, validate};
    use serde_json::Value;
    use serde_json::json;

    fn errors_for(schema: &str, value: Value) -> Vec<(String, Rule)> {
        let spec = spec();
        let mut errors = Vec::new();
        let schema = json!({ "$ref": format!("#/components/schemas/{schema}") });
        validate(spec, &schema, &value, "", &mut errors);
        errors.into_iter().map(|e| (e.field, e.rule)).collect()
    }

    #[test]
    fn send_message_rules() {
        let e = errors_for("SendMessageRequest", json!({"to": []}));
        assert!(e.contains(&("to".into(), Rule::Items)));
        assert!(e.contains(&("template".into(), Rule::Required)));
        let e = errors_for(
            "SendMessageRequest",
            json!({"to": ["12"], "template": {"id": "nope"}, "channel": ["fax"]}),
        );
        assert!(e.contains(&("to[0]".into(), Rule::Pattern)));
        assert!(e.contains(&("template.id".into(), Rule::Format)));
        assert!(e.contains(&("channel[0]".into(), Rule::Enum)));
    }

    #[test]
    fn unions_take_any_variant_the_value_fits_or_the_one_its_tag_names() {
        // By id, by name, or both as the SDK pages send them; neither is refused.
        for template in [
            json!({"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8"}),
            json!({"name": "welcome"}),
            json!({"id": "7ba7b820-9dad-11d1-80b4-00c04fd430c8", "name": "welcome"}),
        ] {
            let e = errors_for("TemplateRef", template.clone());
            assert!(e.is_empty(), "{template}: {e:?}");
        }
        assert!(!errors_for("TemplateRef", json!({"parameters": {}})).is_empty());
        // A button's `type` names its variant, whose own rules apply.
        let url = json!({"type": "URL", "text": "Open", "url": "https://example.com"});
        assert!(errors_for("TemplateButton", url).is_empty());
        let e = errors_for("TemplateButton", json!({"type": "URL", "text": "Open"}));
        assert!(e.contains(&("url".into(), Rule::Required)), "{e:?}");
        let e = errors_for("TemplateButton", json!({"type": "CAROUSEL"}));
        assert_eq!(e, [("type".into(), Rule::Enum)]);
    }

    #[test]
    fn nested_fields_are_dotted() {
        let e = errors_for(
            "CreateProfileRequest",
            json!({"short_name": "x", "payment_details": {"expiry": "13/27"}}),
        );
        assert!(e.contains(&("name".into(), Rule::Required)));
        assert!(e.contains(&("short_name".into(), Rule::Length)));
        assert!(e.contains(&("payment_details.expiry".into(), Rule::Pattern)));
    }

    #[test]
    fn null_optional_members_are_dropped() {
        let spec = spec();
        let schema = json!({"$ref": "#/components/schemas/UpdateProfileRequest"});
        let mut body = json!({"name": "Sales", "icon": null, "brand": {"contact": null}});
        drop_null_optionals(spec, &schema, &mut body);
        assert_eq!(body, json!({"name": "Sales", "brand": {}}));
        // A required member sent as null stays, and is refused.
        let schema = json!({"$ref": "#/components/schemas/CreateProfileRequest"});
        let mut body = json!({"name": null, "description": null});
        drop_null_optionals(spec, &schema, &mut body);
        assert_eq!(body, json!({"name": null}));
        let mut errors = Vec::new();
        validate(spec, &schema, &body, "", &mut errors);
        assert_eq!(errors[0].field, "name");
        assert_eq!(errors[0].rule, Rule::Type);
    }
}
