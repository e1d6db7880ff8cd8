//! The schema subset the generator understands, and its mapping to Rust types.

use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    AdditionalProperties, IntegerFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::error::{Error, Result};
use crate::names::{self, Pointer};

/// A Rust type for a schema.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    String,
    Bool,
    I32,
    I64,
    /// An integer the document says is never negative (`minimum` ≥ 0).
    U32,
    U64,
    F64,
    Uuid,
    /// A uuid identifying a resource (`x-id-of`), by the resource's Rust type name.
    Id(String),
    DateTime,
    /// Any JSON value.
    Value,
    /// A free-form JSON object.
    JsonMap,
    Vec(Box<Shape>),
    /// A JSON object whose values all have one schema.
    Map(Box<Shape>),
    /// A generated struct, by Rust name.
    Struct(String),
    /// A generated enum, by Rust name.
    Enum(String),
    /// A generated union (`oneOf`), by Rust name.
    Union(String),
    /// A generated type alias, by Rust name, and what it stands for.
    Alias(String, Box<Shape>),
    /// A type supplied through `Config::replace`, by Rust path.
    External(String),
}

/// Constraints checked before a request is sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Checks {
    pub(crate) pattern: Option<String>,
    pub(crate) min_length: Option<usize>,
    pub(crate) max_length: Option<usize>,
    pub(crate) min_items: Option<usize>,
    pub(crate) max_items: Option<usize>,
    pub(crate) min_int: Option<i64>,
    pub(crate) max_int: Option<i64>,
    pub(crate) min_num: Option<f64>,
    pub(crate) max_num: Option<f64>,
}

impl Checks {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}

/// A schema at one place of use: its type, constraints and documentation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shape {
    pub(crate) ty: Ty,
    pub(crate) checks: Checks,
    pub(crate) nullable: bool,
    pub(crate) description: Option<String>,
    pub(crate) read_only: bool,
    pub(crate) deprecated: bool,
    pub(crate) format: Option<String>,
    /// The documented default, for documentation.
    pub(crate) default: Option<serde_json::Value>,
    /// Other names users know the member by (`x-aliases`), for documentation search.
    pub(crate) aliases: Vec<String>,
    /// For a list sent as one string (`x-delimited`): the separator between its items.
    pub(crate) delimiter: Option<String>,
}

impl Shape {
    pub(crate) fn of(ty: Ty) -> Shape {
        Shape {
            ty,
            checks: Checks::default(),
            nullable: false,
            description: None,
            read_only: false,
            deprecated: false,
            format: None,
            default: None,
            aliases: Vec::new(),
            delimiter: None,
        }
    }

    /// Whether the value is a collection (an array or a map): never `Option` in Rust, an absent
    /// or `null` collection reading as empty.
    pub(crate) fn is_collection(&self) -> bool {
        matches!(self.target().ty, Ty::Vec(_) | Ty::Map(_) | Ty::JsonMap)
    }

    /// The shape with aliases looked through.
    pub(crate) fn target(&self) -> &Shape {
        match &self.ty {
            Ty::Alias(_, inner) => inner.target(),
            _ => self,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// The JSON property name.
    pub(crate) json: String,
    /// The Rust field name (before raw-identifier treatment).
    pub(crate) name: String,
    pub(crate) shape: Shape,
    pub(crate) required: bool,
    pub(crate) pointer: Pointer,
    /// Whether the field is boxed to break a cycle of structs.
    pub(crate) boxed: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct StructDef {
    pub(crate) name: String,
    pub(crate) pointer: Pointer,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) fields: Vec<Field>,
    /// Where unknown properties are kept (`additionalProperties`), with their value shape.
    pub(crate) extra: Option<Shape>,
    /// Reachable from a request body.
    pub(crate) request: bool,
    /// Reachable from a response, or from nothing at all.
    pub(crate) response: bool,
    pub(crate) default: bool,
    /// Whether validating it can fail.
    pub(crate) validates: bool,
}

impl StructDef {
    /// Whether the field may be absent: not required, nullable, or set by the server.
    pub(crate) fn omissible(&self, field: &Field) -> bool {
        !field.required || field.shape.nullable || (self.request && field.shape.read_only)
    }

    /// Whether the field is an `Option` in Rust: an omissible field that is not a collection.
    /// Collections never are: absent or `null`, they read as empty.
    pub(crate) fn optional(&self, field: &Field) -> bool {
        self.omissible(field) && !self.is_collection(field)
    }

    /// Whether the field is an omissible collection: empty when absent, and sent only when it
    /// holds something.
    pub(crate) fn omissible_collection(&self, field: &Field) -> bool {
        self.omissible(field) && self.is_collection(field)
    }

    fn is_collection(&self, field: &Field) -> bool {
        field.shape.is_collection() && !field.boxed
    }

    /// Whether the field can be set by the caller of a request.
    pub(crate) fn settable(&self, field: &Field) -> bool {
        !field.shape.read_only
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) pointer: Pointer,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    /// Variant name and wire value.
    pub(crate) variants: Vec<(String, String)>,
}

/// A value of one of several shapes (`oneOf`).
#[derive(Clone, Debug)]
pub(crate) struct UnionDef {
    pub(crate) name: String,
    pub(crate) pointer: Pointer,
    pub(crate) description: Option<String>,
    pub(crate) variants: Vec<Variant>,
    /// The member naming the variant (`discriminator.propertyName`), when there is one.
    pub(crate) tag: Option<String>,
    /// Reachable from a request body.
    pub(crate) request: bool,
    /// Reachable from a response, or from nothing at all.
    pub(crate) response: bool,
    /// Whether validating it can fail.
    pub(crate) validates: bool,
}

/// One shape of a union.
#[derive(Clone, Debug)]
pub(crate) struct Variant {
    /// The Rust variant name.
    pub(crate) name: String,
    pub(crate) shape: Shape,
    /// The discriminator values naming this variant, for tagged unions: one when the union
    /// writes the tag, several when the variant's struct keeps the tag member itself (several
    /// values map to one schema, such as `image` and `video` to a media message).
    pub(crate) tag_values: Vec<String>,
}

impl Variant {
    /// The one discriminator value the union writes for this variant, when it writes one.
    pub(crate) fn written_tag(&self) -> Option<&str> {
        match self.tag_values.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct AliasDef {
    pub(crate) name: String,
    pub(crate) shape: Shape,
}

#[derive(Clone, Debug)]
pub(crate) enum TypeDef {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
    Alias(AliasDef),
    /// Claimed, not built yet.
    Pending,
}

#[derive(Clone, Debug)]
enum Component {
    Struct {
        name: String,
        nullable: bool,
    },
    Enum {
        name: String,
        nullable: bool,
    },
    Union {
        name: String,
        nullable: bool,
    },
    Alias {
        name: String,
    },
    External(String),
    Envelope,
    /// A `multipart/form-data` body's schema: its parts become builder methods, not a type.
    Form,
}

/// A schema as the generator sees it, whichever way the document spelled it.
enum Norm<'s> {
    String {
        format: Option<String>,
        pattern: Option<&'s str>,
        values: Vec<&'s str>,
        min_length: Option<usize>,
        max_length: Option<usize>,
    },
    Integer {
        int32: bool,
        min: Option<i64>,
        max: Option<i64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Object {
        properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &'s [String],
        additional: Option<&'s AdditionalProperties>,
        min_properties: Option<usize>,
        max_properties: Option<usize>,
    },
    Array {
        items: Option<&'s ReferenceOr<Box<Schema>>>,
        min_items: Option<usize>,
        max_items: Option<usize>,
    },
    AllOf(&'s [ReferenceOr<Schema>]),
    OneOf,
    Any,
}

/// A schema or a reference to one.
#[derive(Clone, Copy)]
pub(crate) enum Src<'s> {
    Ref(&'s str),
    Schema(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for Src<'s> {
    fn from(value: &'s ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Src::Ref(reference),
            ReferenceOr::Item(schema) => Src::Schema(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for Src<'s> {
    fn from(value: &'s ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => Src::Ref(reference),
            ReferenceOr::Item(schema) => Src::Schema(schema),
        }
    }
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The name of an untagged union's variant: its component's name without the union's name
/// around it (`TemplateRefById` in `TemplateRef` → `ById`), or what the value is (`Text`,
/// `List`, `Object`…).
fn variant_name(union: &str, component: Option<&str>, shape: &Shape) -> Option<String> {
    if let Some(component) = component {
        let rust = names::pascal(component)?;
        let trimmed = rust
            .strip_prefix(union)
            .or_else(|| rust.strip_suffix(union))
            .filter(|rest| !rest.is_empty() && rest.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(str::to_owned)
            .unwrap_or_else(|| without_common_suffix(&rust, union));
        return Some(trimmed);
    }
    Some(
        match &shape.target().ty {
            Ty::String | Ty::Enum(_) => "Text",
            Ty::Vec(_) => "List",
            Ty::Struct(_) | Ty::JsonMap | Ty::Map(_) => "Object",
            Ty::Bool => "Flag",
            Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 => "Number",
            _ => "Value",
        }
        .to_owned(),
    )
}

/// `rust` without the words it ends with in common with `union` (`MediaMessageRequest` in
/// `SendMessageRequest` → `Media`), keeping at least its first word.
fn without_common_suffix(rust: &str, union: &str) -> String {
    fn words(name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for (index, c) in name.char_indices().skip(1) {
            if c.is_ascii_uppercase() {
                out.push(&name[start..index]);
                start = index;
            }
        }
        out.push(&name[start..]);
        out
    }
    let ours = words(rust);
    let theirs = words(union);
    let common = ours
        .iter()
        .rev()
        .zip(theirs.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(ours.len().saturating_sub(1));
    ours[..ours.len() - common].concat()
}

/// The names in an `x-aliases` extension (anything else there is ignored).
pub(crate) fn aliases(extensions: &IndexMap<String, serde_json::Value>) -> Vec<String> {
    match extensions.get("x-aliases") {
        Some(serde_json::Value::Array(names)) => names
            .iter()
            .filter_map(serde_json::Value::as_str)
            .filter(|name| !name.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The name of the component a `$ref` designates.
pub(crate) fn schema_ref_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix(SCHEMA_PREFIX)
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
}

/// All the types of the document: component schemas and the inline schemas they contain.
pub(crate) struct Models<'a> {
    schemas: &'a IndexMap<String, ReferenceOr<Schema>>,
    components: IndexMap<String, Component>,
    /// Rust name → definition, in emission order.
    pub(crate) defs: IndexMap<String, TypeDef>,
    /// Rust name → the node that claimed it.
    owners: IndexMap<String, Pointer>,
    aliases: IndexMap<String, Shape>,
    alias_stack: Vec<String>,
    /// Schema pointer → what the schema is, for types named after operations.
    origins: IndexMap<String, String>,
    /// Rust names of the resources that typed ids identify, in first-use order.
    pub(crate) ids: IndexMap<String, Pointer>,
    /// Component schema name → the member a discriminated union names it by, which the
    /// variant's struct leaves to the union.
    tag_members: IndexMap<String, String>,
}

impl<'a> Models<'a> {
    pub(crate) fn new(
        schemas: &'a IndexMap<String, ReferenceOr<Schema>>,
        replacements: &IndexMap<String, String>,
        renames: &IndexMap<String, String>,
        envelope: Option<&str>,
        forms: &[String],
    ) -> Result<Models<'a>> {
        let mut models = Models {
            schemas,
            components: IndexMap::new(),
            defs: IndexMap::new(),
            owners: IndexMap::new(),
            aliases: IndexMap::new(),
            alias_stack: Vec::new(),
            origins: IndexMap::new(),
            ids: IndexMap::new(),
            tag_members: IndexMap::new(),
        };
        let base = Pointer::root().join("components").join("schemas");
        for (name, schema) in schemas {
            let pointer = base.join(name);
            let component = if let Some(path) = replacements.get(name) {
                Component::External(path.clone())
            } else if envelope == Some(name.as_str()) {
                Component::Envelope
            } else if forms.contains(name) {
                Component::Form
            } else {
                let rust = match renames.get(name) {
                    Some(rust) => Some(rust.clone()),
                    None => names::pascal(name),
                }
                .ok_or_else(|| {
                    Error::invalid(
                        &pointer,
                        format!("{name:?} cannot be made a Rust type name"),
                    )
                })?;
                models.claim(&rust, &pointer)?;
                match schema {
                    ReferenceOr::Reference { .. } => Component::Alias { name: rust },
                    ReferenceOr::Item(schema) => match normalize(schema, &pointer)? {
                        Norm::Object { properties, .. } if !properties.is_empty() => {
                            Component::Struct {
                                name: rust,
                                nullable: schema.schema_data.nullable,
                            }
                        }
                        Norm::String { values, .. } if !values.is_empty() => Component::Enum {
                            name: rust,
                            nullable: schema.schema_data.nullable,
                        },
                        Norm::OneOf => Component::Union {
                            name: rust,
                            nullable: schema.schema_data.nullable,
                        },
                        _ => Component::Alias { name: rust },
                    },
                }
            };
            models.components.insert(name.clone(), component);
        }
        // The members discriminated unions name their variants by: the variants' structs
        // leave them out, and the union writes and reads them.
        for schema in schemas.values() {
            if let ReferenceOr::Item(schema) = schema
                && let SchemaKind::OneOf { one_of } = &schema.schema_kind
                && let Some(discriminator) = &schema.schema_data.discriminator
            {
                for variant in one_of {
                    if let ReferenceOr::Reference { reference } = variant
                        && let Some(component) = schema_ref_name(reference)
                    {
                        // A schema several values map to keeps the member: it says which.
                        let values = discriminator
                            .mapping
                            .values()
                            .filter(|target| **target == *reference)
                            .count();
                        if values <= 1 {
                            models
                                .tag_members
                                .insert(component, discriminator.property_name.clone());
                        }
                    }
                }
            }
        }
        for (name, schema) in schemas {
            let pointer = base.join(name);
            match models.components.get(name).cloned() {
                Some(Component::Union { name: rust, .. }) => {
                    models.reserve(&rust);
                    if let ReferenceOr::Item(schema) = schema {
                        let def = models.build_union(&rust, &pointer, schema)?;
                        models.defs.insert(rust, TypeDef::Union(def));
                    }
                }
                Some(Component::Struct { name: rust, .. }) => {
                    models.reserve(&rust);
                    if let ReferenceOr::Item(schema) = schema {
                        let def = models.build_struct(&rust, &pointer, schema)?;
                        models.defs.insert(rust, TypeDef::Struct(def));
                    }
                }
                Some(Component::Enum { name: rust, .. }) => {
                    models.reserve(&rust);
                    if let ReferenceOr::Item(schema) = schema {
                        let def = models.build_enum(&rust, &pointer, schema)?;
                        models.defs.insert(rust, TypeDef::Enum(def));
                    }
                }
                Some(Component::Alias { name: rust }) => {
                    models.reserve(&rust);
                    let shape = models.alias(name)?;
                    models
                        .defs
                        .insert(rust.clone(), TypeDef::Alias(AliasDef { name: rust, shape }));
                }
                Some(Component::External(_) | Component::Envelope | Component::Form) | None => {}
            }
        }
        Ok(models)
    }

    /// Reserves a Rust type name for the node at `pointer`.
    pub(crate) fn claim(&mut self, name: &str, pointer: &Pointer) -> Result<()> {
        if names::RESERVED_TYPE_NAMES.contains(&name) {
            return Err(Error::invalid(
                pointer,
                format!("the type name `{name}` would shadow a standard prelude item"),
            ));
        }
        if let Some(first) = self.owners.get(name) {
            return Err(Error::NameCollision {
                name: name.to_owned(),
                first: first.to_string(),
                second: pointer.to_string(),
            });
        }
        self.owners.insert(name.to_owned(), pointer.clone());
        Ok(())
    }

    /// Fixes the emission position of a claimed name before its contents are built.
    fn reserve(&mut self, name: &str) {
        self.defs.insert(name.to_owned(), TypeDef::Pending);
    }

    pub(crate) fn enum_def(&self, name: &str) -> Option<&EnumDef> {
        match self.defs.get(name) {
            Some(TypeDef::Enum(def)) => Some(def),
            _ => None,
        }
    }

    /// Records what the schema at `pointer` is, e.g. "the request body of `client.x().y()`".
    pub(crate) fn set_origin(&mut self, pointer: &Pointer, text: String) {
        self.origins.insert(pointer.to_string(), text);
    }

    /// What the schema at `pointer` is, as a noun phrase, when it can be told.
    pub(crate) fn origin(&self, pointer: &str) -> Option<String> {
        if let Some(text) = self.origins.get(pointer) {
            return Some(text.clone());
        }
        let (parent, last) = pointer.rsplit_once('/')?;
        let owner = |at: &str| {
            self.defs.values().find_map(|def| match def {
                TypeDef::Struct(d) if d.pointer.as_str() == at => Some(d.name.clone()),
                _ => None,
            })
        };
        if let Some(grand) = parent.strip_suffix("/properties") {
            let property = last.replace("~1", "/").replace("~0", "~");
            let of = owner(grand)?;
            return Some(format!("the `{property}` property of [`{of}`]"));
        }
        match last {
            "items" => self.origin(parent).map(|o| format!("an item of {o}")),
            "additionalProperties" => self.origin(parent).map(|o| format!("a value of {o}")),
            "0" if parent.ends_with("/allOf") => {
                self.origin(parent.strip_suffix("/allOf").unwrap_or(parent))
            }
            _ => None,
        }
    }

    pub(crate) fn struct_def(&self, name: &str) -> Option<&StructDef> {
        match self.defs.get(name) {
            Some(TypeDef::Struct(def)) => Some(def),
            _ => None,
        }
    }

    /// The Rust type name of the resource a typed id names: the component's type when the
    /// resource is a component schema (renamed or not), else the name in `PascalCase`.
    fn resource_name(&self, resource: &str, pointer: &Pointer) -> Result<String> {
        let rust = match self.components.get(resource) {
            Some(Component::Struct { name, .. } | Component::Enum { name, .. })
            | Some(Component::Alias { name }) => Some(name.clone()),
            _ => names::pascal(resource),
        };
        rust.ok_or_else(|| {
            Error::invalid(
                &pointer.join("x-id-of"),
                format!("{resource:?} cannot be made a Rust type name"),
            )
        })
    }

    /// Whether `reference` designates the envelope schema.
    pub(crate) fn is_envelope_ref(&self, reference: &str) -> bool {
        schema_ref_name(reference)
            .and_then(|name| self.components.get(&name))
            .is_some_and(|component| matches!(component, Component::Envelope))
    }

    /// The shape of a schema used at `pointer`; inline structs and enums are named `hint`.
    pub(crate) fn shape(&mut self, src: Src<'_>, pointer: &Pointer, hint: &str) -> Result<Shape> {
        let schema = match src {
            Src::Ref(reference) => return self.reference(reference, pointer),
            Src::Schema(schema) => schema,
        };
        let data = &schema.schema_data;
        let ty = match normalize(schema, pointer)? {
            Norm::String {
                format,
                pattern,
                values,
                min_length,
                max_length,
            } => {
                if !values.is_empty() {
                    self.claim(hint, pointer)?;
                    self.reserve(hint);
                    let def = self.build_enum(hint, pointer, schema)?;
                    self.defs.insert(hint.to_owned(), TypeDef::Enum(def));
                    let mut shape = Shape::of(Ty::Enum(hint.to_owned()));
                    self.decorate(&mut shape, schema);
                    return Ok(shape);
                }
                if let Some(delimited) = data.extensions.get("x-delimited") {
                    let at = pointer.join("x-delimited");
                    let separator = delimited
                        .get("separator")
                        .and_then(serde_json::Value::as_str);
                    if separator != Some(",") {
                        return Err(Error::unsupported(
                            &at.join("separator"),
                            "a delimited list whose separator is not a comma",
                        ));
                    }
                    let items: ReferenceOr<Schema> = delimited
                        .get("items")
                        .cloned()
                        .and_then(|items| serde_json::from_value(items).ok())
                        .ok_or_else(|| Error::invalid(&at.join("items"), "expected a schema"))?;
                    let item =
                        self.shape(Src::from(&items), &at.join("items"), &format!("{hint}Item"))?;
                    if !matches!(item.target().ty, Ty::String | Ty::Enum(_)) {
                        return Err(Error::unsupported(
                            &at.join("items"),
                            "a delimited list of anything but strings",
                        ));
                    }
                    let mut shape = Shape::of(Ty::Vec(Box::new(item)));
                    self.decorate(&mut shape, schema);
                    shape.delimiter = separator.map(str::to_owned);
                    return Ok(shape);
                }
                let mut shape = match format.as_deref() {
                    Some("uuid") => match data.extensions.get("x-id-of") {
                        Some(serde_json::Value::String(resource)) => {
                            let rust = self.resource_name(resource, pointer)?;
                            self.ids
                                .entry(rust.clone())
                                .or_insert_with(|| pointer.clone());
                            Shape::of(Ty::Id(rust))
                        }
                        Some(_) => {
                            return Err(Error::invalid(
                                &pointer.join("x-id-of"),
                                "`x-id-of` must name a resource",
                            ));
                        }
                        None => Shape::of(Ty::Uuid),
                    },
                    Some("date-time") => Shape::of(Ty::DateTime),
                    _ => {
                        let mut shape = Shape::of(Ty::String);
                        shape.checks.pattern = pattern.map(str::to_owned);
                        shape.checks.min_length = min_length;
                        shape.checks.max_length = max_length;
                        shape
                    }
                };
                shape.format = format;
                self.decorate(&mut shape, schema);
                return Ok(shape);
            }
            Norm::Integer { int32, min, max } => {
                let unsigned = min.is_some_and(|min| min >= 0);
                let mut shape = Shape::of(match (int32, unsigned) {
                    (true, false) => Ty::I32,
                    (false, false) => Ty::I64,
                    (true, true) => Ty::U32,
                    (false, true) => Ty::U64,
                });
                shape.checks.min_int = min;
                shape.checks.max_int = max;
                self.decorate(&mut shape, schema);
                return Ok(shape);
            }
            Norm::Number { min, max } => {
                let mut shape = Shape::of(Ty::F64);
                shape.checks.min_num = min;
                shape.checks.max_num = max;
                self.decorate(&mut shape, schema);
                return Ok(shape);
            }
            Norm::Boolean => Ty::Bool,
            Norm::Object {
                properties,
                additional,
                min_properties,
                max_properties,
                ..
            } => {
                if !properties.is_empty() {
                    self.claim(hint, pointer)?;
                    self.reserve(hint);
                    let def = self.build_struct(hint, pointer, schema)?;
                    self.defs.insert(hint.to_owned(), TypeDef::Struct(def));
                    Ty::Struct(hint.to_owned())
                } else {
                    let ty = match additional {
                        Some(AdditionalProperties::Schema(value)) => {
                            let value = self.shape(
                                Src::from(&**value),
                                &pointer.join("additionalProperties"),
                                &format!("{hint}Value"),
                            )?;
                            Ty::Map(Box::new(value))
                        }
                        _ => Ty::JsonMap,
                    };
                    let mut shape = Shape::of(ty);
                    shape.checks.min_items = min_properties;
                    shape.checks.max_items = max_properties;
                    self.decorate(&mut shape, schema);
                    return Ok(shape);
                }
            }
            Norm::Array {
                items,
                min_items,
                max_items,
            } => {
                let item = match items {
                    Some(items) => self.shape(
                        Src::from(items),
                        &pointer.join("items"),
                        &format!("{hint}Item"),
                    )?,
                    None => Shape::of(Ty::Value),
                };
                let mut shape = Shape::of(Ty::Vec(Box::new(item)));
                shape.checks.min_items = min_items;
                shape.checks.max_items = max_items;
                self.decorate(&mut shape, schema);
                return Ok(shape);
            }
            Norm::OneOf => {
                self.claim(hint, pointer)?;
                self.reserve(hint);
                let def = self.build_union(hint, pointer, schema)?;
                self.defs.insert(hint.to_owned(), TypeDef::Union(def));
                let mut shape = Shape::of(Ty::Union(hint.to_owned()));
                self.decorate(&mut shape, schema);
                return Ok(shape);
            }
            Norm::AllOf(parts) => {
                if let [only] = parts {
                    let mut shape =
                        self.shape(Src::from(only), &pointer.join("allOf").join("0"), hint)?;
                    shape.nullable |= data.nullable;
                    shape.read_only |= data.read_only;
                    shape.deprecated |= data.deprecated;
                    if data.description.is_some() {
                        shape.description.clone_from(&data.description);
                    }
                    shape.aliases.extend(aliases(&data.extensions));
                    return Ok(shape);
                }
                return Err(Error::unsupported(
                    pointer,
                    "`allOf` with several schemas (only the response envelope form is supported)",
                ));
            }
            Norm::Any => Ty::Value,
        };
        let mut shape = Shape::of(ty);
        self.decorate(&mut shape, schema);
        Ok(shape)
    }

    fn decorate(&self, shape: &mut Shape, schema: &Schema) {
        let data = &schema.schema_data;
        shape.nullable = data.nullable;
        shape.read_only = data.read_only;
        shape.deprecated = data.deprecated;
        shape.default.clone_from(&data.default);
        shape.description = data
            .description
            .clone()
            .or_else(|| data.title.clone())
            .filter(|text| !text.trim().is_empty());
        shape.aliases = aliases(&data.extensions);
    }

    fn reference(&mut self, reference: &str, pointer: &Pointer) -> Result<Shape> {
        let Some(name) = schema_ref_name(reference) else {
            if reference.starts_with('#') {
                return Err(Error::dangling(pointer, reference));
            }
            return Err(Error::unsupported(
                pointer,
                format!("reference {reference:?} to another document"),
            ));
        };
        let Some(component) = self.components.get(&name).cloned() else {
            return Err(Error::dangling(pointer, reference));
        };
        Ok(match component {
            Component::Struct { name, nullable } => {
                let mut shape = Shape::of(Ty::Struct(name));
                shape.nullable = nullable;
                shape
            }
            Component::Enum { name, nullable } => {
                let mut shape = Shape::of(Ty::Enum(name));
                shape.nullable = nullable;
                shape
            }
            Component::Union { name, nullable } => {
                let mut shape = Shape::of(Ty::Union(name));
                shape.nullable = nullable;
                shape
            }
            Component::External(path) => Shape::of(Ty::External(path)),
            Component::Envelope => {
                return Err(Error::unsupported(
                    pointer,
                    "the `x-envelope` schema used as an ordinary value",
                ));
            }
            Component::Form => {
                return Err(Error::unsupported(
                    pointer,
                    "a `multipart/form-data` body schema used as an ordinary value",
                ));
            }
            Component::Alias { name: rust } => {
                let target = self.alias(&name)?;
                let mut shape = Shape::of(Ty::Alias(rust, Box::new(target.clone())));
                shape.nullable = target.nullable;
                shape
            }
        })
    }

    /// What the alias component `name` stands for.
    fn alias(&mut self, name: &str) -> Result<Shape> {
        if let Some(shape) = self.aliases.get(name) {
            return Ok(shape.clone());
        }
        let pointer = Pointer::root()
            .join("components")
            .join("schemas")
            .join(name);
        if self.alias_stack.iter().any(|n| n == name) {
            return Err(Error::invalid(&pointer, "the schema refers to itself"));
        }
        let Some(schema) = self.schemas.get(name) else {
            return Err(Error::dangling(&pointer, &format!("{SCHEMA_PREFIX}{name}")));
        };
        let Some(Component::Alias { name: rust }) = self.components.get(name).cloned() else {
            return Err(Error::invalid(&pointer, "not an alias"));
        };
        self.alias_stack.push(name.to_owned());
        let result = self.shape(Src::from(schema), &pointer, &rust);
        self.alias_stack.pop();
        let shape = result?;
        self.aliases.insert(name.to_owned(), shape.clone());
        Ok(shape)
    }

    fn build_struct(
        &mut self,
        name: &str,
        pointer: &Pointer,
        schema: &Schema,
    ) -> Result<StructDef> {
        let Norm::Object {
            properties,
            required,
            additional,
            ..
        } = normalize(schema, pointer)?
        else {
            return Err(Error::invalid(pointer, "expected an object schema"));
        };
        // A discriminated union's variant leaves the member naming it to the union.
        let tag_member = self
            .tag_members
            .iter()
            .find(|(component, _)| {
                Pointer::root()
                    .join("components")
                    .join("schemas")
                    .join(component.as_str())
                    == *pointer
            })
            .map(|(_, member)| member.clone());
        let mut fields: Vec<Field> = Vec::with_capacity(properties.len());
        for (json, property) in properties {
            if tag_member.as_deref() == Some(json.as_str()) {
                continue;
            }
            let field_pointer = pointer.join("properties").join(json);
            let rust = names::member(json).ok_or_else(|| {
                Error::invalid(
                    &field_pointer,
                    format!("property {json:?} cannot be made a Rust field name"),
                )
            })?;
            if let Some(other) = fields.iter().find(|f| f.name == rust) {
                return Err(Error::NameCollision {
                    name: rust,
                    first: other.pointer.to_string(),
                    second: field_pointer.to_string(),
                });
            }
            let part = names::pascal(json).ok_or_else(|| {
                Error::invalid(
                    &field_pointer,
                    format!("property {json:?} cannot be made part of a type name"),
                )
            })?;
            let shape = self.shape(
                Src::from(property),
                &field_pointer,
                &format!("{name}{part}"),
            )?;
            fields.push(Field {
                json: json.clone(),
                name: rust,
                required: required.contains(json),
                shape,
                pointer: field_pointer,
                boxed: false,
            });
        }
        let extra = match additional {
            Some(AdditionalProperties::Any(true)) => Some(Shape::of(Ty::Value)),
            Some(AdditionalProperties::Schema(value)) => Some(self.shape(
                Src::from(&**value),
                &pointer.join("additionalProperties"),
                &format!("{name}Value"),
            )?),
            Some(AdditionalProperties::Any(false)) | None => None,
        };
        if extra.is_some()
            && let Some(field) = fields.iter().find(|f| f.name == "extra")
        {
            return Err(Error::NameCollision {
                name: "extra".to_owned(),
                first: field.pointer.to_string(),
                second: pointer.join("additionalProperties").to_string(),
            });
        }
        Ok(StructDef {
            name: name.to_owned(),
            pointer: pointer.clone(),
            title: schema.schema_data.title.clone(),
            description: schema.schema_data.description.clone(),
            fields,
            extra,
            request: false,
            response: false,
            default: false,
            validates: false,
        })
    }

    fn build_enum(&mut self, name: &str, pointer: &Pointer, schema: &Schema) -> Result<EnumDef> {
        let Norm::String { values, .. } = normalize(schema, pointer)? else {
            return Err(Error::invalid(pointer, "expected a string enum"));
        };
        let mut variants: Vec<(String, String)> = Vec::with_capacity(values.len());
        let mut seen: IndexMap<String, usize> = IndexMap::new();
        for (index, value) in values.iter().enumerate() {
            if variants.iter().any(|(_, v)| v == value) {
                continue;
            }
            let variant = if value.is_empty() {
                "Empty".to_owned()
            } else {
                names::pascal(value).ok_or_else(|| {
                    Error::invalid(
                        &pointer.join("enum").join(index.to_string()),
                        format!("enum value {value:?} cannot be made a Rust variant name"),
                    )
                })?
            };
            let variant = if variant == "Unknown" {
                "UnknownValue".to_owned()
            } else {
                variant
            };
            if let Some(first) = seen.get(&variant) {
                return Err(Error::NameCollision {
                    name: variant,
                    first: pointer.join("enum").join(first.to_string()).to_string(),
                    second: pointer.join("enum").join(index.to_string()).to_string(),
                });
            }
            seen.insert(variant.clone(), index);
            variants.push((variant, (*value).to_owned()));
        }
        Ok(EnumDef {
            name: name.to_owned(),
            pointer: pointer.clone(),
            title: schema.schema_data.title.clone(),
            description: schema.schema_data.description.clone(),
            variants,
        })
    }

    /// Marks structs reachable from `roots` as request-side (or response-side).
    /// A union from a `oneOf`: its variants' shapes and names, and how they are told apart.
    fn build_union(&mut self, name: &str, pointer: &Pointer, schema: &Schema) -> Result<UnionDef> {
        let SchemaKind::OneOf { one_of } = &schema.schema_kind else {
            return Err(Error::invalid(pointer, "expected a `oneOf` schema"));
        };
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut variants: Vec<Variant> = Vec::with_capacity(one_of.len());
        for (index, item) in one_of.iter().enumerate() {
            let at = pointer.join("oneOf").join(index.to_string());
            let component = match item {
                ReferenceOr::Reference { reference } => schema_ref_name(reference),
                ReferenceOr::Item(_) => None,
            };
            let shape = self.shape(Src::from(item), &at, &format!("{name}Variant{}", index + 1))?;
            let tag_values: Vec<String> = match discriminator {
                None => Vec::new(),
                Some(discriminator) => {
                    let Some(component) = &component else {
                        return Err(Error::unsupported(
                            &at,
                            "an inline variant of a discriminated `oneOf` (use a `$ref`)",
                        ));
                    };
                    let reference = format!("{SCHEMA_PREFIX}{component}");
                    let mapped: Vec<String> = discriminator
                        .mapping
                        .iter()
                        .filter(|(_, target)| **target == reference)
                        .map(|(value, _)| value.clone())
                        .collect();
                    if mapped.is_empty() {
                        vec![component.clone()]
                    } else {
                        mapped
                    }
                }
            };
            let variant_name = match tag_values.as_slice() {
                [value] => names::pascal(value),
                _ => variant_name(name, component.as_deref(), &shape),
            }
            .ok_or_else(|| Error::invalid(&at, "the variant cannot be given a Rust name"))?;
            let variant_name = if variant_name == "Unknown" {
                "UnknownValue".to_owned()
            } else {
                variant_name
            };
            if variants.iter().any(|v| v.name == variant_name) {
                return Err(Error::NameCollision {
                    name: variant_name,
                    first: pointer.join("oneOf").to_string(),
                    second: at.to_string(),
                });
            }
            variants.push(Variant {
                name: variant_name,
                shape,
                tag_values,
            });
        }
        if variants.is_empty() {
            return Err(Error::invalid(pointer, "`oneOf` without variants"));
        }
        Ok(UnionDef {
            name: name.to_owned(),
            pointer: pointer.clone(),
            description: schema
                .schema_data
                .description
                .clone()
                .or_else(|| schema.schema_data.title.clone()),
            variants,
            tag: discriminator.map(|d| d.property_name.clone()),
            request: false,
            response: false,
            validates: false,
        })
    }

    pub(crate) fn mark(&mut self, roots: &[Shape], request: bool) {
        let mut queue: Vec<String> = Vec::new();
        for root in roots {
            collect_structs(root, &mut queue);
        }
        let mut seen: IndexSet<String> = IndexSet::new();
        while let Some(name) = queue.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            match self.defs.get_mut(&name) {
                Some(TypeDef::Struct(def)) => {
                    if request {
                        def.request = true;
                    } else {
                        def.response = true;
                    }
                    for field in &def.fields {
                        collect_structs(&field.shape, &mut queue);
                    }
                    if let Some(extra) = &def.extra {
                        collect_structs(extra, &mut queue);
                    }
                }
                Some(TypeDef::Union(def)) => {
                    if request {
                        def.request = true;
                    } else {
                        def.response = true;
                    }
                    for variant in &def.variants {
                        collect_structs(&variant.shape, &mut queue);
                    }
                }
                _ => {}
            }
        }
    }

    /// Computes boxing, `Default` and validation facts once all types are known.
    pub(crate) fn finish(&mut self) {
        for def in self.defs.values_mut() {
            match def {
                TypeDef::Struct(def) if !def.request => def.response = true,
                TypeDef::Union(def) if !def.request => def.response = true,
                _ => {}
            }
        }

        // Box fields that would make a struct contain itself.
        let direct: IndexMap<String, Vec<String>> = self
            .defs
            .iter()
            .filter_map(|(name, def)| match def {
                TypeDef::Struct(def) => Some((
                    name.clone(),
                    def.fields
                        .iter()
                        .filter_map(|f| direct_struct(&f.shape))
                        .collect(),
                )),
                _ => None,
            })
            .collect();
        let names: Vec<String> = direct.keys().cloned().collect();
        for name in &names {
            let boxes: Vec<bool> = match self.struct_def(name) {
                Some(def) => def
                    .fields
                    .iter()
                    .map(|f| direct_struct(&f.shape).is_some_and(|t| reaches(&direct, &t, name)))
                    .collect(),
                None => continue,
            };
            if let Some(TypeDef::Struct(def)) = self.defs.get_mut(name) {
                for (field, boxed) in def.fields.iter_mut().zip(boxes) {
                    field.boxed = boxed;
                }
            }
        }

        // `Default` when every field allows it: a fixpoint over the structs.
        for name in &names {
            if let Some(TypeDef::Struct(def)) = self.defs.get_mut(name) {
                def.default = true;
            }
        }
        loop {
            let mut changed = false;
            for name in &names {
                let Some(def) = self.struct_def(name) else {
                    continue;
                };
                if !def.default {
                    continue;
                }
                let ok = def
                    .fields
                    .iter()
                    .all(|f| def.optional(f) || self.has_default(&f.shape));
                if !ok {
                    if let Some(TypeDef::Struct(def)) = self.defs.get_mut(name) {
                        def.default = false;
                    }
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        // Whether validation of a request-side struct or union can fail: a fixpoint as well.
        // A tagged union always can: an unknown variant is not sent.
        let unions: Vec<String> = self
            .defs
            .iter()
            .filter(|(_, def)| matches!(def, TypeDef::Union(_)))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &unions {
            if let Some(TypeDef::Union(def)) = self.defs.get_mut(name)
                && def.request
                && def.tag.is_some()
            {
                def.validates = true;
            }
        }
        loop {
            let mut changed = false;
            for name in &unions {
                let Some(TypeDef::Union(def)) = self.defs.get(name) else {
                    continue;
                };
                if !def.request || def.validates {
                    continue;
                }
                if def.variants.iter().any(|v| self.has_checks(&v.shape)) {
                    if let Some(TypeDef::Union(def)) = self.defs.get_mut(name) {
                        def.validates = true;
                    }
                    changed = true;
                }
            }
            for name in &names {
                let Some(def) = self.struct_def(name) else {
                    continue;
                };
                if !def.request || def.validates {
                    continue;
                }
                let validates = def
                    .fields
                    .iter()
                    .filter(|f| def.settable(f))
                    .any(|f| self.has_checks(&f.shape))
                    || def.extra.as_ref().is_some_and(|e| self.has_checks(e));
                if validates {
                    if let Some(TypeDef::Struct(def)) = self.defs.get_mut(name) {
                        def.validates = true;
                    }
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Whether the (non-optional) type implements `Default`.
    pub(crate) fn has_default(&self, shape: &Shape) -> bool {
        if shape.nullable {
            return true;
        }
        match &shape.ty {
            Ty::String
            | Ty::Bool
            | Ty::I32
            | Ty::I64
            | Ty::U32
            | Ty::U64
            | Ty::F64
            | Ty::Uuid
            | Ty::Id(_)
            | Ty::Value
            | Ty::JsonMap
            | Ty::Vec(_)
            | Ty::Map(_) => true,
            Ty::DateTime | Ty::Enum(_) | Ty::Union(_) | Ty::External(_) => false,
            Ty::Struct(name) => self.struct_def(name).is_some_and(|def| def.default),
            Ty::Alias(_, inner) => self.has_default(inner),
        }
    }

    /// Whether validating a value of this shape can fail.
    pub(crate) fn has_checks(&self, shape: &Shape) -> bool {
        if !shape.checks.is_empty() {
            return true;
        }
        match &shape.ty {
            Ty::Vec(inner) | Ty::Map(inner) | Ty::Alias(_, inner) => self.has_checks(inner),
            Ty::Enum(_) => true,
            Ty::Struct(name) => self.struct_def(name).is_some_and(|def| def.validates),
            Ty::Union(name) => self.union_def(name).is_some_and(|def| def.validates),
            _ => false,
        }
    }

    pub(crate) fn union_def(&self, name: &str) -> Option<&UnionDef> {
        match self.defs.get(name) {
            Some(TypeDef::Union(def)) => Some(def),
            _ => None,
        }
    }
}

fn collect_structs(shape: &Shape, out: &mut Vec<String>) {
    match &shape.ty {
        Ty::Struct(name) | Ty::Union(name) => out.push(name.clone()),
        Ty::Vec(inner) | Ty::Map(inner) | Ty::Alias(_, inner) => collect_structs(inner, out),
        _ => {}
    }
}

/// The struct a field holds directly (not through a `Vec` or map).
fn direct_struct(shape: &Shape) -> Option<String> {
    match &shape.ty {
        Ty::Struct(name) => Some(name.clone()),
        Ty::Alias(_, inner) => direct_struct(inner),
        _ => None,
    }
}

fn reaches(graph: &IndexMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen: IndexSet<String> = IndexSet::new();
    while let Some(node) = stack.pop() {
        if node == to {
            return true;
        }
        if seen.insert(node.clone())
            && let Some(next) = graph.get(&node)
        {
            stack.extend(next.iter().cloned());
        }
    }
    false
}

fn string_format(format: &VariantOrUnknownOrEmpty<StringFormat>) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some("date".to_owned()),
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some("date-time".to_owned()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Password) => Some("password".to_owned()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => Some("byte".to_owned()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Some("binary".to_owned()),
        VariantOrUnknownOrEmpty::Unknown(other) => Some(other.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn int_bound(
    pointer: &Pointer,
    value: Option<i64>,
    exclusive: bool,
    step: i64,
    keyword: &str,
) -> Result<Option<i64>> {
    match value {
        Some(value) if exclusive => value
            .checked_add(step)
            .map(Some)
            .ok_or_else(|| Error::invalid(pointer, format!("`{keyword}` is out of range"))),
        other => Ok(other),
    }
}

fn normalize<'s>(schema: &'s Schema, pointer: &Pointer) -> Result<Norm<'s>> {
    Ok(match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => Norm::String {
            format: string_format(&s.format),
            pattern: s.pattern.as_deref(),
            values: s.enumeration.iter().flatten().map(String::as_str).collect(),
            min_length: s.min_length,
            max_length: s.max_length,
        },
        SchemaKind::Type(Type::Integer(i)) => {
            if !i.enumeration.is_empty() {
                return Err(Error::unsupported(pointer, "`enum` on an integer schema"));
            }
            if i.multiple_of.is_some() {
                return Err(Error::unsupported(pointer, "`multipleOf`"));
            }
            Norm::Integer {
                int32: matches!(
                    i.format,
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32)
                ),
                min: int_bound(pointer, i.minimum, i.exclusive_minimum, 1, "minimum")?,
                max: int_bound(pointer, i.maximum, i.exclusive_maximum, -1, "maximum")?,
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            if !n.enumeration.is_empty() {
                return Err(Error::unsupported(pointer, "`enum` on a number schema"));
            }
            if n.multiple_of.is_some() {
                return Err(Error::unsupported(pointer, "`multipleOf`"));
            }
            if n.exclusive_minimum || n.exclusive_maximum {
                return Err(Error::unsupported(
                    pointer,
                    "exclusive bounds on a number schema",
                ));
            }
            Norm::Number {
                min: n.minimum,
                max: n.maximum,
            }
        }
        SchemaKind::Type(Type::Boolean(b)) => {
            if !b.enumeration.is_empty() {
                return Err(Error::unsupported(pointer, "`enum` on a boolean schema"));
            }
            Norm::Boolean
        }
        SchemaKind::Type(Type::Object(o)) => Norm::Object {
            properties: &o.properties,
            required: &o.required,
            additional: o.additional_properties.as_ref(),
            min_properties: o.min_properties,
            max_properties: o.max_properties,
        },
        SchemaKind::Type(Type::Array(a)) => Norm::Array {
            items: a.items.as_ref(),
            min_items: a.min_items,
            max_items: a.max_items,
        },
        SchemaKind::AllOf { all_of } => Norm::AllOf(all_of),
        SchemaKind::OneOf { .. } => Norm::OneOf,
        SchemaKind::AnyOf { .. } => return Err(Error::unsupported(pointer, "`anyOf`")),
        SchemaKind::Not { .. } => return Err(Error::unsupported(pointer, "`not`")),
        SchemaKind::Any(any) => {
            if !any.one_of.is_empty() {
                return Err(Error::unsupported(
                    pointer,
                    "`oneOf` beside other keywords (give each variant its own schema)",
                ));
            }
            if !any.any_of.is_empty() {
                return Err(Error::unsupported(pointer, "`anyOf`"));
            }
            if any.not.is_some() {
                return Err(Error::unsupported(pointer, "`not`"));
            }
            let mut other: Vec<&str> = Vec::new();
            let set = [
                (any.pattern.is_some(), "pattern"),
                (any.multiple_of.is_some(), "multipleOf"),
                (any.exclusive_minimum.is_some(), "exclusiveMinimum"),
                (any.exclusive_maximum.is_some(), "exclusiveMaximum"),
                (any.minimum.is_some(), "minimum"),
                (any.maximum.is_some(), "maximum"),
                (any.items.is_some(), "items"),
                (any.min_items.is_some(), "minItems"),
                (any.max_items.is_some(), "maxItems"),
                (any.unique_items.is_some(), "uniqueItems"),
                (!any.enumeration.is_empty(), "enum"),
                (any.format.is_some(), "format"),
                (any.min_length.is_some(), "minLength"),
                (any.max_length.is_some(), "maxLength"),
                (!any.all_of.is_empty(), "allOf"),
            ];
            for (present, keyword) in set {
                if present {
                    other.push(keyword);
                }
            }
            let object = !any.properties.is_empty()
                || !any.required.is_empty()
                || any.additional_properties.is_some()
                || any.min_properties.is_some()
                || any.max_properties.is_some();
            match any.typ.as_deref() {
                None if !object && other.is_empty() => Norm::Any,
                None | Some("object") if other.is_empty() => Norm::Object {
                    properties: &any.properties,
                    required: &any.required,
                    additional: any.additional_properties.as_ref(),
                    min_properties: any.min_properties,
                    max_properties: any.max_properties,
                },
                typ => {
                    let mut keywords: Vec<&str> = other;
                    if object {
                        keywords.push("properties");
                    }
                    return Err(Error::unsupported(
                        pointer,
                        format!(
                            "schema of type {} with keywords {}",
                            typ.unwrap_or("(none)"),
                            keywords.join(", ")
                        ),
                    ));
                }
            }
        }
    })
}
