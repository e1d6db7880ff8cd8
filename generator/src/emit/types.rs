//! `pub mod types`: structs, enums and aliases.

use indexmap::IndexMap;
use proc_macro2::TokenStream;
use quote::quote;

use super::checks::FieldRef;
use super::{Emitter, string_enum_impls};
use crate::api::{Pagination, shape_struct};
use crate::docs::{Docs, code};
use crate::error::{Error, Result};
use crate::model::{AliasDef, EnumDef, Field, Shape, StructDef, Ty, TypeDef, UnionDef};
use crate::names;

/// How a value is passed to a constructor, setter or operation method.
pub(crate) struct Input {
    /// The parameter type.
    pub(crate) ty: TokenStream,
    /// Converts the parameter (an identifier) to the stored type.
    pub(crate) convert: fn(&proc_macro2::Ident) -> TokenStream,
}

fn keep(value: &proc_macro2::Ident) -> TokenStream {
    quote!(#value)
}

fn into(value: &proc_macro2::Ident) -> TokenStream {
    quote!(#value.into())
}

fn collect(value: &proc_macro2::Ident) -> TokenStream {
    quote!(#value.into_iter().map(Into::into).collect())
}

fn collect_pairs(value: &proc_macro2::Ident) -> TokenStream {
    quote!(#value.into_iter().map(|(key, value)| (key.into(), value.into())).collect())
}

impl Emitter<'_> {
    /// The parameter type that accepts a value of `shape` (not nullable) ergonomically: what
    /// converts into it (`impl Into<String>`, `impl Into<Channel>`), any iterable of what
    /// converts into the items of an array, any iterable of key–value pairs for a map.
    pub(crate) fn input(&self, shape: &Shape, types: &TokenStream) -> Input {
        let stored = self.ty(shape, types);
        match &shape.target().ty {
            Ty::String | Ty::Enum(_) | Ty::Id(_) | Ty::Union(_) => Input {
                ty: quote!(impl Into<#stored>),
                convert: into,
            },
            Ty::Vec(item) => {
                let item = self.nullable_ty(item, types);
                Input {
                    ty: quote!(impl IntoIterator<Item = impl Into<#item>>),
                    convert: collect,
                }
            }
            Ty::Map(value) => {
                let value = self.nullable_ty(value, types);
                Input {
                    ty: quote!(impl IntoIterator<Item = (impl Into<String>, impl Into<#value>)>),
                    convert: collect_pairs,
                }
            }
            _ => Input {
                ty: stored,
                convert: keep,
            },
        }
    }

    pub(crate) fn types_module(&self) -> Result<TokenStream> {
        let mut items = Vec::new();
        let pages = self.pages()?;
        for def in self.api.models.defs.values() {
            match def {
                TypeDef::Struct(def) => {
                    items.push(self.struct_item(def)?);
                    if let Some(pagination) = pages.get(&def.name) {
                        items.push(self.page_impl(def, pagination)?);
                    }
                }
                TypeDef::Enum(def) => items.push(self.enum_item(def)),
                TypeDef::Union(def) => items.push(self.union_item(def)?),
                TypeDef::Alias(def) => items.push(self.alias_item(def)),
                TypeDef::Pending => {}
            }
        }
        items.extend(self.id_items());
        let body = quote!(#(#items)*);
        let use_rt = self.use_rt(&body);
        Ok(quote! {
            /// The data types of requests and responses.
            pub mod types {
                #use_rt
                #body
            }
        })
    }

    /// One typed id per resource that ids identify: `pub type ContactId = rt::Id<Contact>;`,
    /// with an empty marker type for a resource that has no type of its own.
    fn id_items(&self) -> Vec<TokenStream> {
        let mut items = Vec::new();
        for resource in self.api.models.ids.keys() {
            let name = names::ident(&super::id_type_name(resource));
            let marker = names::ident(resource);
            let readable = words(resource);
            let doc = format!(
                " Identifies {} {readable}: a UUID that cannot be mistaken for another resource's id.",
                article(&readable)
            );
            if !self.api.models.defs.contains_key(resource) {
                let marker_doc = format!(
                    " The {readable} resource, as what a [`{name}`] identifies; the API describes no {readable} object of its own."
                );
                items.push(quote! {
                    #[doc = #marker_doc]
                    #[derive(Debug)]
                    pub enum #marker {}
                });
            }
            items.push(quote! {
                #[doc = #doc]
                pub type #name = rt::Id<#marker>;
            });
        }
        items
    }

    /// Payload structs of paginated operations, with the pagination that applies to them.
    fn pages(&self) -> Result<IndexMap<String, Pagination>> {
        let mut pages: IndexMap<String, Pagination> = IndexMap::new();
        for op in &self.api.ops {
            let Some(pagination) = &op.pagination else {
                continue;
            };
            let name = op
                .responses
                .payload
                .as_ref()
                .and_then(shape_struct)
                .ok_or_else(|| {
                    Error::invalid(
                        &pagination.pointer,
                        "the success payload of a paginated operation must be an object schema",
                    )
                })?;
            if let Some(existing) = pages.get(name) {
                if existing.items != pagination.items
                    || existing.has_more != pagination.has_more
                    || existing.total != pagination.total
                    || existing.offset != pagination.offset
                {
                    return Err(Error::invalid(
                        &pagination.pointer,
                        format!("`{name}` is paginated differently by {}", existing.pointer),
                    ));
                }
                continue;
            }
            pages.insert(name.to_owned(), pagination.clone());
        }
        Ok(pages)
    }

    fn type_docs(
        &self,
        name: &str,
        pointer: &str,
        enumeration: bool,
        title: Option<&str>,
        description: Option<&str>,
    ) -> Docs {
        let mut docs = Docs::new();
        match (title, description) {
            (Some(title), Some(description)) if title.trim() != description.trim() => {
                docs.text(title);
                docs.text(description);
            }
            (_, Some(text)) | (Some(text), None) => {
                docs.text(text);
            }
            (None, None) => {}
        }
        if docs.is_empty() {
            let origin = self.api.models.origin(pointer);
            docs.line(match (origin, enumeration) {
                (Some(origin), false) => format!("{}.", capitalize(&origin)),
                (Some(origin), true) => format!("Values of {origin}."),
                (None, false) => format!("The {} object.", code(name)),
                (None, true) => format!("The {} values.", code(name)),
            });
        }
        docs
    }

    /// Documentation of a field, parameter or setter: description and constraints.
    pub(crate) fn shape_docs(&self, docs: &mut Docs, shape: &Shape, fallback: &str) {
        let description = shape.description.as_deref().or(match &shape.target().ty {
            Ty::Alias(..) => None,
            Ty::Struct(name) => self
                .api
                .models
                .struct_def(name)
                .and_then(|d| d.description.as_deref()),
            Ty::Enum(name) => self
                .api
                .models
                .enum_def(name)
                .and_then(|d| d.description.as_deref()),
            _ => shape.target().description.as_deref(),
        });
        match description {
            Some(text) => {
                docs.text(text);
            }
            None => {
                docs.line(fallback.to_owned());
            }
        }
        let notes = notes(shape);
        if !notes.is_empty() {
            docs.line(notes.join(" "));
        }
    }

    fn struct_item(&self, def: &StructDef) -> Result<TokenStream> {
        let name = names::ident(&def.name);
        let types = quote!();
        let docs = self
            .type_docs(
                &def.name,
                def.pointer.as_str(),
                false,
                def.title.as_deref(),
                def.description.as_deref(),
            )
            .attrs();
        let mut fields = Vec::new();
        for field in &def.fields {
            let ident = names::ident(&field.name);
            let ty = self.field_ty(def, field, &types);
            let mut serde: Vec<TokenStream> = Vec::new();
            if field.json != field.name {
                let json = &field.json;
                serde.push(quote!(rename = #json));
            }
            let optional = def.optional(field);
            if optional && !field.required {
                serde.push(quote!(skip_serializing_if = "Option::is_none"));
            }
            if field.shape.delimiter.is_some() {
                // A list sent as one comma-separated string; absent or `null` reads as empty.
                let with = format!("{}::comma_separated", self.rt_path());
                serde.push(quote!(default));
                serde.push(quote!(with = #with));
                if def.omissible_collection(field) {
                    serde.push(quote!(skip_serializing_if = "Vec::is_empty"));
                }
            } else if field.shape.is_collection() && !field.boxed {
                // Absent or `null` reads as empty.
                let null_as_default = format!("{}::null_as_default", self.rt_path());
                serde.push(quote!(default));
                serde.push(quote!(deserialize_with = #null_as_default));
                if def.omissible_collection(field) {
                    let is_empty = collection_is_empty(&field.shape);
                    serde.push(quote!(skip_serializing_if = #is_empty));
                }
            }
            if let Some(with) = serde_with(def, field)? {
                if optional {
                    serde.push(quote!(default));
                }
                serde.push(quote!(with = #with));
            }
            let serde = if serde.is_empty() {
                quote!()
            } else {
                quote!(#[serde(#(#serde),*)])
            };
            let mut docs = Docs::new();
            self.shape_docs(
                &mut docs,
                &field.shape,
                &format!("The {} field.", code(&field.json)),
            );
            if field.shape.read_only {
                docs.line("Set by the server; ignored in requests.");
            }
            if field.shape.deprecated {
                docs.line("Deprecated.");
            }
            let docs = docs.attrs();
            let aliases = super::alias_attrs(&field.shape);
            fields.push(quote! {
                #docs
                #aliases
                #serde
                pub #ident: #ty,
            });
        }
        if let Some(extra) = &def.extra {
            let value = self.nullable_ty(extra, &types);
            let ty = if extra.ty == Ty::Value {
                quote!(serde_json::Map<String, serde_json::Value>)
            } else {
                quote!(std::collections::BTreeMap<String, #value>)
            };
            fields.push(quote! {
                /// Properties not described by the schema, kept as received.
                #[serde(flatten)]
                pub extra: #ty,
            });
        }
        let default = if def.default {
            quote!(Default,)
        } else {
            quote!()
        };
        let non_exhaustive = if def.response {
            quote!(#[non_exhaustive])
        } else {
            quote!()
        };
        let request = if def.request {
            let constructor = self.constructor(def)?;
            let validate = self.validate_impl(def);
            quote!(#constructor #validate)
        } else {
            quote!()
        };
        Ok(quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, #default serde::Serialize, serde::Deserialize)]
            #non_exhaustive
            pub struct #name {
                #(#fields)*
            }

            #request
        })
    }

    /// The Rust type of a struct field.
    pub(crate) fn field_ty(
        &self,
        def: &StructDef,
        field: &Field,
        types: &TokenStream,
    ) -> TokenStream {
        let ty = self.ty(&field.shape, types);
        let ty = if field.boxed { quote!(Box<#ty>) } else { ty };
        if def.optional(field) {
            quote!(Option<#ty>)
        } else {
            ty
        }
    }

    /// The parameter type of `field` in the struct's `new`, if it is one: every field that
    /// must be given (its ergonomic input type), and every required but nullable one (its
    /// `Option`, so the caller says whether it is null).
    fn new_param(
        &self,
        def: &StructDef,
        field: &Field,
        types: &TokenStream,
    ) -> Option<TokenStream> {
        if !def.omissible(field) {
            Some(self.input(&field.shape, types).ty)
        } else if field.required && field.shape.nullable && def.settable(field) {
            Some(self.field_ty(def, field, types))
        } else {
            None
        }
    }

    /// `new` and one setter per optional field, for request-side structs.
    fn constructor(&self, def: &StructDef) -> Result<TokenStream> {
        let name = names::ident(&def.name);
        let types = quote!();
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut arg_docs = Vec::new();
        for field in &def.fields {
            let ident = names::ident(&field.name);
            if let Some(ty) = self.new_param(def, field, &types) {
                params.push(quote!(#ident: #ty));
                let value = if def.omissible(field) {
                    // Required but nullable: the caller says whether it is null.
                    quote!(#ident)
                } else {
                    (self.input(&field.shape, &types).convert)(&ident)
                };
                if field.boxed && !def.omissible(field) {
                    inits.push(quote!(#ident: Box::new(#value)));
                } else if ident == value.to_string() {
                    inits.push(quote!(#ident));
                } else {
                    inits.push(quote!(#ident: #value));
                }
                arg_docs.push(format!("`{}`", field.name));
                continue;
            }
            let collection = def.omissible_collection(field);
            if collection {
                inits.push(quote!(#ident: Default::default()));
            } else {
                inits.push(quote!(#ident: None));
            }
            if !def.settable(field) {
                continue;
            }
            if field.name == "new" {
                return Err(Error::invalid(
                    &field.pointer,
                    "a property named `new` would clash with the constructor",
                ));
            }
            let input = self.input(&field.shape, &types);
            let ty = input.ty;
            let value = (input.convert)(&ident);
            let value = if field.boxed {
                quote!(Box::new(#value))
            } else {
                value
            };
            let mut docs = Docs::new();
            self.shape_docs(
                &mut docs,
                &field.shape,
                &format!("Sets the {} member.", code(&field.json)),
            );
            let docs = docs.attrs();
            let stored = if collection {
                value
            } else {
                quote!(Some(#value))
            };
            let aliases = super::alias_attrs(&field.shape);
            setters.push(quote! {
                #docs
                #aliases
                pub fn #ident(mut self, #ident: #ty) -> Self {
                    self.#ident = #stored;
                    self
                }
            });
        }
        if let Some(extra) = &def.extra {
            inits.push(quote!(extra: Default::default()));
            let value = if extra.ty == Ty::Value {
                quote!(serde_json::Value)
            } else {
                self.nullable_ty(extra, &types)
            };
            setters.push(quote! {
                /// Adds a member the documented ones do not cover (this object accepts
                /// others): `key` set to `value`, sent beside the documented members.
                pub fn extra(mut self, key: impl Into<String>, value: impl Into<#value>) -> Self {
                    self.extra.insert(key.into(), value.into());
                    self
                }
            });
        }
        let mut docs = Docs::new();
        if arg_docs.is_empty() {
            docs.line(format!(
                "Creates an empty {}; set fields with the setters.",
                code(&def.name)
            ));
        } else {
            docs.line(format!(
                "Creates {} {} from its required fields ({}); optional fields start unset.",
                article(&def.name),
                code(&def.name),
                arg_docs.join(", ")
            ));
        }
        let docs = docs.attrs();
        let allow = if params.len() > 7 {
            quote!(#[allow(clippy::too_many_arguments)])
        } else {
            quote!()
        };
        let body = if params.is_empty() && def.default {
            quote!(Self::default())
        } else {
            quote!(Self { #(#inits),* })
        };
        Ok(quote! {
            impl #name {
                #docs
                #allow
                pub fn new(#(#params),*) -> Self {
                    #body
                }

                #(#setters)*
            }
        })
    }

    fn validate_impl(&self, def: &StructDef) -> TokenStream {
        let name = names::ident(&def.name);
        let types = quote!();
        let mut statements = Vec::new();
        for field in &def.fields {
            if !def.settable(field) || !self.api.models.has_checks(&field.shape) {
                continue;
            }
            let ident = names::ident(&field.name);
            let json = &field.json;
            let value = if field.boxed {
                quote!(&**value)
            } else {
                quote!(value)
            };
            let value_ident = quote!(value);
            let checks = self.checks(&value_ident, &field.shape, &FieldRef::Var, &types);
            let rebind = if field.boxed {
                quote!(let value = #value;)
            } else {
                quote!()
            };
            if def.optional(field) {
                statements.push(quote! {
                    if let Some(value) = &self.#ident {
                        #rebind
                        let field = at.field(#json);
                        #(#checks)*
                    }
                });
            } else if def.omissible_collection(field) {
                // Left empty, it is not sent, so there is nothing to check.
                statements.push(quote! {
                    if !self.#ident.is_empty() {
                        let value = &self.#ident;
                        let field = at.field(#json);
                        #(#checks)*
                    }
                });
            } else {
                let value = if field.boxed {
                    quote!(&*self.#ident)
                } else {
                    quote!(&self.#ident)
                };
                statements.push(quote! {
                    {
                        let value = #value;
                        let field = at.field(#json);
                        #(#checks)*
                    }
                });
            }
        }
        if let Some(extra) = &def.extra
            && self.api.models.has_checks(extra)
        {
            let value_ident = quote!(value);
            let checks = self.checks(&value_ident, extra, &FieldRef::Var, &types);
            let null = if extra.nullable {
                quote!(let Some(value) = value else { continue; };)
            } else {
                quote!()
            };
            statements.push(quote! {
                for (key, value) in &self.extra {
                    #null
                    let field = at.field(key);
                    #(#checks)*
                }
            });
        }
        if statements.is_empty() {
            quote! {
                impl rt::validate::Validate for #name {
                    fn validate(&self, _at: rt::validate::Path<'_>) -> Result<(), rt::Error> {
                        Ok(())
                    }
                }
            }
        } else {
            quote! {
                impl rt::validate::Validate for #name {
                    fn validate(&self, at: rt::validate::Path<'_>) -> Result<(), rt::Error> {
                        #(#statements)*
                        Ok(())
                    }
                }
            }
        }
    }

    /// An enum of a union's variants, with serde impls that write and read the discriminator
    /// (or try each variant in turn), `From` each variant, and for request-side unions a
    /// constructor per struct variant, the setters all variants share, and validation.
    fn union_item(&self, def: &UnionDef) -> Result<TokenStream> {
        let name = names::ident(&def.name);
        let types = quote!();
        let docs = self
            .type_docs(
                &def.name,
                def.pointer.as_str(),
                false,
                None,
                def.description.as_deref(),
            )
            .attrs();
        let mut variants = Vec::new();
        let mut froms = Vec::new();
        let mut serialize_arms = Vec::new();
        let mut validate_arms = Vec::new();
        let mut seen_types: Vec<String> = Vec::new();
        for variant in &def.variants {
            let ident = names::ident(&variant.name);
            let ty = self.nullable_ty(&variant.shape, &types);
            let mut docs = Docs::new();
            if !variant.tag_values.is_empty() {
                let values: Vec<String> = variant.tag_values.iter().map(|v| code(v)).collect();
                docs.line(format!(
                    "{} {}.",
                    values.join(", "),
                    def.tag
                        .as_deref()
                        .map_or_else(String::new, |tag| format!("(`{tag}`)"))
                ));
            }
            self.shape_docs(
                &mut docs,
                &variant.shape,
                &format!("A {}.", code(&ty.to_string().replace(' ', ""))),
            );
            let docs = docs.attrs();
            variants.push(quote!(#docs #ident(#ty),));
            let ty_text = ty.to_string();
            if !seen_types.contains(&ty_text) {
                seen_types.push(ty_text);
                froms.push(quote! {
                    impl From<#ty> for #name {
                        fn from(value: #ty) -> Self {
                            Self::#ident(value)
                        }
                    }
                });
                // A text variant takes string literals too.
                if !variant.shape.nullable && variant.shape.target().ty == Ty::String {
                    froms.push(quote! {
                        impl From<&str> for #name {
                            fn from(value: &str) -> Self {
                                Self::#ident(value.to_owned())
                            }
                        }
                    });
                }
            }
            serialize_arms.push(match (&def.tag, variant.written_tag()) {
                (Some(tag), Some(value)) => {
                    quote!(Self::#ident(inner) => rt::union::serialize_tagged(serializer, #tag, #value, inner),)
                }
                _ => quote!(Self::#ident(inner) => serde::Serialize::serialize(inner, serializer),),
            });
            let checks = self.checks(
                &quote!(inner),
                &variant.shape,
                &super::checks::FieldRef::Var,
                &types,
            );
            if checks.is_empty() {
                validate_arms.push(quote!(Self::#ident(_) => {}));
            } else {
                validate_arms.push(quote!(Self::#ident(inner) => { let field = at; #(#checks)* }));
            }
        }
        let deserialize = match &def.tag {
            Some(tag) => {
                let arms = def.variants.iter().filter_map(|v| {
                    let ident = names::ident(&v.name);
                    if v.tag_values.is_empty() {
                        return None;
                    }
                    let values = &v.tag_values;
                    Some(quote!(#(Some(#values))|* => rt::union::variant(value).map(Self::#ident),))
                });
                quote! {
                    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                    match rt::union::tag(&value, #tag) {
                        #(#arms)*
                        _ => Ok(Self::Unknown(value)),
                    }
                }
            }
            None => {
                let attempts = def.variants.iter().map(|v| {
                    let ident = names::ident(&v.name);
                    quote! {
                        if let Some(inner) = rt::union::try_variant(&value) {
                            return Ok(Self::#ident(inner));
                        }
                    }
                });
                let expected = format!("one of the shapes of `{}`", def.name);
                quote! {
                    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                    #(#attempts)*
                    Err(serde::de::Error::custom(rt::union::no_variant(&value, #expected)))
                }
            }
        };
        let unknown = if def.tag.is_some() {
            variants.push(quote! {
                /// A variant not documented when this client was generated, kept as received.
                Unknown(serde_json::Value),
            });
            serialize_arms.push(
                quote!(Self::Unknown(value) => serde::Serialize::serialize(value, serializer),),
            );
            let documented: Vec<&str> = def
                .variants
                .iter()
                .flat_map(|v| v.tag_values.iter().map(String::as_str))
                .collect();
            validate_arms.push(quote! {
                Self::Unknown(_) => return Err(rt::validate::unknown_variant(at, &[#(#documented),*])),
            });
            true
        } else {
            false
        };
        let non_exhaustive = if def.response || unknown {
            quote!(#[non_exhaustive])
        } else {
            quote!()
        };
        let request = if def.request {
            let constructors = self.union_constructors(def)?;
            let validate = if def.validates {
                quote! {
                    impl rt::validate::Validate for #name {
                        fn validate(&self, at: rt::validate::Path<'_>) -> Result<(), rt::Error> {
                            match self {
                                #(#validate_arms)*
                            }
                            Ok(())
                        }
                    }
                }
            } else {
                quote! {
                    impl rt::validate::Validate for #name {
                        fn validate(&self, _at: rt::validate::Path<'_>) -> Result<(), rt::Error> {
                            Ok(())
                        }
                    }
                }
            };
            quote!(#constructors #validate)
        } else {
            quote!()
        };
        // Variants hold values as users build and match them, unboxed, whatever their sizes.
        Ok(quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            #[allow(clippy::large_enum_variant)]
            #non_exhaustive
            pub enum #name {
                #(#variants)*
            }

            #(#froms)*

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms)*
                    }
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    #deserialize
                }
            }

            #request
        })
    }

    /// A constructor per struct variant of a request-side union (`TemplateRef::by_id(id)`),
    /// and the setters every variant has, applied to whichever variant the value is.
    fn union_constructors(&self, def: &UnionDef) -> Result<TokenStream> {
        let name = names::ident(&def.name);
        let types = quote!();
        let mut methods = Vec::new();
        let structs: Vec<(&crate::model::Variant, &StructDef)> = def
            .variants
            .iter()
            .filter_map(|v| match &v.shape.target().ty {
                Ty::Struct(s) if !v.shape.nullable => self.api.models.struct_def(s).map(|d| (v, d)),
                _ => None,
            })
            .collect();
        for (variant, sdef) in &structs {
            let method = names::ident(&names::member(&variant.name).ok_or_else(|| {
                Error::invalid(
                    &def.pointer,
                    format!("variant {:?} cannot be made a method name", variant.name),
                )
            })?);
            let ident = names::ident(&variant.name);
            let ty = names::ident(&sdef.name);
            let mut params = Vec::new();
            let mut args = Vec::new();
            for field in &sdef.fields {
                if let Some(input) = self.new_param(sdef, field, &types) {
                    let arg = names::ident(&field.name);
                    params.push(quote!(#arg: #input));
                    args.push(arg);
                }
            }
            let doc = format!(
                " The {} variant: see [`{}::new`].",
                code(&variant.name),
                sdef.name
            );
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method(#(#params),*) -> Self {
                    Self::#ident(#ty::new(#(#args),*))
                }
            });
        }
        // Setters every variant has, when every variant is a struct.
        if structs.len() == def.variants.len()
            && let Some((_, first)) = structs.first()
        {
            for field in &first.fields {
                if !first.omissible(field)
                    || !first.settable(field)
                    || self.new_param(first, field, &types).is_some()
                {
                    continue;
                }
                let shared = structs.iter().all(|(_, other)| {
                    other.fields.iter().any(|f| {
                        f.json == field.json
                            && other.omissible(f)
                            && other.settable(f)
                            && self.field_ty(other, f, &types).to_string()
                                == self.field_ty(first, field, &types).to_string()
                    })
                });
                if !shared {
                    continue;
                }
                let ident = names::ident(&field.name);
                let input = self.input(&field.shape, &types).ty;
                let arms = def.variants.iter().map(|v| {
                    let variant = names::ident(&v.name);
                    quote!(Self::#variant(inner) => Self::#variant(inner.#ident(#ident)),)
                });
                let unknown = if def.tag.is_some() {
                    quote!(Self::Unknown(value) => Self::Unknown(value),)
                } else {
                    quote!()
                };
                let mut docs = Docs::new();
                self.shape_docs(
                    &mut docs,
                    &field.shape,
                    &format!("Sets the {} member.", code(&field.json)),
                );
                let docs = docs.attrs();
                let aliases = super::alias_attrs(&field.shape);
                methods.push(quote! {
                    #docs
                    #aliases
                    pub fn #ident(self, #ident: #input) -> Self {
                        match self {
                            #(#arms)*
                            #unknown
                        }
                    }
                });
            }
        }
        if methods.is_empty() {
            return Ok(quote!());
        }
        Ok(quote! {
            impl #name {
                #(#methods)*
            }
        })
    }

    fn enum_item(&self, def: &EnumDef) -> TokenStream {
        let name = names::ident(&def.name);
        let docs = self
            .type_docs(
                &def.name,
                def.pointer.as_str(),
                true,
                def.title.as_deref(),
                def.description.as_deref(),
            )
            .attrs();
        let variants = def.variants.iter().map(|(variant, value)| {
            let variant = names::ident(variant);
            let mut docs = Docs::new();
            docs.line(code(value));
            let docs = docs.attrs();
            quote!(#docs #variant,)
        });
        let values = def.variants.iter().map(|(_, value)| value);
        let as_str = def.variants.iter().map(|(variant, value)| {
            let variant = names::ident(variant);
            quote!(Self::#variant => #value,)
        });
        let from = def.variants.iter().map(|(variant, value)| {
            let variant = names::ident(variant);
            quote!(#value => Self::#variant,)
        });
        let common = string_enum_impls(&quote!(#name), from, &self.rt);
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// A value not documented when this client was generated, kept as received.
                Unknown(String),
            }

            impl #name {
                /// Every documented value.
                pub const VALUES: &[&str] = &[#(#values),*];

                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str)*
                        Self::Unknown(value) => value,
                    }
                }

                /// Whether the value is documented (not `Unknown`).
                pub fn is_known(&self) -> bool {
                    !matches!(self, Self::Unknown(_))
                }
            }

            #common
        }
    }

    fn alias_item(&self, def: &AliasDef) -> TokenStream {
        let name = names::ident(&def.name);
        let ty = self.nullable_ty(
            &Shape {
                nullable: false,
                ..def.shape.clone()
            },
            &quote!(),
        );
        let mut docs = Docs::new();
        self.shape_docs(
            &mut docs,
            &def.shape,
            &format!("The {} schema.", code(&def.name)),
        );
        let docs = docs.attrs();
        quote! {
            #docs
            pub type #name = #ty;
        }
    }

    fn page_impl(&self, def: &StructDef, pagination: &Pagination) -> Result<TokenStream> {
        let name = names::ident(&def.name);
        let types = quote!();
        let items_field = def
            .fields
            .iter()
            .find(|f| f.json == pagination.items)
            .ok_or_else(|| {
                Error::invalid(
                    &pagination.pointer.join("items"),
                    format!("`{}` has no property {:?}", def.name, pagination.items),
                )
            })?;
        let Ty::Vec(item) = &items_field.shape.target().ty else {
            return Err(Error::invalid(
                &pagination.pointer.join("items"),
                format!("`{}.{}` is not an array", def.name, pagination.items),
            ));
        };
        let item_ty = self.nullable_ty(item, &types);
        let items = names::ident(&items_field.name);
        let (items_ref, into_items) = if def.optional(items_field) {
            (
                quote!(self.#items.as_deref().unwrap_or_default()),
                quote!(self.#items.unwrap_or_default()),
            )
        } else {
            (quote!(&self.#items), quote!(self.#items))
        };
        let has_more = if pagination.offset {
            self.offset_has_more(def, pagination, &quote!(rt::Page::items(self)))?
        } else {
            self.has_more(def, pagination)?
        };
        Ok(quote! {
            impl rt::Page for #name {
                type Item = #item_ty;

                fn items(&self) -> &[#item_ty] {
                    #items_ref
                }

                fn into_items(self) -> Vec<#item_ty> {
                    #into_items
                }

                fn has_more(&self) -> bool {
                    #has_more
                }
            }
        })
    }

    /// Offset pages: whether the items before and on this page are fewer than the total.
    /// Absent counts mean no further page.
    fn offset_has_more(
        &self,
        def: &StructDef,
        pagination: &Pagination,
        items: &TokenStream,
    ) -> Result<TokenStream> {
        let count = |member: &str, key: &str| -> Result<TokenStream> {
            let at = pagination.pointer.join(key);
            let field = def
                .fields
                .iter()
                .find(|f| f.json == member)
                .ok_or_else(|| {
                    Error::invalid(&at, format!("`{}` has no property {member:?}", def.name))
                })?;
            let ident = names::ident(&field.name);
            let value = quote!(value);
            let convert = match &field.shape.target().ty {
                Ty::U64 => quote!(Some(#value)),
                Ty::U32 => quote!(Some(u64::from(#value))),
                Ty::I32 | Ty::I64 => quote!(u64::try_from(#value).ok()),
                _ => {
                    return Err(Error::invalid(
                        &at,
                        format!("`{}.{member}` is not an integer", def.name),
                    ));
                }
            };
            Ok(if def.optional(field) {
                quote!(self.#ident.and_then(|#value| #convert))
            } else {
                quote!({
                    let #value = self.#ident;
                    #convert
                })
            })
        };
        let total = count(pagination.total.as_deref().unwrap_or("total"), "total")?;
        // The payload must repeat the offset: a page alone cannot say where it is otherwise.
        let offset = count(
            pagination.offset_member.as_deref().unwrap_or("offset"),
            "offset",
        )?;
        Ok(quote! {
            match (#offset, #total) {
                (Some(offset), Some(total)) => {
                    let seen = u64::try_from(#items.len()).unwrap_or(u64::MAX);
                    !#items.is_empty() && offset.saturating_add(seen) < total
                }
                _ => false,
            }
        })
    }

    /// The expression reading the dotted `has_more` path; absent values mean `false`.
    fn has_more(&self, def: &StructDef, pagination: &Pagination) -> Result<TokenStream> {
        let at = pagination.pointer.join("has_more");
        let mut current = def;
        // Either a place expression (`self.pagination`) or an `Option<&T>` expression.
        let mut expr = quote!(self);
        let mut optional = false;
        let mut binder = names::ident("page");
        let segments = &pagination.has_more;
        for (index, segment) in segments.iter().enumerate() {
            let field = current
                .fields
                .iter()
                .find(|f| &f.json == segment)
                .ok_or_else(|| {
                    Error::invalid(
                        &at,
                        format!("`{}` has no property {segment:?}", current.name),
                    )
                })?;
            let ident = names::ident(&field.name);
            let field_optional = current.optional(field);
            let last = index + 1 == segments.len();
            if last {
                if field.shape.target().ty != Ty::Bool {
                    return Err(Error::invalid(
                        &at,
                        format!("`{}.{segment}` is not a boolean", current.name),
                    ));
                }
                return Ok(match (optional, field_optional) {
                    (false, false) => quote!(#expr.#ident),
                    (false, true) => quote!(#expr.#ident.unwrap_or(false)),
                    (true, false) => quote!(#expr.is_some_and(|#binder| #binder.#ident)),
                    (true, true) => {
                        quote!(#expr.and_then(|#binder| #binder.#ident).unwrap_or(false))
                    }
                });
            }
            let next = shape_struct(&field.shape)
                .and_then(|name| self.api.models.struct_def(name))
                .ok_or_else(|| {
                    Error::invalid(
                        &at,
                        format!("`{}.{segment}` is not an object", current.name),
                    )
                })?;
            let as_ref = if field.boxed {
                quote!(as_deref)
            } else {
                quote!(as_ref)
            };
            expr = match (optional, field_optional) {
                (false, false) => quote!(#expr.#ident),
                (false, true) => quote!(#expr.#ident.#as_ref()),
                (true, false) => quote!(#expr.map(|#binder| &#binder.#ident)),
                (true, true) => quote!(#expr.and_then(|#binder| #binder.#ident.#as_ref())),
            };
            optional |= field_optional;
            binder = ident;
            current = next;
        }
        Err(Error::invalid(&at, "empty path"))
    }
}

/// The `#[serde(with)]` module a field needs, if any.
fn serde_with(def: &StructDef, field: &Field) -> Result<Option<String>> {
    let target = field.shape.target();
    if target.ty == Ty::DateTime {
        return Ok(Some(if def.optional(field) {
            "time::serde::rfc3339::option".to_owned()
        } else {
            "time::serde::rfc3339".to_owned()
        }));
    }
    if contains_date_time(target) {
        return Err(Error::unsupported(
            &field.pointer,
            "date-time values inside arrays or maps",
        ));
    }
    Ok(None)
}

/// The `skip_serializing_if` function of a collection field.
fn collection_is_empty(shape: &Shape) -> String {
    match &shape.target().ty {
        Ty::Map(_) => "std::collections::BTreeMap::is_empty".to_owned(),
        Ty::JsonMap => "serde_json::Map::is_empty".to_owned(),
        _ => "Vec::is_empty".to_owned(),
    }
}

fn contains_date_time(shape: &Shape) -> bool {
    match &shape.ty {
        Ty::DateTime => true,
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Alias(_, inner) => contains_date_time(inner),
        _ => false,
    }
}

/// Short notes on format and constraints, for documentation.
pub(crate) fn notes(shape: &Shape) -> Vec<String> {
    let mut notes = Vec::new();
    let target = shape.target();
    if let Some(format) = &target.format
        && !matches!(format.as_str(), "uuid" | "date-time")
    {
        notes.push(format!("Format: {}.", code(format)));
    }
    let checks = &target.checks;
    if let Some(pattern) = &checks.pattern {
        notes.push(format!("Must match {}.", code(pattern)));
    }
    let chars = |n: usize| if n == 1 { "character" } else { "characters" };
    match (checks.min_length, checks.max_length) {
        (Some(min), Some(max)) if min == max => {
            notes.push(format!("Exactly {min} {}.", chars(min)));
        }
        (Some(min), Some(max)) => notes.push(format!("{min} to {max} characters.")),
        (Some(min), None) => notes.push(format!("At least {min} {}.", chars(min))),
        (None, Some(max)) => notes.push(format!("At most {max} {}.", chars(max))),
        (None, None) => {}
    }
    let vec = matches!(target.ty, Ty::Vec(_));
    let unit = |n: usize| match (vec, n == 1) {
        (true, true) => "item",
        (true, false) => "items",
        (false, true) => "entry",
        (false, false) => "entries",
    };
    match (checks.min_items, checks.max_items) {
        (Some(min), Some(max)) if min == max => notes.push(format!("Exactly {min} {}.", unit(min))),
        (Some(min), Some(max)) => notes.push(format!("{min} to {max} {}.", unit(max))),
        (Some(min), None) => notes.push(format!("At least {min} {}.", unit(min))),
        (None, Some(max)) => notes.push(format!("At most {max} {}.", unit(max))),
        (None, None) => {}
    }
    match (checks.min_int, checks.max_int) {
        (Some(min), Some(max)) => notes.push(format!("From {min} to {max}.")),
        (Some(min), None) => notes.push(format!("At least {min}.")),
        (None, Some(max)) => notes.push(format!("At most {max}.")),
        (None, None) => {}
    }
    match (checks.min_num, checks.max_num) {
        (Some(min), Some(max)) => notes.push(format!("From {min} to {max}.")),
        (Some(min), None) => notes.push(format!("At least {min}.")),
        (None, Some(max)) => notes.push(format!("At most {max}.")),
        (None, None) => {}
    }
    if let Some(default) = shape.default.as_ref().or(target.default.as_ref())
        && !default.is_null()
    {
        notes.push(format!("Defaults to {}.", code(&default.to_string())));
    }
    notes
}

/// A type name in lowercase words: `WebhookDelivery` → `webhook delivery`.
fn words(name: &str) -> String {
    use heck::ToSnakeCase;
    name.to_snake_case().replace('_', " ")
}

/// "a" or "an" before a type name or words.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
