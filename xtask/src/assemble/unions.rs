//! `[[union]]`: schemas that are exactly one of several variants (`oneOf`), each variant an
//! object component with some of the schema's members, told apart by a discriminator member
//! when one names the variant. The wire format does not change: a variant is the schema with
//! fewer members and more of them required.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Assembler, evidence_pages, invalid};
use crate::error::Error;
use crate::facts::UnionFact;
use crate::schema::{Component, Discriminator, ObjectSchema, Property, Schema, StringRules};

impl Assembler<'_> {
    /// Checks every `[[union]]` against the schema it splits and, when `emit` is set, replaces
    /// the schema with the union of its variants.
    pub(super) fn check_unions(&mut self, emit: bool) -> Result<(), Error> {
        let facts = self.facts;
        for u in &facts.unions {
            let variants = self.variants(u)?;
            if !emit {
                continue;
            }
            let mut names = Vec::new();
            for v in variants {
                names.push(v.name.clone());
                self.components.insert(v.name.clone(), v);
            }
            let discriminator = u.discriminator.as_ref().map(|property| Discriminator {
                property: property.clone(),
                mapping: u
                    .variants
                    .iter()
                    .filter_map(|v| Some((v.value.clone()?, v.name.clone())))
                    .collect(),
            });
            if let Some(c) = self.components.get_mut(&u.schema) {
                c.schema = Schema::OneOf {
                    variants: names,
                    discriminator,
                };
            }
        }
        Ok(())
    }

    /// The variant components of a union, checked.
    fn variants(&self, u: &UnionFact) -> Result<Vec<Component>, Error> {
        let ctx = format!("[[union]] {}", u.schema);
        let Some(Schema::Object(base)) = self.components.get(&u.schema).map(|c| &c.schema) else {
            return Err(invalid(&ctx, "not an object [[schema]]"));
        };
        if u.variants.len() < 2 {
            return Err(invalid(&ctx, "a union needs two variants or more"));
        }
        let mut out = Vec::new();
        for v in &u.variants {
            let vctx = format!("{ctx} variant {}", v.name);
            if self.components.contains_key(&v.name) {
                return Err(invalid(&vctx, "a schema with this name exists"));
            }
            if v.description.trim().is_empty() {
                return Err(invalid(&vctx, "needs a description"));
            }
            if let Some(r) = v.required.iter().find(|r| !v.members.contains(r)) {
                return Err(invalid(
                    &vctx,
                    format!("requires `{r}`, which it does not have"),
                ));
            }
            let mut properties = Vec::new();
            for m in &v.members {
                let p = base
                    .property(m)
                    .ok_or_else(|| invalid(&vctx, format!("`{}` has no member `{m}`", u.schema)))?;
                let mut p: Property = p.clone();
                p.required = v.required.contains(m);
                if u.discriminator.as_deref() == Some(m.as_str()) {
                    let value = v
                        .value
                        .clone()
                        .ok_or_else(|| invalid(&vctx, "needs the discriminator's `value`"))?;
                    p.schema = Schema::String(StringRules {
                        enum_values: Some(vec![value]),
                        ..StringRules::default()
                    });
                }
                properties.push(p);
            }
            let mut extensions =
                vec![("x-evidence".to_string(), json!(evidence_pages(&u.evidence)))];
            if let Some(c) = &u.confidence {
                extensions.push(("x-confidence".into(), json!(c)));
            }
            out.push(Component {
                name: v.name.clone(),
                description: Some(v.description.clone()),
                schema: Schema::Object(ObjectSchema {
                    properties,
                    additional_properties: base.additional_properties,
                }),
                extensions,
            });
        }
        match &u.discriminator {
            Some(d) => self.check_discriminator(u, d, &ctx)?,
            None => {
                if u.variants.iter().any(|v| v.value.is_some()) {
                    return Err(invalid(&ctx, "variants have values but no discriminator"));
                }
                // Without a discriminator a value must be told apart by what it carries.
                for v in &u.variants {
                    let others: BTreeSet<&String> = u
                        .variants
                        .iter()
                        .filter(|o| o.name != v.name)
                        .flat_map(|o| &o.members)
                        .collect();
                    if !v.required.iter().any(|r| !others.contains(r)) {
                        return Err(invalid(
                            &ctx,
                            format!(
                                "variant {} requires no member the others lack, so values cannot be told apart",
                                v.name
                            ),
                        ));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Every variant has the discriminator, required, with its own value; the values are the
    /// member's value set when it has one.
    fn check_discriminator(&self, u: &UnionFact, d: &str, ctx: &str) -> Result<(), Error> {
        let mut values = BTreeSet::new();
        for v in &u.variants {
            if !v.required.iter().any(|r| r == d) {
                return Err(invalid(
                    ctx,
                    format!(
                        "variant {} does not require the discriminator `{d}`",
                        v.name
                    ),
                ));
            }
            let Some(value) = &v.value else {
                return Err(invalid(ctx, format!("variant {} has no `value`", v.name)));
            };
            if !values.insert(value.as_str()) {
                return Err(invalid(
                    ctx,
                    format!("two variants have the value `{value}`"),
                ));
            }
        }
        let Some(Schema::Object(base)) = self.components.get(&u.schema).map(|c| &c.schema) else {
            return Ok(());
        };
        let set = match base.property(d).map(|p| &p.schema) {
            Some(Schema::Ref(e)) => match self.components.get(e).map(|c| &c.schema) {
                Some(Schema::String(StringRules {
                    enum_values: Some(set),
                    ..
                })) => Some(set),
                _ => None,
            },
            Some(Schema::String(StringRules {
                enum_values: Some(set),
                ..
            })) => Some(set),
            _ => None,
        };
        if let Some(set) = set {
            let documented: BTreeSet<&str> = set.iter().map(String::as_str).collect();
            if documented != values {
                return Err(invalid(
                    ctx,
                    format!(
                        "the variants' values ({}) are not the values of `{d}` ({})",
                        values.into_iter().collect::<Vec<_>>().join(", "),
                        documented.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}
