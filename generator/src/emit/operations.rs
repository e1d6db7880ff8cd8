//! `pub mod operations`: the runtime's view of every operation.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Emitter;
use super::checks::FieldRef;
use crate::api::{FormPart, Location, Op, Param, PartKind, shape_struct};
use crate::docs::{Docs, code};
use crate::error::Result;
use crate::model::Ty;
use crate::names;

impl Emitter<'_> {
    pub(crate) fn operations_module(&self) -> Result<TokenStream> {
        let types = quote!(types::);
        let mut statics = Vec::new();
        let mut all = Vec::new();
        let mut arms = Vec::new();
        // Check functions of header parameters, shared by operations with the same parameter.
        let mut checkers: Vec<(String, String, proc_macro2::Ident, TokenStream)> = Vec::new();
        for op in &self.api.ops {
            let name = names::ident(&op.static_name());
            let id = &op.id;
            let dotted = op.name();
            let method = names::ident(&op.http_method);
            let path = &op.path;
            let success = op
                .responses
                .statuses
                .iter()
                .map(|s| Literal::u16_unsuffixed(*s));
            let response = if op.responses.json {
                quote!(rt::ResponseKind::Json)
            } else {
                quote!(rt::ResponseKind::Empty)
            };
            let form = op.body.as_ref().and_then(|b| b.form.as_deref());
            for part in form.unwrap_or_default() {
                if let PartKind::File(rules) = &part.kind {
                    statics.push(file_rules_static(op, part, rules));
                }
            }
            let body_fields: Vec<String> = match form {
                Some(parts) => parts.iter().map(|p| p.wire.clone()).collect(),
                None => op
                    .body
                    .as_ref()
                    .and_then(|b| shape_struct(&b.shape))
                    .and_then(|name| self.api.models.struct_def(name))
                    .map(|def| {
                        def.fields
                            .iter()
                            .filter(|f| def.settable(f))
                            .map(|f| f.json.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let mut headers = Vec::new();
            for param in op.params.iter().filter(|p| p.location == Location::Header) {
                let wire = &param.wire;
                let Some(body) = self.header_check(param, &types) else {
                    headers.push(quote!(rt::HeaderParam::new(#wire)));
                    continue;
                };
                let key = body.to_string();
                let existing = checkers
                    .iter()
                    .find(|(name, text, _, _)| name == wire && *text == key)
                    .map(|(_, _, ident, _)| ident.clone());
                let ident = match existing {
                    Some(ident) => ident,
                    None => {
                        let base = format!("check_{}", param.name);
                        let taken = checkers.iter().filter(|(name, ..)| name == wire).count();
                        let ident = if taken == 0 {
                            names::ident(&base)
                        } else {
                            names::ident(&format!("{base}_{}", taken + 1))
                        };
                        checkers.push((wire.clone(), key, ident.clone(), body));
                        ident
                    }
                };
                headers.push(quote!(rt::HeaderParam::checked(#wire, #ident)));
            }
            let mut docs = Docs::new();
            let route = format!("{} {}", op.http_method, op.path);
            match &op.summary {
                Some(summary) => {
                    docs.line(format!(
                        "{}: {}",
                        code(&route),
                        crate::docs::escape(summary).join(" ")
                    ));
                }
                None => {
                    docs.line(code(&route));
                }
            }
            let docs = docs.attrs();
            let payload_key = match &op.responses.payload_key {
                Some(key) => quote!(Some(#key)),
                None => quote!(None),
            };
            let idempotency = match &op.idempotency_header {
                Some(header) => quote!(rt::Idempotency::Header(#header)),
                None => quote!(rt::Idempotency::None),
            };
            statics.push(quote! {
                #docs
                pub static #name: rt::Operation = rt::Operation {
                    id: #id,
                    name: #dotted,
                    method: rt::Method::#method,
                    path: #path,
                    success: &[#(#success),*],
                    response: #response,
                    body_fields: &[#(#body_fields),*],
                    header_params: &[#(#headers),*],
                    payload_key: #payload_key,
                    idempotency: #idempotency,
                };
            });
            all.push(quote!(&#name));
            let payload = match &op.responses.payload {
                Some(shape) => self.nullable_ty(shape, &types),
                None => quote!(()),
            };
            arms.push(quote!(#id => decode::<#payload>(&#name, status, headers, body),));
        }
        let decode = if arms.is_empty() {
            quote! {
                /// Decodes a response to the operation with id `operation_id`; this API has no
                /// operations, so it always returns `None`.
                pub fn decode_response(
                    operation_id: &str,
                    status: u16,
                    headers: &rt::HeaderMap,
                    body: bytes::Bytes,
                ) -> Option<Result<rt::Response<Payload>, rt::Error>> {
                    let _ = (operation_id, status, headers, body);
                    None
                }
            }
        } else {
            quote! {
                /// Decodes a response to the operation with id `operation_id` into that
                /// operation's success type, boxed.
                ///
                /// Returns `None` for an id that is not in [`ALL`].
                pub fn decode_response(
                    operation_id: &str,
                    status: u16,
                    headers: &rt::HeaderMap,
                    body: bytes::Bytes,
                ) -> Option<Result<rt::Response<Payload>, rt::Error>> {
                    fn decode<T>(
                        operation: &'static rt::Operation,
                        status: u16,
                        headers: &rt::HeaderMap,
                        body: bytes::Bytes,
                    ) -> Result<rt::Response<Payload>, rt::Error>
                    where
                        T: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
                    {
                        rt::decode::<T>(&super::API, operation, status, headers, body)
                            .map(|response| response.map(|data| Box::new(data) as Payload))
                    }

                    Some(match operation_id {
                        #(#arms)*
                        _ => return None,
                    })
                }
            }
        };
        let checkers = checkers.into_iter().map(|(wire, _, ident, body)| {
            let doc = format!(
                " Checks a value of the `{wire}` header parameter, as its builder method does."
            );
            quote! {
                #[doc = #doc]
                fn #ident(value: &str) -> Result<(), rt::Error> {
                    #body
                    Ok(())
                }
            }
        });
        let rt = &self.rt;
        let use_types = if super::mentions(&decode, "types") {
            quote!(
                use super::types;
            )
        } else {
            quote!()
        };
        Ok(quote! {
            /// What the runtime needs to know about each operation, and a decoder for their
            /// responses. Plumbing for the runtime and tests, hidden from the documentation.
            #[doc(hidden)]
            pub mod operations {
                #use_types
                use #rt as rt;

                #(#statics)*

                #(#checkers)*

                /// Every operation, in document order.
                pub static ALL: &[&rt::Operation] = &[#(#all),*];

                /// A decoded success payload of any operation.
                pub type Payload = Box<dyn std::fmt::Debug + Send + Sync>;

                #decode
            }
        })
    }

    /// Statements checking a header parameter's text `value` against the parameter's type
    /// and constraints, or `None` when there is nothing to check beyond valid HTTP.
    fn header_check(&self, param: &Param, types: &TokenStream) -> Option<TokenStream> {
        let wire = &param.wire;
        let field = FieldRef::Literal(wire.clone());
        let shape = &param.shape;
        let statements = match &shape.target().ty {
            Ty::String => self.checks(&quote!(value), shape, &field, types),
            Ty::Uuid | Ty::Id(_) => vec![quote!(rt::validate::uuid(#wire, value)?;)],
            Ty::Enum(name) => {
                let name = names::ident(name);
                vec![quote! {
                    let value = #types #name::from(value);
                    rt::validate::known(#wire, value.is_known(), #types #name::VALUES)?;
                }]
            }
            _ => Vec::new(),
        };
        if statements.is_empty() {
            None
        } else {
            Some(quote!(#(#statements)*))
        }
    }
}

/// The name of the static holding a file part's rules: `ATTACHMENTS_CREATE_FILE`.
pub(crate) fn file_rules_ident(op: &Op, part: &FormPart) -> proc_macro2::Ident {
    let part = names::screaming(&part.name).unwrap_or_else(|| "FILE".to_owned());
    names::ident(&format!("{}_{part}", op.static_name()))
}

/// The static holding what a file part accepts, which the runtime checks before sending.
fn file_rules_static(op: &Op, part: &FormPart, rules: &crate::api::FileRulesDef) -> TokenStream {
    let name = file_rules_ident(op, part);
    let doc = format!(
        " Formats and sizes the `{}` part of `{} {}` accepts.",
        part.wire, op.http_method, op.path
    );
    let types = rules.types.iter().map(|ty| {
        let content_type = &ty.content_type;
        let extensions = &ty.extensions;
        let max = option_bytes(ty.max_bytes);
        quote! {
            rt::FileType {
                content_type: #content_type,
                extensions: &[#(#extensions),*],
                max_bytes: #max,
            }
        }
    });
    let max = option_bytes(rules.max_bytes);
    quote! {
        #[doc = #doc]
        pub static #name: rt::FileRules = rt::FileRules {
            types: &[#(#types),*],
            max_bytes: #max,
        };
    }
}

/// `Some(n)` or `None`, as tokens.
fn option_bytes(bytes: Option<u64>) -> TokenStream {
    match bytes {
        Some(n) => {
            let n = Literal::u64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}
