//! The Sent.dm spec shipped with this crate, read with the engine's OpenAPI reader.

use std::sync::OnceLock;

#[cfg(test)]
pub(crate) use sentdm_mock_engine::spec::Segment;
pub(crate) use sentdm_mock_engine::spec::{Location, Operation, RouteMatch, Spec};

/// The spec as shipped with the crate (kept identical to `spec/openapi.json`).
const SPEC_JSON: &str = include_str!("../openapi.json");

/// The spec shipped with the crate, parsed once.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::parse(SPEC_JSON))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn reads_every_operation() {
        let spec = spec();
        let declared: usize = spec.root["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "parameters")
                    .count()
            })
            .sum();
        assert!(declared >= 40);
        assert_eq!(spec.operations.len(), declared);
        assert!(spec.operations.iter().all(|o| o.secured));
    }

    #[test]
    fn literal_segments_win() {
        let spec = spec();
        match spec.route("GET", "/v3/webhooks/event-types") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.template, "/v3/webhooks/event-types");
                assert!(params.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match spec.route("GET", "/v3/webhooks/abc") {
            RouteMatch::Found(op, params) => {
                assert_eq!(op.template, "/v3/webhooks/{id}");
                assert_eq!(params, vec![("id".to_owned(), "abc".to_owned())]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            spec.route("GET", "/v3/nothing"),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            spec.route("PATCH", "/v3/messages"),
            RouteMatch::MethodNotAllowed(_)
        ));
    }

    #[test]
    fn success_statuses_and_data_schemas() {
        let spec = spec();
        let send = spec.operation("POST", "/v3/messages").unwrap();
        assert_eq!(send.success_status(), 202);
        assert_eq!(send.key, "messages.send");
        assert!(send.success().unwrap().data_schema.is_some());
        let complete = spec
            .operation("POST", "/v3/profiles/{profileId}/complete")
            .unwrap();
        assert_eq!(complete.success_status(), 202);
        let delete = spec.operation("DELETE", "/v3/contacts/{id}").unwrap();
        assert_eq!(delete.success_status(), 204);
        assert_eq!(
            spec.operation("POST", "/v3/messages")
                .unwrap()
                .error_doc(400)
                .unwrap()
                .code,
            "VALIDATION_004"
        );
    }
}
