//! Validation code: the constraints of a shape turned into calls to `rt::validate`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::Emitter;
use crate::model::{Shape, Ty};
use crate::names;

/// How the JSON path of the value being checked is available to the generated code.
#[derive(Clone)]
pub(crate) enum FieldRef {
    /// A fixed name, such as a parameter name.
    Literal(String),
    /// The local `field: rt::validate::Path` variable.
    Var,
}

/// What an element's path adds to its container's.
enum Step {
    /// `[index]`, from the local `index: usize`.
    Index,
    /// `.key`, from the local `key: &String`.
    Key,
}

impl FieldRef {
    /// The path as the checks take it (anything `Display`).
    fn expr(&self) -> TokenStream {
        match self {
            FieldRef::Literal(name) => quote!(#name),
            FieldRef::Var => quote!(field),
        }
    }

    /// The path as a `rt::validate::Path`, for nested `Validate` calls.
    fn path(&self) -> TokenStream {
        match self {
            FieldRef::Literal(name) => quote!(rt::validate::Path::named(#name)),
            FieldRef::Var => quote!(field),
        }
    }

    /// `let field = …;` binding the path of an element of the value at this path. Paths are
    /// built on the stack and only turned into text when a check fails.
    fn nested(&self, step: Step) -> TokenStream {
        let parent = match self {
            FieldRef::Literal(name) => quote!(let field = rt::validate::Path::named(#name);),
            FieldRef::Var => quote!(),
        };
        let child = match step {
            Step::Index => quote!(let field = field.index(index);),
            Step::Key => quote!(let field = field.field(key);),
        };
        quote!(#parent #child)
    }
}

pub(crate) fn opt_usize(value: Option<usize>) -> TokenStream {
    match value {
        Some(value) => {
            let value = Literal::usize_unsuffixed(value);
            quote!(Some(#value))
        }
        None => quote!(None),
    }
}

pub(crate) fn int_lit(value: i64) -> TokenStream {
    let abs = Literal::u64_unsuffixed(value.unsigned_abs());
    if value < 0 {
        quote!(-#abs)
    } else {
        quote!(#abs)
    }
}

fn opt_i64(value: Option<i64>) -> TokenStream {
    match value {
        Some(value) => {
            let value = int_lit(value);
            quote!(Some(#value))
        }
        None => quote!(None),
    }
}

fn opt_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(value) => {
            let abs = Literal::f64_unsuffixed(value.abs());
            if value < 0.0 {
                quote!(Some(-#abs))
            } else {
                quote!(Some(#abs))
            }
        }
        None => quote!(None),
    }
}

impl Emitter<'_> {
    /// Statements checking `value` (an expression of type `&T`) against `shape`, not counting
    /// whether it is present.
    pub(crate) fn checks(
        &self,
        value: &TokenStream,
        shape: &Shape,
        field: &FieldRef,
        types: &TokenStream,
    ) -> Vec<TokenStream> {
        let mut out = Vec::new();
        let at = field.expr();
        let checks = &shape.checks;
        if let Some(pattern) = &checks.pattern {
            out.push(quote! {
                {
                    static PATTERN: rt::validate::Pattern = rt::validate::Pattern::new(#pattern);
                    rt::validate::pattern(#at, #value, &PATTERN)?;
                }
            });
        }
        if checks.min_length.is_some() || checks.max_length.is_some() {
            let min = opt_usize(checks.min_length);
            let max = opt_usize(checks.max_length);
            out.push(quote!(rt::validate::length(#at, #value, #min, #max)?;));
        }
        if checks.min_items.is_some() || checks.max_items.is_some() {
            let min = opt_usize(checks.min_items);
            let max = opt_usize(checks.max_items);
            out.push(quote!(rt::validate::items(#at, #value.len(), #min, #max)?;));
        }
        if checks.min_int.is_some() || checks.max_int.is_some() {
            match shape.target().ty {
                Ty::U32 | Ty::U64 => {
                    let bound = |value: Option<i64>| match value.map(u64::try_from) {
                        Some(Ok(value)) => {
                            let value = Literal::u64_unsuffixed(value);
                            quote!(Some(#value))
                        }
                        // Unsigned types are chosen only for non-negative minimums, and a
                        // negative maximum would exclude every value.
                        Some(Err(_)) => quote!(Some(0)),
                        None => quote!(None),
                    };
                    let (min, max) = (bound(checks.min_int), bound(checks.max_int));
                    let number = if shape.target().ty == Ty::U32 {
                        quote!(u64::from(*#value))
                    } else {
                        quote!(*#value)
                    };
                    out.push(quote!(rt::validate::range_u64(#at, #number, #min, #max)?;));
                }
                _ => {
                    let min = opt_i64(checks.min_int);
                    let max = opt_i64(checks.max_int);
                    let number = if shape.target().ty == Ty::I32 {
                        quote!(i64::from(*#value))
                    } else {
                        quote!(*#value)
                    };
                    out.push(quote!(rt::validate::range_i64(#at, #number, #min, #max)?;));
                }
            }
        }
        if checks.min_num.is_some() || checks.max_num.is_some() {
            let min = opt_f64(checks.min_num);
            let max = opt_f64(checks.max_num);
            out.push(quote!(rt::validate::range_f64(#at, *#value, #min, #max)?;));
        }
        match &shape.ty {
            Ty::Alias(_, inner) => out.extend(self.checks(value, inner, field, types)),
            Ty::Enum(name) => {
                let name = names::ident(name);
                out.push(quote! {
                    rt::validate::known(#at, #value.is_known(), #types #name::VALUES)?;
                });
            }
            Ty::Union(name) if self.api.models.union_def(name).is_some_and(|d| d.validates) => {
                let path = field.path();
                out.push(quote!(rt::validate::Validate::validate(#value, #path)?;));
            }
            Ty::Struct(name)
                if self
                    .api
                    .models
                    .struct_def(name)
                    .is_some_and(|d| d.validates) =>
            {
                let path = field.path();
                out.push(quote!(rt::validate::Validate::validate(#value, #path)?;));
            }
            Ty::Vec(item) if self.api.models.has_checks(item) => {
                let index = Ident::new("index", Span::call_site());
                let bind = field.nested(Step::Index);
                let item_value = quote!(item);
                let inner = self.checks(&item_value, item, &FieldRef::Var, types);
                let body = if item.nullable {
                    quote!(if let Some(item) = item { #bind #(#inner)* })
                } else {
                    quote!(#bind #(#inner)*)
                };
                out.push(quote! {
                    for (#index, item) in #value.iter().enumerate() {
                        #body
                    }
                });
            }
            Ty::Map(item) if self.api.models.has_checks(item) => {
                let bind = field.nested(Step::Key);
                let item_value = quote!(item);
                let inner = self.checks(&item_value, item, &FieldRef::Var, types);
                let body = if item.nullable {
                    quote!(if let Some(item) = item { #bind #(#inner)* })
                } else {
                    quote!(#bind #(#inner)*)
                };
                out.push(quote! {
                    for (key, item) in #value {
                        #body
                    }
                });
            }
            _ => {}
        }
        out
    }
}
