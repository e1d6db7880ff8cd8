//! Helpers shared by the generator's integration tests: building documents, generating code
//! and finding items in it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use quote::ToTokens;
use sentdm_generator::{Config, Error, generate};
use serde_json::{Value, json};
use syn::{Attribute, Expr, ImplItem, ImplItemFn, Item, ItemEnum, ItemStruct, Lit, Meta};

/// A minimal document with the given paths and component schemas.
pub fn doc(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "Test API", "version": "1.0.0" },
        "servers": [{ "url": "https://api.example.com" }],
        "paths": paths,
        "components": { "schemas": schemas }
    })
}

/// A document with one `GET /v1/things` operation returning `schema`.
pub fn doc_returning(schema: Value, schemas: Value) -> Value {
    doc(
        json!({
            "/v1/things": { "get": {
                "operationId": "listThings",
                "responses": { "200": { "description": "ok",
                    "content": { "application/json": { "schema": schema } } } }
            } }
        }),
        schemas,
    )
}

/// A document with one `POST /v1/things` operation taking `body` (required) and returning 204.
pub fn doc_taking(body: Value, schemas: Value) -> Value {
    doc(
        json!({
            "/v1/things": { "post": {
                "operationId": "createThing",
                "requestBody": { "required": true,
                    "content": { "application/json": { "schema": body } } },
                "responses": { "204": { "description": "done" } }
            } }
        }),
        schemas,
    )
}

/// Parses a document from JSON text, keeping the order of object keys (which `json!` values,
/// being sorted maps, do not).
pub fn spec_text(text: &str) -> openapiv3::OpenAPI {
    serde_json::from_str(text).expect("test document is valid OpenAPI")
}

pub fn gen_text(text: &str) -> syn::File {
    let code = generate(&spec_text(text), &Config::new("crate::runtime"))
        .unwrap_or_else(|e| panic!("generation failed: {e}"));
    parse(&code)
}

pub fn spec(value: &Value) -> openapiv3::OpenAPI {
    serde_json::from_value(value.clone()).expect("test document is valid OpenAPI")
}

pub fn try_gen(value: &Value) -> Result<String, Error> {
    generate(&spec(value), &Config::new("crate::runtime"))
}

pub fn try_gen_with(value: &Value, config: &Config) -> Result<String, Error> {
    generate(&spec(value), config)
}

/// Generates and parses; panics with the error when generation fails.
pub fn gen_file(value: &Value) -> syn::File {
    let code = try_gen(value).unwrap_or_else(|e| panic!("generation failed: {e}"));
    parse(&code)
}

pub fn parse(code: &str) -> syn::File {
    syn::parse_file(code).unwrap_or_else(|e| panic!("generated code does not parse: {e}\n{code}"))
}

/// Token text without whitespace, for comparing signatures and expressions.
pub fn ts<T: ToTokens>(node: &T) -> String {
    squash(&node.to_token_stream().to_string())
}

pub fn squash(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.replace(",)", ")")
        .replace(",]", "]")
        .replace(",}", "}")
        .replace(",>", ">")
}

/// The items of `pub mod name` (nested names separated by `::`).
pub fn module<'a>(items: &'a [Item], path: &str) -> &'a [Item] {
    let mut current = items;
    for name in path.split("::") {
        current = current
            .iter()
            .find_map(|item| match item {
                Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| &items[..]),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no module `{name}`"));
    }
    current
}

/// The items of a resource group's module (`resources::<path>`).
pub fn group<'a>(items: &'a [Item], path: &str) -> &'a [Item] {
    module(items, &format!("resources::{path}"))
}

pub fn has_module(items: &[Item], name: &str) -> bool {
    items
        .iter()
        .any(|item| matches!(item, Item::Mod(m) if m.ident == name))
}

pub fn find_struct<'a>(items: &'a [Item], name: &str) -> Option<&'a ItemStruct> {
    items.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == name => Some(s),
        _ => None,
    })
}

pub fn item_struct<'a>(items: &'a [Item], name: &str) -> &'a ItemStruct {
    find_struct(items, name).unwrap_or_else(|| panic!("no struct `{name}`"))
}

pub fn item_enum<'a>(items: &'a [Item], name: &str) -> &'a ItemEnum {
    items
        .iter()
        .find_map(|item| match item {
            Item::Enum(e) if e.ident == name => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no enum `{name}`"))
}

/// Names of the variants of an enum.
pub fn variants(e: &ItemEnum) -> Vec<String> {
    e.variants.iter().map(|v| v.ident.to_string()).collect()
}

/// A named field of a struct.
pub fn field<'a>(s: &'a ItemStruct, name: &str) -> &'a syn::Field {
    s.fields
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == name))
        .unwrap_or_else(|| panic!("no field `{name}` in `{}`", s.ident))
}

pub fn field_names(s: &ItemStruct) -> Vec<String> {
    s.fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect()
}

/// Whether `self_ty` has an impl of a trait whose path ends with `trait_name`.
pub fn implements(items: &[Item], trait_name: &str, self_ty: &str) -> bool {
    items.iter().any(|item| match item {
        Item::Impl(i) => {
            ts(&i.self_ty) == squash(self_ty)
                && i.trait_
                    .as_ref()
                    .is_some_and(|(path, _)| ts(path).ends_with(&squash(trait_name)))
        }
        _ => false,
    })
}

/// A function of an impl block (inherent or trait) of `self_ty`.
pub fn find_method<'a>(items: &'a [Item], self_ty: &str, name: &str) -> Option<&'a ImplItemFn> {
    items.iter().find_map(|item| match item {
        Item::Impl(i) if ts(&i.self_ty).split('<').next() == Some(self_ty) => {
            i.items.iter().find_map(|member| match member {
                ImplItem::Fn(f) if f.sig.ident == name => Some(f),
                _ => None,
            })
        }
        _ => None,
    })
}

pub fn method<'a>(items: &'a [Item], self_ty: &str, name: &str) -> &'a ImplItemFn {
    find_method(items, self_ty, name).unwrap_or_else(|| panic!("no method `{self_ty}::{name}`"))
}

/// The signature of a method, squashed: `fn get(&self, id: uuid::Uuid) -> Get`.
pub fn sig(items: &[Item], self_ty: &str, name: &str) -> String {
    let f = method(items, self_ty, name);
    format!("{}{}", ts(&f.vis), ts(&f.sig))
}

/// The body of a method, squashed.
pub fn body(items: &[Item], self_ty: &str, name: &str) -> String {
    ts(&method(items, self_ty, name).block)
}

/// The text of the doc comments among `attrs`.
pub fn docs(attrs: &[Attribute]) -> String {
    let mut out = Vec::new();
    for attr in attrs {
        if let Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(text) = &lit.lit
        {
            out.push(text.value());
        }
    }
    out.join("\n")
}

/// Non-doc attributes, squashed, e.g. `#[non_exhaustive]`.
pub fn attrs(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc"))
        .map(ts)
        .collect()
}

pub fn has_attr(list: &[Attribute], attr: &str) -> bool {
    attrs(list).iter().any(|a| a == &squash(attr))
}

/// A `pub static` in the `operations` module, squashed.
pub fn static_item(items: &[Item], name: &str) -> String {
    items
        .iter()
        .find_map(|item| match item {
            Item::Static(s) if s.ident == name => Some(format!(
                "{}static{}:{}={};",
                ts(&s.vis),
                s.ident,
                ts(&s.ty),
                ts(&s.expr)
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no static `{name}`"))
}

pub fn item_fn<'a>(items: &'a [Item], name: &str) -> &'a syn::ItemFn {
    items
        .iter()
        .find_map(|item| match item {
            Item::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no fn `{name}`"))
}
