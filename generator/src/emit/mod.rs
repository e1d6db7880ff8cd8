//! Rust code for an analysed document.

mod builder;
mod checks;
mod groups;
mod operations;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::api::{Api, Auth, Group};
use crate::docs::{Docs, code};
use crate::error::Result;
use crate::model::{Shape, Ty};
use crate::names;

pub(crate) struct Emitter<'a> {
    pub(crate) api: &'a Api<'a>,
    /// The runtime module path, e.g. `crate::runtime`.
    pub(crate) rt: TokenStream,
}

impl<'a> Emitter<'a> {
    /// The runtime module path as text, for serde attributes that take a path string.
    pub(crate) fn rt_path(&self) -> String {
        self.rt.to_string().replace(' ', "")
    }

    pub(crate) fn new(api: &'a Api<'a>, runtime: &syn::Path) -> Emitter<'a> {
        Emitter {
            api,
            rt: quote!(#runtime),
        }
    }

    /// The whole file, as tokens.
    pub(crate) fn file(&self) -> Result<TokenStream> {
        let api = self.api_const();
        let client = self.client();
        let client_builder = self.client_builder();
        let error_code = self.error_code();
        let types = self.types_module()?;
        let operations = self.operations_module()?;
        let resources_docs = self.resources_docs();
        let mut groups = Vec::new();
        for (name, group) in &self.api.root.children {
            groups.push(self.group_module(name, group)?);
        }
        Ok(quote! {
            #api
            #client
            #client_builder
            #error_code
            #types
            #operations

            #resources_docs
            pub mod resources {
                #(#groups)*
            }
        })
    }

    /// Whether a header parameter is one that several operations take: documented once, in the
    /// `resources` module, rather than on every builder.
    pub(crate) fn is_shared_header(&self, param: &crate::api::Param) -> bool {
        param.location == crate::api::Location::Header
            && self
                .api
                .ops
                .iter()
                .filter(|op| {
                    op.params.iter().any(|p| {
                        p.location == crate::api::Location::Header
                            && p.wire.eq_ignore_ascii_case(&param.wire)
                    })
                })
                .nth(1)
                .is_some()
    }

    /// Documentation of the `resources` module: what request builders do, once for all of
    /// them, and the header options that several operations share.
    fn resources_docs(&self) -> TokenStream {
        let mut docs = Docs::new();
        docs.line(
            "Group handles and request builders, one module per resource group \
             (`client.contacts()` returns a `resources::contacts::Contacts`).",
        );
        docs.line("# Request builders");
        docs.line(
            "Every operation method returns a request builder. The operation's required inputs \
             are the method's arguments; everything optional is a builder method. `options` \
             overrides the client's timeout, deadline, retries and headers for this request \
             only. Awaiting the builder (or calling `send`) first checks the documented \
             constraints — patterns, lengths, ranges, value sets — and reports a violation as \
             `Error::InvalidRequest` without sending anything; then it sends the request, \
             retried as the client's policy allows, and decodes the response. Transport \
             failures, error responses and undecodable bodies are the runtime's other error \
             variants.",
        );
        let mut shared: Vec<&crate::api::Param> = Vec::new();
        for op in &self.api.ops {
            for param in &op.params {
                if self.is_shared_header(param)
                    && !shared
                        .iter()
                        .any(|p| p.wire.eq_ignore_ascii_case(&param.wire))
                {
                    shared.push(param);
                }
            }
        }
        if !shared.is_empty() {
            docs.line("# Options every request takes");
            docs.line(
                "Headers that many operations take are builder methods of each of them, \
                 documented here once:",
            );
            for param in shared {
                let mut text = format!("- `{}` ({}):", param.name, code(&param.wire));
                if let Some(description) = param
                    .description
                    .as_deref()
                    .or(param.shape.description.as_deref())
                {
                    text.push(' ');
                    text.push_str(&crate::docs::escape(description).join(" "));
                }
                docs.line(text);
            }
        }
        docs.attrs()
    }

    /// `use <runtime> as rt;` when `tokens` refer to `rt`.
    pub(crate) fn use_rt(&self, tokens: &TokenStream) -> TokenStream {
        if mentions(tokens, "rt") {
            let rt = &self.rt;
            quote!(use #rt as rt;)
        } else {
            quote!()
        }
    }

    /// The Rust type of a shape, not counting nullability, as seen from a module whose path to
    /// the `types` module is `types` (empty inside it).
    pub(crate) fn ty(&self, shape: &Shape, types: &TokenStream) -> TokenStream {
        match &shape.ty {
            Ty::String => quote!(String),
            Ty::Bool => quote!(bool),
            Ty::I32 => quote!(i32),
            Ty::I64 => quote!(i64),
            Ty::U32 => quote!(u32),
            Ty::U64 => quote!(u64),
            Ty::F64 => quote!(f64),
            Ty::Uuid => quote!(uuid::Uuid),
            Ty::Id(resource) => {
                let name = names::ident(&id_type_name(resource));
                quote!(#types #name)
            }
            Ty::DateTime => quote!(time::OffsetDateTime),
            Ty::Value => quote!(serde_json::Value),
            Ty::JsonMap => quote!(serde_json::Map<String, serde_json::Value>),
            Ty::Vec(item) => {
                let item = self.nullable_ty(item, types);
                quote!(Vec<#item>)
            }
            Ty::Map(item) => {
                let item = self.nullable_ty(item, types);
                quote!(std::collections::BTreeMap<String, #item>)
            }
            Ty::Struct(name) | Ty::Enum(name) | Ty::Union(name) | Ty::Alias(name, _) => {
                let name = names::ident(name);
                quote!(#types #name)
            }
            Ty::External(path) => match syn::parse_str::<syn::Path>(path) {
                Ok(path) => quote!(#path),
                Err(_) => quote!(serde_json::Value),
            },
        }
    }

    /// The Rust type of a shape, `Option` when it is nullable.
    pub(crate) fn nullable_ty(&self, shape: &Shape, types: &TokenStream) -> TokenStream {
        let ty = self.ty(shape, types);
        if shape.nullable {
            quote!(Option<#ty>)
        } else {
            ty
        }
    }

    fn api_const(&self) -> TokenStream {
        let rt = &self.rt;
        let api = self.api;
        let title = &api.title;
        let version = &api.version;
        let servers = api.servers.iter().map(|server| {
            let url = &server.url;
            let description = &server.description;
            let key_prefix = option_str(server.key_prefix.as_deref());
            quote! {
                #rt::Server {
                    url: #url,
                    description: #description,
                    key_prefix: #key_prefix,
                }
            }
        });
        let auth = api.auth.iter().map(|auth| match auth {
            Auth::Header(name) => quote!(#rt::Auth::ApiKeyHeader { name: #name }),
            Auth::Query(name) => quote!(#rt::Auth::ApiKeyQuery { name: #name }),
            Auth::Bearer => quote!(#rt::Auth::Bearer),
            Auth::Basic => quote!(#rt::Auth::Basic),
        });
        let envelope = match &api.envelope {
            Some(envelope) => {
                let data = &envelope.data;
                let error = option_str(envelope.error.as_deref());
                let meta = option_str(envelope.meta.as_deref());
                let success = option_str(envelope.success.as_deref());
                quote! {
                    Some(#rt::Envelope {
                        data: #data,
                        error: #error,
                        meta: #meta,
                        success: #success,
                    })
                }
            }
            None => quote!(None),
        };
        let error_code = option_str(api.error_body.code.as_deref());
        let error_message = option_str(api.error_body.message.as_deref());
        let transient = api
            .error_codes
            .iter()
            .filter(|c| c.retryable)
            .map(|c| c.code.as_str());
        let idempotency_header = option_str(
            api.ops
                .iter()
                .find_map(|op| op.idempotency_header.as_deref()),
        );
        let key_prefix = &api.idempotency_key_prefix;
        let mut docs = Docs::new();
        docs.line(format!(
            "What the runtime needs to know about {} {}: servers, authentication, response \
             envelope, error bodies and idempotency keys.",
            code(title),
            code(version)
        ));
        let docs = docs.attrs();
        quote! {
            #docs
            #[doc(hidden)]
            pub const API: #rt::ApiDescription = #rt::ApiDescription {
                title: #title,
                version: #version,
                servers: &[#(#servers),*],
                auth: &[#(#auth),*],
                envelope: #envelope,
                error_body: #rt::ErrorBody {
                    code: #error_code,
                    message: #error_message,
                },
                transient_error_codes: &[#(#transient),*],
                idempotency_header: #idempotency_header,
                idempotency_key_prefix: #key_prefix,
            };
        }
    }

    fn client(&self) -> TokenStream {
        let rt = &self.rt;
        let mut docs = Docs::new();
        docs.line(format!("Client for {}.", code(&self.api.title)));
        docs.opt_text(self.api.description.as_deref());
        docs.line(
            "Operations are grouped by resource: each group accessor returns a handle whose \
             methods build requests. A request is sent when its builder is awaited.",
        );
        let docs = docs.attrs();
        let accessors = self.api.root.children.iter().map(|(name, group)| {
            let method = names::ident(name);
            let module = names::ident(name);
            let handle = handle_ident(group);
            let mut docs = Docs::new();
            docs.line(format!("Operations under {}.", code(&group_call(group))));
            let docs = docs.attrs();
            quote! {
                #docs
                pub fn #method(&self) -> resources::#module::#handle<'_> {
                    resources::#module::#handle { client: self }
                }
            }
        });
        quote! {
            #docs
            #[derive(Clone, Debug)]
            pub struct Client {
                runtime: #rt::Runtime,
            }

            impl Client {
                /// Creates a client that sends its requests through `runtime`, which holds the
                /// transport, the credentials and the base URL.
                pub fn from_runtime(runtime: #rt::Runtime) -> Self {
                    Self { runtime }
                }

                /// The runtime requests are sent through.
                pub fn runtime(&self) -> &#rt::Runtime {
                    &self.runtime
                }

                #(#accessors)*
            }
        }
    }

    fn error_code(&self) -> TokenStream {
        let codes = &self.api.error_codes;
        if codes.is_empty() {
            return quote!();
        }
        let variants = codes.iter().map(|c| {
            let variant = names::ident(&c.variant);
            let mut docs = Docs::new();
            match &c.message {
                Some(message) => {
                    docs.text(message);
                }
                None => {
                    docs.line(format!("The error code {}.", code(&c.code)));
                }
            }
            let mut facts = format!("Code {}", code(&c.code));
            if let Some(status) = c.status {
                facts.push_str(&format!(", HTTP status {status}"));
            }
            facts.push('.');
            docs.line(facts);
            let docs = docs.attrs();
            quote!(#docs #variant,)
        });
        let values: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
        let as_str = codes.iter().map(|c| {
            let variant = names::ident(&c.variant);
            let value = &c.code;
            quote!(Self::#variant => #value,)
        });
        let from = codes.iter().map(|c| {
            let variant = names::ident(&c.variant);
            let value = &c.code;
            quote!(#value => Self::#variant,)
        });
        let status = codes.iter().map(|c| {
            let variant = names::ident(&c.variant);
            match c.status {
                Some(status) => {
                    let status = proc_macro2::Literal::u16_unsuffixed(status);
                    quote!(Self::#variant => Some(#status),)
                }
                None => quote!(Self::#variant => None,),
            }
        });
        let common = string_enum_impls(&quote!(ErrorCode), from, &self.rt);
        let rt = &self.rt;
        quote! {
            /// Error codes the API documents, as found in the `code` of an error response.
            ///
            /// Codes this version of the client does not know are kept in
            /// `ErrorCode::Unknown`.
            #[derive(Clone, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum ErrorCode {
                #(#variants)*
                /// A code not documented when this client was generated, kept as received.
                Unknown(String),
            }

            impl ErrorCode {
                /// Every documented code.
                pub const VALUES: &[&str] = &[#(#values),*];

                /// The code as it appears in responses.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str)*
                        Self::Unknown(value) => value,
                    }
                }

                /// Whether the code is documented (not `Unknown`).
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::Unknown(_))
                }

                /// The HTTP status the documentation gives for this code.
                pub fn status(&self) -> Option<u16> {
                    match self {
                        #(#status)*
                        Self::Unknown(_) => None,
                    }
                }
            }

            #common

            /// `error_code()` on the runtime's errors: the code as an [`ErrorCode`], for
            /// matching. In the prelude, and at the crate root.
            pub trait ErrorCodeExt {
                /// What `error_code` gives: an [`ErrorCode`], or an `Option` of one where the
                /// error may not come from the API.
                type Code;

                /// The error code as a documented entry, for matching.
                fn error_code(&self) -> Self::Code;
            }

            impl ErrorCodeExt for #rt::ApiError {
                type Code = ErrorCode;

                /// The error code as a documented entry. A code this version of the client
                /// does not know is kept in `ErrorCode::Unknown`; a response without a code
                /// gives `ErrorCode::Unknown("")`.
                fn error_code(&self) -> ErrorCode {
                    ErrorCode::from(self.code().unwrap_or_default())
                }
            }

            impl ErrorCodeExt for #rt::Error {
                type Code = Option<ErrorCode>;

                /// The error code as a documented entry, for API errors that carry one.
                fn error_code(&self) -> Option<ErrorCode> {
                    self.code().map(ErrorCode::from)
                }
            }
        }
    }
}

/// `From<String>`, `From<&str>`, `Display`, `FromStr` and serde impls shared by string enums,
/// given the match arms from documented values to variants; they rely on `as_str`. Only an
/// undocumented value allocates when read.
pub(crate) fn string_enum_impls(
    name: &TokenStream,
    from: impl Iterator<Item = TokenStream>,
    rt: &TokenStream,
) -> TokenStream {
    let from: Vec<TokenStream> = from.collect();
    quote! {
        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from)*
                    _ => Self::Unknown(value.to_owned()),
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #rt::deserialize_string_enum(deserializer)
            }
        }
    }
}

/// `#[doc(alias = "…")]` for each other name users know a member by.
pub(crate) fn alias_attrs(shape: &Shape) -> TokenStream {
    let aliases = shape.aliases.iter();
    quote!(#(#[doc(alias = #aliases)])*)
}

/// The name of the typed id of a resource: `Contact` → `ContactId`.
pub(crate) fn id_type_name(resource: &str) -> String {
    format!("{resource}Id")
}

/// `Contacts`, the handle type of a group.
pub(crate) fn handle_ident(group: &Group) -> proc_macro2::Ident {
    let last = group.path.last().map(String::as_str).unwrap_or("group");
    names::ident(&names::pascal(last).unwrap_or_else(|| "Group".to_owned()))
}

/// `client.profiles().campaigns()`.
pub(crate) fn group_call(group: &Group) -> String {
    let mut call = "client".to_owned();
    for segment in &group.path {
        call.push('.');
        call.push_str(&names::ident(segment).to_string());
        call.push_str("()");
    }
    call
}

/// `super::super::` for a module at `depth`.
pub(crate) fn supers(depth: usize) -> TokenStream {
    let supers = (0..depth).map(|_| quote!(super::));
    quote!(#(#supers)*)
}

/// Whether an identifier appears anywhere in the tokens.
pub(crate) fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => mentions(&group.stream(), name),
        _ => false,
    })
}

/// `Some("text")` or `None`, as tokens.
fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}
