//! `pub mod <group>`: group handles and request builders.

use indexmap::IndexMap;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::checks::FieldRef;
use super::types::notes;
use super::{Emitter, group_call, handle_ident, supers};
use crate::api::{FormPart, Group, Location, Op, PageRole, Param, PartKind, shape_struct};
use crate::docs::{Docs, code, escape};
use crate::error::{Error, Result};
use crate::model::{Shape, Ty};
use crate::names::{self, Pointer};

/// A value of a builder: a parameter or the body.
struct Member {
    field: Ident,
    ty: TokenStream,
    init: TokenStream,
}

/// A group-method argument.
struct Arg {
    ident: Ident,
    ty: TokenStream,
    doc: Option<String>,
}

/// Names in one namespace, with the node that claimed each.
#[derive(Default)]
struct Namespace {
    names: IndexMap<String, Pointer>,
}

impl Namespace {
    fn reserve(&mut self, name: &str, pointer: &Pointer) {
        self.names.insert(name.to_owned(), pointer.clone());
    }

    fn claim(&mut self, name: &str, pointer: &Pointer, what: &str) -> Result<()> {
        if let Some(first) = self.names.get(name) {
            return Err(Error::NameCollision {
                name: format!("{what} `{name}`"),
                first: first.to_string(),
                second: pointer.to_string(),
            });
        }
        self.names.insert(name.to_owned(), pointer.clone());
        Ok(())
    }
}

/// How many `super::` lead from a group's module to the file's root: one per path segment, plus
/// one for the enclosing `resources` module.
fn group_depth(group: &Group) -> usize {
    group.path.len() + 1
}

impl Emitter<'_> {
    pub(crate) fn group_module(&self, name: &str, group: &Group) -> Result<TokenStream> {
        let depth = group_depth(group);
        let root = supers(depth);
        let module = names::ident(name);
        let handle = handle_ident(group);
        let call = group_call(group);

        let mut methods = Vec::new();
        let mut builders = Vec::new();
        for &index in &group.ops {
            let (method, builder) = self.operation(&self.api.ops[index], group)?;
            methods.push(method);
            builders.push(builder);
        }
        let mut children = Vec::new();
        for (child_name, child) in &group.children {
            let child_module = names::ident(child_name);
            let child_handle = handle_ident(child);
            let mut docs = Docs::new();
            docs.line(format!("Operations under {}.", code(&group_call(child))));
            let docs = docs.attrs();
            methods.push(quote! {
                #docs
                pub fn #child_module(&self) -> #child_module::#child_handle<'a> {
                    #child_module::#child_handle { client: self.client }
                }
            });
            children.push(self.group_module(child_name, child)?);
        }
        let impl_header = if group.children.is_empty() {
            quote!(impl #handle<'_>)
        } else {
            quote!(impl<'a> #handle<'a>)
        };
        let mut docs = Docs::new();
        docs.line(format!("Operations under {}.", code(&call)));
        let module_docs = docs.attrs();
        let mut docs = Docs::new();
        docs.line(format!("Handle for the operations under {}.", code(&call)));
        let handle_docs = docs.attrs();
        let body = quote! {
            #handle_docs
            #[derive(Clone, Copy, Debug)]
            pub struct #handle<'a> {
                pub(crate) client: &'a Client,
            }

            #impl_header {
                #(#methods)*
            }

            #(#builders)*
        };
        let use_rt = self.use_rt(&body);
        // The file's root items this module uses, imported once.
        let mut imports = vec![quote!(Client)];
        if !group.ops.is_empty() {
            imports.push(quote!(operations));
        }
        if super::mentions(&body, "types") {
            imports.push(quote!(types));
        }
        Ok(quote! {
            #module_docs
            pub mod #module {
                use #root{#(#imports),*};
                #use_rt
                #body
                #(#children)*
            }
        })
    }

    /// The group method and the builder of one operation.
    fn operation(&self, op: &Op, group: &Group) -> Result<(TokenStream, TokenStream)> {
        let types = quote!(types::);
        let builder_name = names::builder_type(&op.method).unwrap_or_else(|| "Request".to_owned());
        let builder = names::ident(&builder_name);
        let method = names::ident(&op.method);
        let route = format!("{} {}", op.http_method, op.path);
        let call = format!("{}.{}()", group_call(group), names::ident(&op.method));

        let mut setters = Namespace::default();
        let mut arg_names = Namespace::default();
        for reserved in ["options", "send", "into_future"] {
            setters.reserve(reserved, &op.pointer);
        }
        if op.pagination.is_some() {
            for reserved in ["pages", "items"] {
                setters.reserve(reserved, &op.pointer);
            }
        }
        arg_names.reserve("self", &op.pointer);

        let mut args: Vec<Arg> = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        let mut builder_methods: Vec<TokenStream> = Vec::new();

        let field_names = param_fields(op)?;
        for (param, field_name) in op.params.iter().zip(&field_names) {
            let ident = names::ident(&param.name);
            let field = names::ident(field_name);
            let stored = self.ty(&param.shape, &types);
            let input = self.input(&param.shape, &types);
            let input_ty = &input.ty;
            let value = (input.convert)(&ident);
            if param.is_argument() {
                arg_names.claim(&param.name, &param.pointer, "argument")?;
                args.push(Arg {
                    ident: ident.clone(),
                    ty: input.ty.clone(),
                    doc: param_doc(param),
                });
                members.push(Member {
                    field,
                    ty: stored,
                    init: value,
                });
            } else {
                setters.claim(&param.name, &param.pointer, "builder method")?;
                members.push(Member {
                    field: field.clone(),
                    ty: quote!(Option<#stored>),
                    init: quote!(None),
                });
                let mut docs = Docs::new();
                if self.is_shared_header(param) {
                    // Documented once, in the `resources` module.
                    docs.line(format!(
                        "{} See [options every request takes]({}#options-every-request-takes).",
                        first_sentence(&param_doc(param).unwrap_or_default()),
                        resources_link(group)
                    ));
                } else {
                    self.shape_docs(&mut docs, &param_shape(param), &param_fallback(param));
                }
                match (param.page_role, &op.pagination) {
                    (Some(PageRole::Page), Some(p)) if p.offset => {
                        docs.line("Offset 0 is requested when this is not set.");
                    }
                    (Some(PageRole::Page), _) => {
                        docs.line("Page 1 is requested when this is not set.");
                    }
                    (Some(PageRole::PageSize), Some(p)) => {
                        if let Some(size) = p.default_page_size {
                            docs.line(format!("{size} is sent when this is not set."));
                        }
                    }
                    _ => {}
                }
                let docs = docs.attrs();
                let aliases = super::alias_attrs(&param.shape);
                builder_methods.push(quote! {
                    #docs
                    #aliases
                    pub fn #ident(mut self, #ident: #input_ty) -> Self {
                        self.#field = Some(#value);
                        self
                    }
                });
            }
        }

        // The body: a struct assembled field by field, or a value passed whole.
        let body_struct = op
            .body
            .as_ref()
            .and_then(|b| shape_struct(&b.shape))
            .and_then(|name| self.api.models.struct_def(name));
        let mut body_validates = false;
        let mut body_optional = false;
        if let Some(parts) = op.body.as_ref().and_then(|b| b.form.as_ref()) {
            for part in parts {
                let ident = names::ident(&part.name);
                let field = form_field(part);
                let (stored, input_ty, value) = match &part.kind {
                    PartKind::File(_) => (quote!(rt::Upload), quote!(rt::Upload), quote!(#ident)),
                    PartKind::Text(shape) => {
                        let input = self.input(shape, &types);
                        (self.ty(shape, &types), input.ty, (input.convert)(&ident))
                    }
                };
                let doc = part_doc(part);
                if part.required {
                    arg_names.claim(&part.name, &part.pointer, "argument")?;
                    args.push(Arg {
                        ident,
                        ty: input_ty,
                        doc: Some(doc),
                    });
                    members.push(Member {
                        field,
                        ty: stored,
                        init: value,
                    });
                } else {
                    setters.claim(&part.name, &part.pointer, "builder method")?;
                    members.push(Member {
                        field: field.clone(),
                        ty: quote!(Option<#stored>),
                        init: quote!(None),
                    });
                    let mut docs = Docs::new();
                    docs.text(&doc);
                    let docs = docs.attrs();
                    builder_methods.push(quote! {
                        #docs
                        pub fn #ident(mut self, #ident: #input_ty) -> Self {
                            self.#field = Some(#value);
                            self
                        }
                    });
                }
            }
        } else if let Some(body) = &op.body {
            let body_ty = self.ty(&body.shape, &types);
            match body_struct {
                Some(def) => {
                    body_validates = def.validates;
                    let needs_args = def
                        .fields
                        .iter()
                        .any(|f| !def.omissible(f) || (f.required && def.settable(f)));
                    if body.required || (!needs_args && def.default) {
                        body_optional = !body.required;
                        let mut new_args = Vec::new();
                        for field in &def.fields {
                            let ident = names::ident(&field.name);
                            let optional = def.omissible(field);
                            let nullable_arg = optional
                                && field.required
                                && field.shape.nullable
                                && def.settable(field);
                            if !optional || nullable_arg {
                                arg_names.claim(&field.name, &field.pointer, "argument")?;
                                let ty = if nullable_arg {
                                    self.field_ty(def, field, &types)
                                } else {
                                    self.input(&field.shape, &types).ty
                                };
                                args.push(Arg {
                                    ident: ident.clone(),
                                    ty,
                                    doc: field.shape.description.clone(),
                                });
                                new_args.push(ident);
                                continue;
                            }
                            if !def.settable(field) {
                                continue;
                            }
                            setters.claim(&field.name, &field.pointer, "builder method")?;
                            let input = self.input(&field.shape, &types);
                            let input_ty = input.ty;
                            let mut docs = Docs::new();
                            self.shape_docs(
                                &mut docs,
                                &field.shape,
                                &format!("Sets the body field {}.", code(&field.json)),
                            );
                            let docs = docs.attrs();
                            let aliases = super::alias_attrs(&field.shape);
                            let docs = quote!(#docs #aliases);
                            let assign = if body.required {
                                quote!(self.body = self.body.#ident(#ident);)
                            } else {
                                quote!(self.body = Some(self.body.unwrap_or_default().#ident(#ident));)
                            };
                            builder_methods.push(quote! {
                                #docs
                                pub fn #ident(mut self, #ident: #input_ty) -> Self {
                                    #assign
                                    self
                                }
                            });
                        }
                        if let Some(extra) = &def.extra {
                            setters.claim(
                                "extra",
                                &op.pointer.join("requestBody"),
                                "builder method",
                            )?;
                            let value = if extra.ty == Ty::Value {
                                quote!(serde_json::Value)
                            } else {
                                self.nullable_ty(extra, &types)
                            };
                            let assign = if body.required {
                                quote!(self.body = self.body.extra(key, value);)
                            } else {
                                quote!(self.body = Some(self.body.unwrap_or_default().extra(key, value));)
                            };
                            builder_methods.push(quote! {
                                /// Adds a body member the documented ones do not cover (the
                                /// body accepts others): `key` set to `value`.
                                pub fn extra(
                                    mut self,
                                    key: impl Into<String>,
                                    value: impl Into<#value>,
                                ) -> Self {
                                    #assign
                                    self
                                }
                            });
                        }
                        let (ty, init) = if body.required {
                            (body_ty.clone(), quote!(#body_ty::new(#(#new_args),*)))
                        } else {
                            (quote!(Option<#body_ty>), quote!(None))
                        };
                        members.push(Member {
                            field: names::ident("body"),
                            ty,
                            init,
                        });
                    } else {
                        body_optional = true;
                        setters.claim("body", &op.pointer.join("requestBody"), "builder method")?;
                        members.push(Member {
                            field: names::ident("body"),
                            ty: quote!(Option<#body_ty>),
                            init: quote!(None),
                        });
                        let mut docs = Docs::new();
                        docs.line("Sets the request body.");
                        docs.opt_text(body.description.as_deref());
                        let docs = docs.attrs();
                        builder_methods.push(quote! {
                            #docs
                            pub fn body(mut self, body: #body_ty) -> Self {
                                self.body = Some(body);
                                self
                            }
                        });
                    }
                }
                None => {
                    let input = self.input(&body.shape, &types);
                    let body_ident = names::ident("body");
                    if body.required {
                        arg_names.claim("body", &op.pointer.join("requestBody"), "argument")?;
                        args.push(Arg {
                            ident: body_ident.clone(),
                            ty: input.ty.clone(),
                            doc: body.description.clone(),
                        });
                        members.push(Member {
                            field: body_ident.clone(),
                            ty: body_ty,
                            init: (input.convert)(&body_ident),
                        });
                    } else {
                        body_optional = true;
                        setters.claim("body", &op.pointer.join("requestBody"), "builder method")?;
                        let input_ty = input.ty.clone();
                        let value = (input.convert)(&body_ident);
                        members.push(Member {
                            field: body_ident,
                            ty: quote!(Option<#body_ty>),
                            init: quote!(None),
                        });
                        let mut docs = Docs::new();
                        docs.line("Sets the request body.");
                        docs.opt_text(body.description.as_deref());
                        let docs = docs.attrs();
                        builder_methods.push(quote! {
                            #docs
                            pub fn body(mut self, body: #input_ty) -> Self {
                                self.body = Some(#value);
                                self
                            }
                        });
                    }
                }
            }
        }

        // The group method.
        let mut docs = Docs::new();
        if let Some(summary) = &op.summary {
            docs.text(&sentence(summary));
        }
        docs.opt_text(op.description.as_deref());
        docs.line(format!("Sends {}.", code(&route)));
        if op.deprecated {
            docs.line("Deprecated.");
        }
        if let Some(note) = &op.responses.note {
            docs.line(note.clone());
        }
        if args.iter().any(|a| a.doc.is_some()) {
            docs.line("# Arguments");
            for (index, arg) in args.iter().enumerate() {
                let name = arg.ident.to_string();
                let name = name.trim_start_matches("r#");
                let text = arg
                    .doc
                    .as_deref()
                    .map(|d| escape(d).join(" "))
                    .unwrap_or_default();
                let item = if text.is_empty() {
                    format!("* `{name}`")
                } else {
                    format!("* `{name}`: {text}")
                };
                if index == 0 {
                    docs.line(item);
                } else {
                    docs.cont(item);
                }
            }
        }
        let method_docs = docs.attrs();
        let params = args.iter().map(|a| {
            let ident = &a.ident;
            let ty = &a.ty;
            quote!(#ident: #ty)
        });
        let inits = members.iter().map(|m| {
            let field = &m.field;
            let init = &m.init;
            if *field == init.to_string() {
                quote!(#field)
            } else {
                quote!(#field: #init)
            }
        });
        let allow = if args.len() + 1 > 7 {
            quote!(#[allow(clippy::too_many_arguments)])
        } else {
            quote!()
        };
        let group_method = quote! {
            #method_docs
            #allow
            pub fn #method(&self, #(#params),*) -> #builder {
                #builder {
                    client: self.client.clone(),
                    #(#inits,)*
                    options: rt::RequestOptions::default(),
                }
            }
        };

        // The builder.
        let output = match &op.responses.payload {
            Some(shape) => self.nullable_ty(shape, &types),
            None => quote!(()),
        };
        let send = self.send_body(op, &field_names, body_validates, body_optional)?;
        builder_methods.extend(self.stream_methods(op, &field_names, &output));
        let field_decls = members.iter().map(|m| {
            let field = &m.field;
            let ty = &m.ty;
            quote!(#field: #ty,)
        });
        let mut docs = Docs::new();
        docs.line(format!(
            "Request builder for {}: {}. See [request builders]({}#request-builders).",
            code(&call),
            code(&route),
            resources_link(group)
        ));
        let builder_docs = docs.attrs();
        let send_doc = format!(
            " Validates the request and sends it; see [request builders]({}#request-builders) \
             for what can fail.",
            resources_link(group)
        );
        let builder_item = quote! {
            #builder_docs
            #[derive(Clone, Debug)]
            #[must_use = "a request builder does nothing until it is awaited or sent"]
            pub struct #builder {
                client: Client,
                #(#field_decls)*
                options: rt::RequestOptions,
            }

            impl #builder {
                #(#builder_methods)*

                /// Overrides the client's request options for this request only.
                pub fn options(mut self, options: rt::RequestOptions) -> Self {
                    self.options = options;
                    self
                }

                #[doc = #send_doc]
                pub async fn send(self) -> Result<rt::Response<#output>, rt::Error> {
                    #send
                }
            }

            impl std::future::IntoFuture for #builder {
                type Output = Result<rt::Response<#output>, rt::Error>;
                type IntoFuture = rt::BoxFuture<Self::Output>;

                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }
        };
        Ok((group_method, builder_item))
    }

    /// `pages()` and `items()` for an operation under `x-pagination` whose payload is a
    /// (non-nullable) object implementing `rt::Page`.
    fn stream_methods(
        &self,
        op: &Op,
        field_names: &[String],
        output: &TokenStream,
    ) -> Vec<TokenStream> {
        let payload_is_page = op
            .responses
            .payload
            .as_ref()
            .is_some_and(|shape| !shape.nullable && shape_struct(shape).is_some());
        let page_field = op
            .params
            .iter()
            .zip(field_names)
            .find(|(param, _)| param.page_role == Some(PageRole::Page))
            .map(|(_, field)| names::ident(field));
        let (Some(pagination), true, Some(page)) = (&op.pagination, payload_is_page, page_field)
        else {
            return Vec::new();
        };
        let pages = if pagination.offset {
            let doc = format!(
                " Streams the pages of the list, starting at the offset set with `{page}` (0 when \
                 unset), each starting after the items of the one before, with every other \
                 setting of this builder; see [`rt::Pages`]."
            );
            quote! {
                #[doc = #doc]
                pub fn pages(self) -> rt::Pages<#output> {
                    let first = self.#page.unwrap_or(0);
                    rt::Pages::offsets(first, move |offset| {
                        let mut request = self.clone();
                        request.#page = Some(offset);
                        Box::pin(request.send())
                    })
                }
            }
        } else {
            let doc = format!(
                " Streams the pages of the list, starting at the page set with `{page}` (page 1 \
                 when unset), with every other setting of this builder; see [`rt::Pages`]."
            );
            quote! {
                #[doc = #doc]
                pub fn pages(self) -> rt::Pages<#output> {
                    let first = self.#page.unwrap_or(1);
                    rt::Pages::new(first, move |page| {
                        let mut request = self.clone();
                        request.#page = Some(page);
                        Box::pin(request.send())
                    })
                }
            }
        };
        vec![
            pages,
            quote! {
                /// Streams the items of every page, fetching pages lazily as `pages` does.
                pub fn items(self) -> rt::Items<#output> {
                    self.pages().items()
                }
            },
        ]
    }

    /// The body of `send`: validation, then the request.
    fn send_body(
        &self,
        op: &Op,
        field_names: &[String],
        body_validates: bool,
        body_optional: bool,
    ) -> Result<TokenStream> {
        let types = quote!(types::);
        let mut statements: Vec<TokenStream> = Vec::new();

        for (param, field_name) in op.params.iter().zip(field_names) {
            if !self.api.models.has_checks(&param.shape) {
                continue;
            }
            let ident = names::ident(field_name);
            let value = quote!(value);
            let checks = self.checks(
                &value,
                &param.shape,
                &FieldRef::Literal(param.wire.clone()),
                &types,
            );
            if param.is_argument() {
                statements.push(quote! {
                    {
                        let value = &self.#ident;
                        #(#checks)*
                    }
                });
            } else {
                statements.push(quote! {
                    if let Some(value) = &self.#ident {
                        #(#checks)*
                    }
                });
            }
        }
        if let Some(body) = &op.body {
            if shape_struct(&body.shape).is_some() {
                if body_validates {
                    if body_optional {
                        statements.push(quote! {
                            if let Some(body) = &self.body {
                                rt::validate::Validate::validate(body, rt::validate::Path::Root)?;
                            }
                        });
                    } else {
                        statements.push(quote!(rt::validate::Validate::validate(&self.body, rt::validate::Path::Root)?;));
                    }
                }
            } else if self.api.models.has_checks(&body.shape) {
                let value = quote!(value);
                let checks = self.checks(
                    &value,
                    &body.shape,
                    &FieldRef::Literal("body".to_owned()),
                    &types,
                );
                if body_optional {
                    statements.push(quote! {
                        if let Some(value) = &self.body {
                            #(#checks)*
                        }
                    });
                } else {
                    statements.push(quote! {
                        {
                            let value = &self.body;
                            #(#checks)*
                        }
                    });
                }
            }
        }

        // Path: each parameter is encoded into a binding named after it, then formatted in.
        let mut format = String::new();
        let mut segments: Vec<TokenStream> = Vec::new();
        let mut rest = op.path.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
            format.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
            let name = &rest[start + 1..end];
            let (param, field_name) = op
                .params
                .iter()
                .zip(field_names)
                .find(|(p, _)| p.location == Location::Path && p.wire == name)
                .ok_or_else(|| Error::invalid(&op.pointer, format!("undeclared {{{name}}}")))?;
            let ident = names::ident(field_name);
            let binding = if ident.to_string().starts_with("r#") {
                format!("{}_", param.name)
            } else {
                param.name.clone()
            };
            format.push('{');
            format.push_str(&binding);
            format.push('}');
            let binding = names::ident(&binding);
            let text = self.path_text(&quote!(self.#ident), &param.shape, &param.wire);
            segments.push(quote!(let #binding = rt::encode_path_segment(#text);));
            rest = rest.get(end + 1..).unwrap_or("");
        }
        format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        let path = if segments.is_empty() {
            let path = &op.path;
            quote!(path: #path.to_owned())
        } else {
            statements.extend(segments);
            statements.push(quote!(let path = format!(#format);));
            quote!(path)
        };

        // Query and headers.
        let (query_statements, query) = self.pairs(op, field_names, Location::Query, "query");
        let (header_statements, headers) = self.pairs(op, field_names, Location::Header, "headers");
        statements.extend(query_statements);
        statements.extend(header_statements);

        let body = match &op.body {
            None => quote!(body: None),
            Some(body) if body.form.is_some() => {
                let parts = body.form.as_deref().unwrap_or_default();
                statements.extend(self.form_statements(op, parts));
                quote!(body: Some(rt::RequestBody::Multipart(form)))
            }
            Some(_) => {
                let serialize = if body_optional {
                    quote! {
                        self.body
                            .as_ref()
                            .map(|body| rt::JsonBody::new(body).map(rt::RequestBody::Json))
                            .transpose()?
                    }
                } else {
                    quote!(Some(rt::RequestBody::Json(rt::JsonBody::new(&self.body)?)))
                };
                statements.push(quote! {
                    let body = #serialize;
                });
                quote!(body)
            }
        };
        let static_name = names::ident(&op.static_name());
        Ok(quote! {
            #(#statements)*
            let request = rt::OperationRequest {
                operation: &operations::#static_name,
                #path,
                #query,
                #headers,
                #body,
                options: self.options,
            };
            self.client.runtime().execute(request).await
        })
    }

    /// Statements checking the parts of a form and adding them to `form`, in document order.
    fn form_statements(&self, op: &Op, parts: &[FormPart]) -> Vec<TokenStream> {
        let types = quote!(types::);
        let mut statements = vec![quote!(let mut form = rt::Multipart::new();)];
        for part in parts {
            let field = form_field(part);
            let wire = &part.wire;
            let value = quote!(value);
            let add = match &part.kind {
                PartKind::File(_) => {
                    let rules = super::operations::file_rules_ident(op, part);
                    quote!(form = form.file(#wire, #value, &operations::#rules)?;)
                }
                PartKind::Text(shape) => {
                    let checks = if self.api.models.has_checks(shape) {
                        let checks = self.checks(
                            &quote!(checked),
                            shape,
                            &FieldRef::Literal(wire.clone()),
                            &types,
                        );
                        quote! {
                            {
                                let checked = &#value;
                                #(#checks)*
                            }
                        }
                    } else {
                        quote!()
                    };
                    let text = self.wire_text(&value, shape, wire);
                    quote! {
                        #checks
                        form = form.text(#wire, #text);
                    }
                }
            };
            if part.required {
                statements.push(quote! {
                    {
                        let #value = self.#field;
                        #add
                    }
                });
            } else {
                statements.push(quote! {
                    if let Some(#value) = self.#field {
                        #add
                    }
                });
            }
        }
        statements
    }

    /// `&str` text of a path parameter.
    fn path_text(&self, place: &TokenStream, shape: &Shape, wire: &str) -> TokenStream {
        match &shape.target().ty {
            Ty::String => quote!(&#place),
            Ty::Enum(_) => quote!(#place.as_str()),
            Ty::DateTime => {
                let convert = date_time(place, wire);
                quote!(&#convert)
            }
            _ => quote!(&#place.to_string()),
        }
    }

    /// Statements collecting the parameters of one location into `var`, and the field
    /// initializer of `OperationRequest` for it.
    fn pairs(
        &self,
        op: &Op,
        field_names: &[String],
        location: Location,
        var: &str,
    ) -> (Vec<TokenStream>, TokenStream) {
        let var = names::ident(var);
        let params: Vec<(&Param, &String)> = op
            .params
            .iter()
            .zip(field_names)
            .filter(|(p, _)| p.location == location)
            .collect();
        if params.is_empty() {
            return (Vec::new(), quote!(#var: Vec::new()));
        }
        let mut leading: Vec<TokenStream> = Vec::new();
        let mut rest: Vec<TokenStream> = Vec::new();
        for (param, field_name) in params {
            let ident = names::ident(field_name);
            let wire = &param.wire;
            let is_vec = matches!(param.shape.target().ty, Ty::Vec(_));
            let element = match &param.shape.target().ty {
                Ty::Vec(item) => (**item).clone(),
                _ => param.shape.clone(),
            };
            let default = match (param.page_role, &op.pagination) {
                (Some(PageRole::Page), Some(p)) => Some(p.first()),
                (Some(PageRole::Page), None) => Some(1),
                (Some(PageRole::PageSize), Some(p)) => p.default_page_size,
                _ => None,
            };
            if let Some(default) = default {
                let default = super::checks::int_lit(default);
                let value = quote!(self.#ident.unwrap_or(#default).to_string());
                if rest.is_empty() {
                    leading.push(quote!((#wire, #value)));
                } else {
                    rest.push(quote!(#var.push((#wire, #value));));
                }
                continue;
            }
            let value = quote!(value);
            let text = self.wire_text(&value, &element, wire);
            if param.is_argument() && !is_vec {
                let text = self.wire_text(&quote!(self.#ident), &element, wire);
                if rest.is_empty() {
                    leading.push(quote!((#wire, #text)));
                } else {
                    rest.push(quote!(#var.push((#wire, #text));));
                }
            } else if is_vec && !param.explode {
                // `explode: false`: one pair with the items separated by commas.
                let join = |values: TokenStream| {
                    if element.target().ty == Ty::String {
                        quote!(#values.join(","))
                    } else {
                        quote! {
                            #values
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(",")
                        }
                    }
                };
                if param.is_argument() {
                    let joined = join(quote!(self.#ident));
                    if rest.is_empty() {
                        leading.push(quote!((#wire, #joined)));
                    } else {
                        rest.push(quote!(#var.push((#wire, #joined));));
                    }
                } else {
                    let joined = join(quote!(values));
                    rest.push(quote! {
                        if let Some(values) = self.#ident {
                            #var.push((#wire, #joined));
                        }
                    });
                }
            } else if param.is_argument() {
                rest.push(quote! {
                    for value in self.#ident {
                        #var.push((#wire, #text));
                    }
                });
            } else if is_vec {
                rest.push(quote! {
                    if let Some(values) = self.#ident {
                        for value in values {
                            #var.push((#wire, #text));
                        }
                    }
                });
            } else {
                rest.push(quote! {
                    if let Some(value) = self.#ident {
                        #var.push((#wire, #text));
                    }
                });
            }
        }
        let init = if leading.is_empty() {
            quote!(Vec::new())
        } else {
            quote!(Vec::from([#(#leading),*]))
        };
        let statements = if rest.is_empty() {
            vec![quote!(let #var = #init;)]
        } else {
            let mut statements = vec![quote!(let mut #var = #init;)];
            statements.extend(rest);
            statements
        };
        (statements, quote!(#var))
    }

    /// An owned `String` for a scalar value (moved from `value`).
    fn wire_text(&self, value: &TokenStream, shape: &Shape, wire: &str) -> TokenStream {
        match &shape.target().ty {
            Ty::String => quote!(#value),
            Ty::DateTime => date_time(value, wire),
            _ => quote!(#value.to_string()),
        }
    }
}

/// The builder field holding a form part (prefixed, so it cannot meet a parameter's).
fn form_field(part: &FormPart) -> Ident {
    names::ident(&format!("part_{}", part.name))
}

/// What a form part is, and for a file the formats and sizes it accepts.
fn part_doc(part: &FormPart) -> String {
    let mut doc = part
        .description
        .as_deref()
        .map(sentence)
        .unwrap_or_else(|| format!("The `{}` part of the form.", part.wire));
    if let PartKind::File(rules) = &part.kind {
        doc.push_str(" A file from memory, disk or a stream (see `Upload`)");
        if rules.types.is_empty() {
            doc.push('.');
        } else {
            let accepted: Vec<String> = rules
                .types
                .iter()
                .map(|ty| {
                    let mut text = format!("`{}`", ty.content_type);
                    let mut notes = Vec::new();
                    if !ty.extensions.is_empty() {
                        notes.push(ty.extensions.join(", "));
                    }
                    if let Some(max) = ty.max_bytes {
                        notes.push(format!("up to {}", size_text(max)));
                    }
                    if !notes.is_empty() {
                        text.push_str(&format!(" ({})", notes.join("; ")));
                    }
                    text
                })
                .collect();
            doc.push_str(&format!("; accepted: {}.", accepted.join(", ")));
        }
        if let Some(max) = rules.max_bytes {
            doc.push_str(&format!(" At most {} in any case.", size_text(max)));
        }
        doc.push_str(" Files outside these limits are refused before anything is sent.");
    }
    doc
}

/// `16 MiB`, `100 MiB`, `512 KiB` or a byte count.
fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A summary as a sentence: with a final period when it ends in a letter or digit.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(|c: char| c.is_alphanumeric() || c == '`' || c == ')') {
        format!("{text}.")
    } else {
        text.to_owned()
    }
}

/// Builder field names of the parameters: their Rust names, with the location appended when
/// two parameters (say the path `profileId` and the header `x-profile-id`) share one.
fn param_fields(op: &Op) -> Result<Vec<String>> {
    let mut taken: Vec<String> = ["client", "options", "body"].map(str::to_owned).to_vec();
    let mut names = Vec::with_capacity(op.params.len());
    for param in &op.params {
        let mut name = param.name.clone();
        if taken.contains(&name) {
            let suffix = match param.location {
                Location::Path => "path",
                Location::Query => "query",
                Location::Header => "header",
            };
            name = format!("{}_{suffix}", param.name);
        }
        if taken.contains(&name) {
            return Err(Error::NameCollision {
                name: format!("builder field `{name}`"),
                first: op.pointer.to_string(),
                second: param.pointer.to_string(),
            });
        }
        taken.push(name.clone());
        names.push(name);
    }
    Ok(names)
}

fn date_time(value: &TokenStream, wire: &str) -> TokenStream {
    quote! {
        #value
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|error| rt::Error::invalid_request(#wire, error.to_string()))?
    }
}

fn param_doc(param: &Param) -> Option<String> {
    let mut text = param
        .description
        .clone()
        .or_else(|| param.shape.description.clone());
    let notes = notes(&param.shape);
    if !notes.is_empty() {
        let joined = notes.join(" ");
        text = Some(match text {
            Some(text) => format!("{text} {joined}"),
            None => joined,
        });
    }
    text
}

/// The first sentence of a text (up to and including its first period followed by a space or
/// the end), or the whole text.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text.to_owned(),
    }
}

/// The intra-doc path from a group module to the `resources` module: `super`, `super::super`…
fn resources_link(group: &Group) -> String {
    vec!["super"; group.path.len().max(1)].join("::")
}

fn param_shape(param: &Param) -> Shape {
    let mut shape = param.shape.clone();
    if param.description.is_some() {
        shape.description.clone_from(&param.description);
    }
    shape
}

fn param_fallback(param: &Param) -> String {
    let place = match param.location {
        Location::Path => "path parameter",
        Location::Query => "query parameter",
        Location::Header => "header",
    };
    format!("Sets the {place} {}.", code(&param.wire))
}
