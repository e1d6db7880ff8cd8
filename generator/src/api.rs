//! The document as a client: authentication, envelope, operations and their groups.

use indexmap::IndexMap;
use openapiv3::{
    APIKeyLocation, Components, MediaType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent,
    PathStyle, QueryStyle, ReferenceOr, RequestBody, Response as ApiResponse, SchemaKind,
    SecurityScheme, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use crate::Config;
use crate::error::{Error, Result};
use crate::model::{Models, Shape, Src, Ty};
use crate::names::{self, Pointer};

/// How one credential travels; an API's requests carry every scheme of its first security
/// requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    Header(String),
    Query(String),
    Bearer,
    Basic,
}

#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub(crate) schema: String,
    pub(crate) data: String,
    pub(crate) error: Option<String>,
    pub(crate) meta: Option<String>,
    pub(crate) success: Option<String>,
}

/// A credential the client builder takes: one scheme of the security requirement.
#[derive(Clone, Debug)]
pub(crate) struct CredentialDef {
    /// The security scheme's name in `components.securitySchemes`.
    pub(crate) scheme: String,
    /// The builder method setting it (`api_key`, `tenant_id`).
    pub(crate) setter: String,
    pub(crate) auth: Auth,
    pub(crate) description: Option<String>,
    /// What a bearer token looks like (`bearerFormat`), for the setter's documentation.
    pub(crate) format: Option<String>,
}

impl CredentialDef {
    /// The header or query parameter the credential travels in (`Authorization` for bearer and
    /// basic authentication), as the runtime's `credential_for` takes it.
    pub(crate) fn auth_name(&self) -> &str {
        match &self.auth {
            Auth::Header(name) | Auth::Query(name) => name,
            Auth::Bearer | Auth::Basic => "Authorization",
        }
    }
}

/// An environment variable `from_env` reads (`info.x-env`).
#[derive(Clone, Debug)]
pub(crate) struct EnvDef {
    pub(crate) name: String,
    /// The credential it sets (an index into `Api::credentials`), or the base URL.
    pub(crate) credential: Option<usize>,
}

/// A server from `servers`, with the API-key prefix that selects it (`x-key-prefix`).
#[derive(Clone, Debug)]
pub(crate) struct ServerDef {
    pub(crate) url: String,
    pub(crate) description: String,
    pub(crate) key_prefix: Option<String>,
}

/// Members of an error body (`x-error-body`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorBodyDef {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct ErrorCodeDef {
    pub(crate) code: String,
    pub(crate) variant: String,
    pub(crate) status: Option<u16>,
    pub(crate) message: Option<String>,
    /// Documented as transient (`"retryable": true`): retried whatever the status.
    pub(crate) retryable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
}

/// The role of a query parameter under `x-pagination`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PageRole {
    /// Where the page starts: a page number, or an item offset (see [`Pagination::offset`]).
    Page,
    /// How many items a page holds.
    PageSize,
}

#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub(crate) location: Location,
    /// The name on the wire.
    pub(crate) wire: String,
    /// The Rust name (argument, builder field and method).
    pub(crate) name: String,
    pub(crate) shape: Shape,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    pub(crate) pointer: Pointer,
    pub(crate) page_role: Option<PageRole>,
    /// For query arrays: one `name=value` pair per item (`true`) or one comma-separated pair.
    pub(crate) explode: bool,
    /// A header marked `x-idempotency-key: true`.
    pub(crate) idempotency_key: bool,
}

impl Param {
    /// Whether the parameter is an argument of the operation method.
    pub(crate) fn is_argument(&self) -> bool {
        self.required && self.page_role.is_none()
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Body {
    /// The JSON body's shape (`serde_json::Value` for a form).
    pub(crate) shape: Shape,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    /// The parts of a `multipart/form-data` body, which is sent as a form instead of JSON.
    pub(crate) form: Option<Vec<FormPart>>,
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug)]
pub(crate) struct FormPart {
    /// The part's name on the wire.
    pub(crate) wire: String,
    /// The Rust name (argument, builder field and method).
    pub(crate) name: String,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    pub(crate) pointer: Pointer,
    pub(crate) kind: PartKind,
}

#[derive(Clone, Debug)]
pub(crate) enum PartKind {
    /// A file (`format: binary`), checked against its documented formats and sizes.
    File(FileRulesDef),
    /// A text value: a string, number, boolean or enum.
    Text(Box<Shape>),
}

/// The formats and sizes a file part accepts: `encoding.<part>.contentType`, `x-max-bytes`
/// (per content type), `x-file-extensions` (per content type) and `maxLength` (any type).
#[derive(Clone, Debug, Default)]
pub(crate) struct FileRulesDef {
    pub(crate) types: Vec<FileTypeDef>,
    pub(crate) max_bytes: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct FileTypeDef {
    pub(crate) content_type: String,
    pub(crate) extensions: Vec<String>,
    pub(crate) max_bytes: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Responses {
    pub(crate) statuses: Vec<u16>,
    /// Whether a success response has a JSON body.
    pub(crate) json: bool,
    /// The decoded payload; `None` for `()`.
    pub(crate) payload: Option<Shape>,
    /// Why the payload is `serde_json::Value`, when the document does not pin one type.
    pub(crate) note: Option<String>,
    /// The member of the response object holding the payload (`x-payload-key`), when the
    /// payload is unwrapped from it.
    pub(crate) payload_key: Option<String>,
}

/// `x-pagination`: numbered pages (`page`, `page_size`, a `has_more` flag) or, with
/// `style: offset`, pages that start at an item offset (`offset`, `limit`, a `total`).
#[derive(Clone, Debug)]
pub(crate) struct Pagination {
    pub(crate) pointer: Pointer,
    /// The query parameter saying where the page starts: page number or offset.
    pub(crate) page: String,
    /// The query parameter saying how many items a page holds.
    pub(crate) page_size: String,
    /// The payload member listing the page's items.
    pub(crate) items: String,
    /// Numbered pages: the dotted path to the payload's "more pages" flag.
    pub(crate) has_more: Vec<String>,
    /// Offset pages: the payload member with the total number of items.
    pub(crate) total: Option<String>,
    /// Offset pages: the payload member repeating the offset asked for.
    pub(crate) offset_member: Option<String>,
    pub(crate) default_page_size: Option<i64>,
    /// Whether pages start at an item offset (from 0) rather than a page number (from 1).
    pub(crate) offset: bool,
}

impl Pagination {
    /// The position of the first page: page 1, or offset 0.
    pub(crate) fn first(&self) -> i64 {
        if self.offset { 0 } else { 1 }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Op {
    pub(crate) pointer: Pointer,
    pub(crate) id: String,
    pub(crate) http_method: String,
    pub(crate) path: String,
    pub(crate) group: Vec<String>,
    pub(crate) method: String,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) deprecated: bool,
    /// Path parameters in path order, then query and header parameters in document order.
    pub(crate) params: Vec<Param>,
    pub(crate) body: Option<Body>,
    pub(crate) responses: Responses,
    pub(crate) pagination: Option<Pagination>,
    /// The header parameter carrying an idempotency key (named `Idempotency-Key` or marked
    /// `x-idempotency-key`).
    pub(crate) idempotency_header: Option<String>,
}

impl Op {
    /// `contacts.list`, `profiles.campaigns.create`.
    pub(crate) fn name(&self) -> String {
        let mut parts = self.group.clone();
        parts.push(self.method.clone());
        parts.join(".")
    }

    /// `CONTACTS_LIST`.
    pub(crate) fn static_name(&self) -> String {
        let mut parts = self.group.clone();
        parts.push(self.method.clone());
        names::screaming(&parts.join("_")).unwrap_or_else(|| "OPERATION".to_owned())
    }
}

/// `client.profiles().campaigns().create()`.
fn call(group: &[String], method: &str) -> String {
    let mut call = "client".to_owned();
    for segment in group.iter().map(String::as_str).chain([method]) {
        call.push_str(&format!(".{}()", names::ident(segment)));
    }
    call
}

fn type_prefix(group: &[String], method: &str) -> String {
    let mut parts: Vec<&str> = group.iter().map(String::as_str).collect();
    parts.push(method);
    names::pascal(&parts.join("_")).unwrap_or_default()
}

/// A node of the group tree: `client.profiles().campaigns()`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    /// Segments from the root.
    pub(crate) path: Vec<String>,
    /// Indices into `Api::ops`.
    pub(crate) ops: Vec<usize>,
    pub(crate) children: IndexMap<String, Group>,
}

pub(crate) struct Api<'a> {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) description: Option<String>,
    pub(crate) servers: Vec<ServerDef>,
    pub(crate) auth: Vec<Auth>,
    pub(crate) credentials: Vec<CredentialDef>,
    pub(crate) env: Vec<EnvDef>,
    pub(crate) envelope: Option<Envelope>,
    pub(crate) error_body: ErrorBodyDef,
    /// Prefix of the idempotency keys the runtime generates.
    pub(crate) idempotency_key_prefix: String,
    pub(crate) error_codes: Vec<ErrorCodeDef>,
    pub(crate) ops: Vec<Op>,
    pub(crate) root: Group,
    pub(crate) models: Models<'a>,
}

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

impl<'a> Api<'a> {
    pub(crate) fn analyze(spec: &'a OpenAPI, config: &Config) -> Result<Api<'a>> {
        let root = Pointer::root();
        let envelope = envelope(spec)?;
        static EMPTY: std::sync::LazyLock<IndexMap<String, ReferenceOr<openapiv3::Schema>>> =
            std::sync::LazyLock::new(IndexMap::new);
        let schemas = spec
            .components
            .as_ref()
            .map_or(&*EMPTY, |components| &components.schemas);
        for name in config.replacements.keys() {
            if !schemas.contains_key(name) {
                return Err(Error::Config(format!(
                    "replaced schema {name:?} is not in #/components/schemas"
                )));
            }
        }
        for name in config.renames.keys() {
            if !schemas.contains_key(name) {
                return Err(Error::Config(format!(
                    "renamed schema {name:?} is not in #/components/schemas"
                )));
            }
        }
        if let Some(envelope) = &envelope
            && !schemas.contains_key(&envelope.schema)
        {
            return Err(Error::dangling(
                &root.join("x-envelope").join("schema"),
                &envelope.schema,
            ));
        }
        let models = Models::new(
            schemas,
            &config.replacements,
            &config.renames,
            envelope.as_ref().map(|e| e.schema.as_str()),
            &form_schemas(spec),
        )?;
        let mut api = Api {
            title: spec.info.title.clone(),
            version: spec.info.version.clone(),
            description: spec.info.description.clone(),
            servers: servers(spec)?,
            auth: Vec::new(),
            credentials: Vec::new(),
            env: Vec::new(),
            envelope,
            error_body: error_body(spec)?,
            idempotency_key_prefix: config.idempotency_key_prefix.clone(),
            error_codes: error_codes(spec)?,
            ops: Vec::new(),
            root: Group::default(),
            models,
        };
        api.credentials = credentials(spec, config)?;
        api.auth = api.credentials.iter().map(|c| c.auth.clone()).collect();
        api.env = env_vars(spec, &api.credentials)?;
        api.operations(spec)?;
        api.groups()?;
        let requests: Vec<Shape> = api
            .ops
            .iter()
            .filter_map(|op| op.body.as_ref().map(|b| b.shape.clone()))
            .collect();
        let responses: Vec<Shape> = api
            .ops
            .iter()
            .filter_map(|op| op.responses.payload.clone())
            .collect();
        api.models.mark(&requests, true);
        api.models.mark(&responses, false);
        api.models.finish();
        Ok(api)
    }

    fn operations(&mut self, spec: &'a OpenAPI) -> Result<()> {
        let paths = Pointer::root().join("paths");
        let mut ids: IndexMap<String, Pointer> = IndexMap::new();
        let mut statics: IndexMap<String, Pointer> = IndexMap::new();
        for (path, item) in spec.paths.iter() {
            let path_pointer = paths.join(path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(Error::unsupported(&path_pointer, "`$ref` path items"));
                }
            };
            if item.trace.is_some() {
                return Err(Error::unsupported(
                    &path_pointer.join("trace"),
                    "TRACE operations",
                ));
            }
            for (method, operation) in item.iter() {
                if !HTTP_METHODS.contains(&method) {
                    continue;
                }
                let pointer = path_pointer.join(method);
                let op = self.operation(
                    spec,
                    path,
                    method,
                    operation,
                    &item.parameters,
                    &path_pointer,
                    &pointer,
                )?;
                if let Some(first) = ids.insert(op.id.clone(), pointer.clone()) {
                    return Err(Error::NameCollision {
                        name: op.id.clone(),
                        first: first.to_string(),
                        second: pointer.to_string(),
                    });
                }
                let name = op.static_name();
                if name == "ALL" {
                    return Err(Error::invalid(
                        &pointer,
                        "the static name `ALL` is reserved for the list of operations",
                    ));
                }
                if let Some(first) = statics.insert(name.clone(), pointer.clone()) {
                    return Err(Error::NameCollision {
                        name,
                        first: first.to_string(),
                        second: pointer.to_string(),
                    });
                }
                self.ops.push(op);
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        spec: &'a OpenAPI,
        path: &str,
        method: &str,
        operation: &'a Operation,
        shared: &'a [ReferenceOr<Parameter>],
        path_pointer: &Pointer,
        pointer: &Pointer,
    ) -> Result<Op> {
        let (group, method_name) = naming(path, method, operation, pointer)?;
        let prefix = type_prefix(&group, &method_name);
        if prefix.is_empty() {
            return Err(Error::invalid(pointer, "the operation name is empty"));
        }
        let pagination = pagination(operation, pointer)?;

        // Parameters: those of the path item, overridden by the operation's own.
        let mut raw: Vec<(&'a Parameter, Pointer)> = Vec::new();
        for (index, parameter) in shared.iter().enumerate() {
            let at = path_pointer.join("parameters").join(index.to_string());
            raw.push(resolve_parameter(spec, parameter, &at)?);
        }
        for (index, parameter) in operation.parameters.iter().enumerate() {
            let at = pointer.join("parameters").join(index.to_string());
            let (parameter, at) = resolve_parameter(spec, parameter, &at)?;
            let data = parameter.parameter_data_ref();
            raw.retain(|(p, _)| {
                let other = p.parameter_data_ref();
                !(other.name == data.name
                    && std::mem::discriminant(*p) == std::mem::discriminant(parameter))
            });
            raw.push((parameter, at));
        }

        let template = template_params(path, pointer)?;
        let mut path_params: Vec<Param> = Vec::new();
        let mut other_params: Vec<Param> = Vec::new();
        for (parameter, at) in raw {
            let (location, data) = match parameter {
                Parameter::Path {
                    parameter_data,
                    style,
                } => {
                    if *style != PathStyle::Simple {
                        return Err(Error::unsupported(
                            &at.join("style"),
                            "path parameter styles other than `simple`",
                        ));
                    }
                    (Location::Path, parameter_data)
                }
                Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => {
                    if *style != QueryStyle::Form {
                        return Err(Error::unsupported(
                            &at.join("style"),
                            "query parameter styles other than `form`",
                        ));
                    }
                    (Location::Query, parameter_data)
                }
                Parameter::Header { parameter_data, .. } => (Location::Header, parameter_data),
                Parameter::Cookie { .. } => {
                    return Err(Error::unsupported(&at, "cookie parameters"));
                }
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => schema,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(Error::unsupported(&at, "parameters described by `content`"));
                }
            };
            let name = match location {
                Location::Header => names::header_method(&data.name),
                Location::Path | Location::Query => names::member(&data.name),
            }
            .ok_or_else(|| {
                Error::invalid(
                    &at,
                    format!("parameter {:?} cannot be made a Rust name", data.name),
                )
            })?;
            let part = names::pascal(&data.name).unwrap_or_else(|| "Param".to_owned());
            let place = match location {
                Location::Path => "path parameter",
                Location::Query => "query parameter",
                Location::Header => "header",
            };
            self.models.set_origin(
                &at.join("schema"),
                format!(
                    "the `{}` {place} of `{}`",
                    data.name,
                    call(&group, &method_name)
                ),
            );
            let mut shape = self.models.shape(
                Src::from(schema),
                &at.join("schema"),
                &format!("{prefix}{part}"),
            )?;
            shape
                .aliases
                .extend(crate::model::aliases(&data.extensions));
            check_param_type(&shape, location, &at)?;
            let page_role = match (&pagination, location) {
                (Some(p), Location::Query) if p.page == data.name => Some(PageRole::Page),
                (Some(p), Location::Query) if p.page_size == data.name => Some(PageRole::PageSize),
                _ => None,
            };
            if page_role.is_some() {
                // Page numbers and sizes are never negative, whatever the document's bounds.
                shape.ty = match &shape.target().ty {
                    Ty::I32 | Ty::U32 => Ty::U32,
                    Ty::I64 | Ty::U64 => Ty::U64,
                    _ => {
                        return Err(Error::invalid(
                            &at.join("schema"),
                            "a pagination parameter must be an integer",
                        ));
                    }
                };
            }
            let param = Param {
                location,
                explode: data.explode.unwrap_or(true),
                wire: data.name.clone(),
                name,
                required: data.required || location == Location::Path,
                description: data.description.clone(),
                shape,
                pointer: at,
                page_role,
                idempotency_key: location == Location::Header
                    && data.extensions.get("x-idempotency-key") == Some(&Value::Bool(true)),
            };
            if location == Location::Path {
                if !template.contains(&data.name) {
                    return Err(Error::invalid(
                        &param.pointer,
                        format!("path parameter {:?} does not appear in the path", data.name),
                    ));
                }
                path_params.push(param);
            } else {
                other_params.push(param);
            }
        }
        let mut params: Vec<Param> = Vec::new();
        for name in &template {
            let index = path_params
                .iter()
                .position(|p| &p.wire == name)
                .ok_or_else(|| {
                    Error::invalid(
                        pointer,
                        format!("the path parameter {{{name}}} is not declared"),
                    )
                })?;
            params.push(path_params.remove(index));
        }
        params.extend(other_params);
        if let Some(p) = &pagination {
            for (wire, role) in [(&p.page, "page"), (&p.page_size, "page_size")] {
                if !params
                    .iter()
                    .any(|q| &q.wire == wire && q.location == Location::Query)
                {
                    return Err(Error::invalid(
                        &p.pointer.join(role),
                        format!("no query parameter named {wire:?}"),
                    ));
                }
            }
        }

        let body = match &operation.request_body {
            None => None,
            Some(body) => {
                let at = pointer.join("requestBody");
                let (body, at) = resolve_request_body(spec, body, &at)?;
                let Some((media, media_type)) = json_media(&body.content) else {
                    let Some(form) = body.content.get(MULTIPART) else {
                        return Err(Error::unsupported(
                            &at.join("content"),
                            "request bodies that are neither JSON nor `multipart/form-data`",
                        ));
                    };
                    let form_at = at.join("content").join(MULTIPART);
                    let parts = self.form_parts(
                        spec,
                        form,
                        &form_at,
                        &prefix,
                        &call(&group, &method_name),
                    )?;
                    let body = Body {
                        shape: Shape::of(Ty::Value),
                        required: body.required,
                        description: body.description.clone(),
                        form: Some(parts),
                    };
                    return self.finish_operation(
                        spec,
                        OpParts {
                            path,
                            method,
                            operation,
                            pointer,
                            group,
                            method_name,
                            prefix,
                            params,
                            pagination,
                            body: Some(body),
                        },
                    );
                };
                let schema_at = at.join("content").join(media).join("schema");
                self.models.set_origin(
                    &schema_at,
                    format!("the request body of `{}`", call(&group, &method_name)),
                );
                let shape = match &media_type.schema {
                    Some(schema) => self.models.shape(
                        Src::from(schema),
                        &schema_at,
                        &format!("{prefix}Request"),
                    )?,
                    None => Shape::of(Ty::Value),
                };
                Some(Body {
                    shape,
                    required: body.required,
                    description: body.description.clone(),
                    form: None,
                })
            }
        };
        self.finish_operation(
            spec,
            OpParts {
                path,
                method,
                operation,
                pointer,
                group,
                method_name,
                prefix,
                params,
                pagination,
                body,
            },
        )
    }

    /// The responses and the rest of an operation whose parameters and body are read.
    fn finish_operation(&mut self, spec: &'a OpenAPI, parts: OpParts<'a, '_>) -> Result<Op> {
        let OpParts {
            path,
            method,
            operation,
            pointer,
            group,
            method_name,
            prefix,
            params,
            pagination,
            body,
        } = parts;
        let responses = self.responses(
            spec,
            operation,
            pointer,
            &prefix,
            &call(&group, &method_name),
        )?;
        let idempotency_header = params
            .iter()
            .find(|p| {
                p.location == Location::Header
                    && (p.wire.eq_ignore_ascii_case("idempotency-key") || p.idempotency_key)
            })
            .map(|p| p.wire.clone());
        let id = operation.operation_id.clone().unwrap_or_else(|| {
            let mut parts = group.clone();
            parts.push(method_name.clone());
            parts.join(".")
        });
        Ok(Op {
            pointer: pointer.clone(),
            id,
            http_method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            group,
            method: method_name,
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            deprecated: operation.deprecated,
            params,
            body,
            responses,
            pagination,
            idempotency_header,
        })
    }

    fn responses(
        &mut self,
        spec: &'a OpenAPI,
        operation: &'a Operation,
        pointer: &Pointer,
        prefix: &str,
        call: &str,
    ) -> Result<Responses> {
        let at = pointer.join("responses");
        let mut successes: Vec<(u16, &'a ReferenceOr<ApiResponse>, Pointer)> = Vec::new();
        for (code, response) in &operation.responses.responses {
            match code {
                StatusCode::Code(code) if (200..300).contains(code) => {
                    successes.push((*code, response, at.join(code.to_string())));
                }
                StatusCode::Range(2) => successes.push((200, response, at.join("2XX"))),
                _ => {}
            }
        }
        if successes.is_empty()
            && let Some(default) = &operation.responses.default
        {
            successes.push((200, default, at.join("default")));
        }
        if successes.is_empty() {
            return Err(Error::invalid(
                &at,
                "no success (2xx) response is documented",
            ));
        }
        let mut statuses: Vec<u16> = Vec::new();
        let mut payloads: Vec<Option<Shape>> = Vec::new();
        let mut payload_keys: Vec<Option<String>> = Vec::new();
        for (index, (code, response, response_at)) in successes.into_iter().enumerate() {
            if !statuses.contains(&code) {
                statuses.push(code);
            }
            let (response, response_at) = resolve_response(spec, response, &response_at)?;
            if response.content.is_empty() {
                payloads.push(None);
                continue;
            }
            let Some((media, media_type)) = json_media(&response.content) else {
                return Err(Error::unsupported(
                    &response_at.join("content"),
                    "responses that are not JSON",
                ));
            };
            let schema_at = response_at.join("content").join(media).join("schema");
            let hint = if index == 0 {
                format!("{prefix}Response")
            } else {
                format!("{prefix}Response{code}")
            };
            self.models
                .set_origin(&schema_at, format!("the response to `{call}`"));
            let payload_key = match response.extensions.get("x-payload-key") {
                None | Some(Value::Null) => None,
                Some(Value::String(key)) if !key.is_empty() => Some(key.clone()),
                Some(_) => {
                    return Err(Error::invalid(
                        &response_at.join("x-payload-key"),
                        "expected a member name",
                    ));
                }
            };
            let (shape, key) = match &media_type.schema {
                None => (Shape::of(Ty::Value), None),
                Some(schema) => match (self.envelope.clone(), payload_key) {
                    (None, Some(key)) => {
                        match payload_member(spec, schema, &schema_at, &key) {
                            Some((member, member_at)) => {
                                self.models
                                    .set_origin(&member_at, format!("the response to `{call}`"));
                                let shape = self.models.shape(member, &member_at, &hint)?;
                                (shape, Some(key))
                            }
                            // Members beside the payload (errors, counts): the whole object
                            // is the payload.
                            None => (
                                self.models.shape(Src::from(schema), &schema_at, &hint)?,
                                None,
                            ),
                        }
                    }
                    (None, None) => (
                        self.models.shape(Src::from(schema), &schema_at, &hint)?,
                        None,
                    ),
                    (Some(envelope), key) => {
                        let mut envelope = envelope;
                        if let Some(key) = &key {
                            envelope.data = key.clone();
                        }
                        let shape = self.unwrap_envelope(schema, &schema_at, &envelope, &hint)?;
                        (shape, key)
                    }
                },
            };
            payloads.push(Some(shape));
            payload_keys.push(key);
        }
        let json = payloads.iter().any(Option::is_some);
        let payload_key = payload_keys.first().cloned().flatten();
        if payload_keys.iter().any(|key| *key != payload_key) {
            return Err(Error::unsupported(
                &at,
                "success responses whose payloads sit under different `x-payload-key` members",
            ));
        }
        let first = payloads.first().cloned().flatten();
        let same = payloads
            .iter()
            .all(|p| p.as_ref().map(|s| &s.ty) == first.as_ref().map(|s| &s.ty));
        Ok(if same {
            Responses {
                statuses,
                json,
                payload: first,
                note: None,
                payload_key,
            }
        } else {
            Responses {
                statuses,
                json,
                payload: Some(Shape::of(Ty::Value)),
                note: Some(
                    "The success responses of this operation have different bodies, so the \
                     payload is left as a `serde_json::Value`."
                        .to_owned(),
                ),
                payload_key,
            }
        })
    }

    /// The parts of a `multipart/form-data` body: the members of its object schema.
    fn form_parts(
        &mut self,
        spec: &'a OpenAPI,
        form: &'a MediaType,
        at: &Pointer,
        prefix: &str,
        call: &str,
    ) -> Result<Vec<FormPart>> {
        let schema_at = at.join("schema");
        let Some(schema) = &form.schema else {
            return Err(Error::invalid(&schema_at, "a form needs an object schema"));
        };
        let (object, object_at) = match schema {
            ReferenceOr::Item(schema) => (schema, schema_at.clone()),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .ok_or_else(|| Error::dangling(&schema_at, reference))?;
                match spec.components.as_ref().and_then(|c| c.schemas.get(name)) {
                    Some(ReferenceOr::Item(schema)) => (schema, Pointer::from_ref(reference)),
                    Some(ReferenceOr::Reference { .. }) => {
                        return Err(Error::unsupported(
                            &Pointer::from_ref(reference),
                            "a `$ref` to a `$ref`",
                        ));
                    }
                    None => return Err(Error::dangling(&schema_at, reference)),
                }
            }
        };
        let SchemaKind::Type(Type::Object(object)) = &object.schema_kind else {
            return Err(Error::unsupported(
                &object_at,
                "form bodies whose schema is not an object",
            ));
        };
        let mut parts = Vec::with_capacity(object.properties.len());
        for (wire, property) in &object.properties {
            let part_at = object_at.join("properties").join(wire);
            let name = names::member(wire).ok_or_else(|| {
                Error::invalid(&part_at, format!("{wire:?} cannot be made a Rust name"))
            })?;
            let required = object.required.contains(wire);
            let binary = match property {
                ReferenceOr::Item(schema) => match &schema.schema_kind {
                    SchemaKind::Type(Type::String(string)) => matches!(
                        string.format,
                        VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                    )
                    .then_some((schema, string.max_length)),
                    _ => None,
                },
                ReferenceOr::Reference { .. } => None,
            };
            let (kind, description) = match binary {
                Some((schema, max_length)) => {
                    let rules = file_rules(
                        form.encoding
                            .get(wire)
                            .and_then(|e| e.content_type.as_deref()),
                        &schema.schema_data.extensions,
                        max_length,
                        &part_at,
                    )?;
                    (
                        PartKind::File(rules),
                        schema.schema_data.description.clone(),
                    )
                }
                None => {
                    self.models.set_origin(
                        &part_at,
                        format!("the `{wire}` part of the form of `{call}`"),
                    );
                    let shape = self.models.shape(
                        Src::from(property),
                        &part_at,
                        &format!("{prefix}{}", names::pascal(wire).unwrap_or_default()),
                    )?;
                    let scalar = matches!(
                        shape.target().ty,
                        Ty::String
                            | Ty::Bool
                            | Ty::I32
                            | Ty::I64
                            | Ty::U32
                            | Ty::U64
                            | Ty::F64
                            | Ty::Uuid
                            | Ty::Id(_)
                            | Ty::Enum(_)
                    );
                    if !scalar {
                        return Err(Error::unsupported(
                            &part_at,
                            "form parts that are not files, strings, numbers, booleans or enums",
                        ));
                    }
                    let description = shape.description.clone();
                    (PartKind::Text(Box::new(shape)), description)
                }
            };
            parts.push(FormPart {
                wire: wire.clone(),
                name,
                required,
                description,
                pointer: part_at,
                kind,
            });
        }
        Ok(parts)
    }

    /// The data schema inside `allOf: [{$ref: envelope}, {properties: {data: S}}]`.
    fn unwrap_envelope(
        &mut self,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        at: &Pointer,
        envelope: &Envelope,
        hint: &str,
    ) -> Result<Shape> {
        let not_wrapped = || {
            Error::unsupported(
                at,
                format!(
                    "a success response that is not wrapped in the `x-envelope` schema {:?}",
                    envelope.schema
                ),
            )
        };
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                if self.models.is_envelope_ref(reference) {
                    return Ok(Shape::of(Ty::Value));
                }
                return Err(not_wrapped());
            }
            ReferenceOr::Item(schema) => schema,
        };
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
            return Err(not_wrapped());
        };
        let mut saw_envelope = false;
        let mut data: Option<Shape> = None;
        for (index, part) in all_of.iter().enumerate() {
            let part_at = at.join("allOf").join(index.to_string());
            match part {
                ReferenceOr::Reference { reference } if self.models.is_envelope_ref(reference) => {
                    saw_envelope = true;
                }
                ReferenceOr::Item(part) => {
                    let properties = match &part.schema_kind {
                        SchemaKind::Type(Type::Object(object)) => &object.properties,
                        SchemaKind::Any(any)
                            if any.typ.is_none() || any.typ.as_deref() == Some("object") =>
                        {
                            &any.properties
                        }
                        _ => return Err(not_wrapped()),
                    };
                    if let Some(property) = properties.get(&envelope.data) {
                        let data_at = part_at.join("properties").join(&envelope.data);
                        if let Some(origin) = self.models.origin(&at.to_string()) {
                            self.models.set_origin(&data_at, origin);
                        }
                        data = Some(self.models.shape(Src::from(property), &data_at, hint)?);
                    }
                }
                ReferenceOr::Reference { .. } => return Err(not_wrapped()),
            }
        }
        if !saw_envelope {
            return Err(not_wrapped());
        }
        Ok(data.unwrap_or_else(|| Shape::of(Ty::Value)))
    }

    /// Builds the group tree and checks that names do not clash.
    fn groups(&mut self) -> Result<()> {
        let mut root = Group::default();
        for (index, op) in self.ops.iter().enumerate() {
            let mut node = &mut root;
            for segment in &op.group {
                let path = node.path.clone();
                node = node.children.entry(segment.clone()).or_insert_with(|| {
                    let mut path = path;
                    path.push(segment.clone());
                    Group {
                        path,
                        ..Group::default()
                    }
                });
            }
            node.ops.push(index);
        }
        for (name, _) in &root.children {
            if ["types", "operations"].contains(&name.as_str()) {
                let op = self.ops.iter().find(|op| op.group.first() == Some(name));
                let pointer = op.map_or_else(Pointer::root, |op| op.pointer.clone());
                return Err(Error::invalid(
                    &pointer,
                    format!("the group `{name}` would clash with the generated `{name}` module"),
                ));
            }
            if ["runtime", "from_runtime", "clone"].contains(&name.as_str()) {
                let op = self.ops.iter().find(|op| op.group.first() == Some(name));
                let pointer = op.map_or_else(Pointer::root, |op| op.pointer.clone());
                return Err(Error::invalid(
                    &pointer,
                    format!("the group `{name}` would clash with the `Client::{name}` method"),
                ));
            }
        }
        check_group(&root, &self.ops)?;
        self.root = root;
        Ok(())
    }
}

fn check_group(group: &Group, ops: &[Op]) -> Result<()> {
    let mut methods: IndexMap<String, Pointer> = IndexMap::new();
    let handle = group.path.last().and_then(|s| names::pascal(s));
    for &index in &group.ops {
        let op = &ops[index];
        if let Some(first) = methods.insert(op.method.clone(), op.pointer.clone()) {
            return Err(Error::NameCollision {
                name: format!("{}.{}", group.path.join("."), op.method),
                first: first.to_string(),
                second: op.pointer.to_string(),
            });
        }
        let builder = names::builder_type(&op.method).unwrap_or_default();
        if handle.as_deref() == Some(builder.as_str()) {
            return Err(Error::invalid(
                &op.pointer,
                format!(
                    "the builder `{builder}` would have the same name as its group handle; set \
                     `x-method`"
                ),
            ));
        }
    }
    for (name, child) in &group.children {
        if let Some(first) = methods.get(name) {
            let second = child
                .ops
                .first()
                .map(|&i| ops[i].pointer.to_string())
                .unwrap_or_default();
            return Err(Error::NameCollision {
                name: format!("{}.{}", group.path.join("."), name),
                first: first.to_string(),
                second,
            });
        }
        check_group(child, ops)?;
    }
    Ok(())
}

fn check_param_type(shape: &Shape, location: Location, at: &Pointer) -> Result<()> {
    let target = shape.target();
    let scalar = |ty: &Ty| {
        matches!(
            ty,
            Ty::String
                | Ty::Bool
                | Ty::I32
                | Ty::I64
                | Ty::U32
                | Ty::U64
                | Ty::F64
                | Ty::Uuid
                | Ty::Id(_)
                | Ty::DateTime
                | Ty::Enum(_)
        )
    };
    let ok = match &target.ty {
        Ty::Vec(item) => {
            location == Location::Query
                && scalar(&item.target().ty)
                && item.target().ty != Ty::DateTime
        }
        ty => scalar(ty),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::unsupported(
            &at.join("schema"),
            "parameters that are not strings, numbers, booleans, enums or (in the query) arrays \
             of those",
        ))
    }
}

/// Resolves an item that may be a local `$ref` to a component of one kind
/// (`#/components/<kind>/<name>`); returns the item and the pointer to where it is written.
fn resolve<'s, T>(
    spec: &'s OpenAPI,
    item: &'s ReferenceOr<T>,
    at: &Pointer,
    kind: &str,
    components: impl FnOnce(&'s Components) -> &'s IndexMap<String, ReferenceOr<T>>,
) -> Result<(&'s T, Pointer)> {
    match item {
        ReferenceOr::Item(item) => Ok((item, at.clone())),
        ReferenceOr::Reference { reference } => {
            let name = reference
                .strip_prefix("#/components/")
                .and_then(|rest| rest.strip_prefix(kind))
                .and_then(|rest| rest.strip_prefix('/'))
                .ok_or_else(|| Error::dangling(at, reference))?;
            match spec
                .components
                .as_ref()
                .and_then(|c| components(c).get(name))
            {
                Some(ReferenceOr::Item(item)) => Ok((item, Pointer::from_ref(reference))),
                Some(ReferenceOr::Reference { .. }) => Err(Error::unsupported(
                    &Pointer::from_ref(reference),
                    "a `$ref` to a `$ref`",
                )),
                None => Err(Error::dangling(at, reference)),
            }
        }
    }
}

fn resolve_parameter<'s>(
    spec: &'s OpenAPI,
    parameter: &'s ReferenceOr<Parameter>,
    at: &Pointer,
) -> Result<(&'s Parameter, Pointer)> {
    resolve(spec, parameter, at, "parameters", |c| &c.parameters)
}

fn resolve_request_body<'s>(
    spec: &'s OpenAPI,
    body: &'s ReferenceOr<RequestBody>,
    at: &Pointer,
) -> Result<(&'s RequestBody, Pointer)> {
    resolve(spec, body, at, "requestBodies", |c| &c.request_bodies)
}

fn resolve_response<'s>(
    spec: &'s OpenAPI,
    response: &'s ReferenceOr<ApiResponse>,
    at: &Pointer,
) -> Result<(&'s ApiResponse, Pointer)> {
    resolve(spec, response, at, "responses", |c| &c.responses)
}

/// The JSON media type of a content map: `application/json` or any `+json` type.
fn json_media(content: &IndexMap<String, MediaType>) -> Option<(&str, &MediaType)> {
    content
        .iter()
        .find(|(media, _)| {
            let essence = media
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .map(|(media, value)| (media.as_str(), value))
}

/// The `{name}`s of a path template, in order.
fn template_params(path: &str, pointer: &Pointer) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(Error::invalid(
                pointer,
                format!("unbalanced braces in {path:?}"),
            ));
        };
        let name = &rest[start + 1..start + len];
        if name.is_empty() || name.contains('{') {
            return Err(Error::invalid(
                pointer,
                format!("malformed template {path:?}"),
            ));
        }
        names.push(name.to_owned());
        rest = &rest[start + len + 1..];
    }
    if rest.contains('}') {
        return Err(Error::invalid(
            pointer,
            format!("unbalanced braces in {path:?}"),
        ));
    }
    Ok(names)
}

const MULTIPART: &str = "multipart/form-data";

/// What `operation` has read of an operation before its responses.
struct OpParts<'a, 'p> {
    path: &'p str,
    method: &'p str,
    operation: &'a Operation,
    pointer: &'p Pointer,
    group: Vec<String>,
    method_name: String,
    prefix: String,
    params: Vec<Param>,
    pagination: Option<Pagination>,
    body: Option<Body>,
}

/// Component schemas that describe `multipart/form-data` bodies.
fn form_schemas(spec: &OpenAPI) -> Vec<String> {
    let mut names = Vec::new();
    for (_, item) in spec.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, operation) in item.iter() {
            let body = match &operation.request_body {
                Some(ReferenceOr::Item(body)) => body,
                Some(ReferenceOr::Reference { reference }) => {
                    let found = reference
                        .strip_prefix("#/components/requestBodies/")
                        .and_then(|name| spec.components.as_ref()?.request_bodies.get(name));
                    match found {
                        Some(ReferenceOr::Item(body)) => body,
                        _ => continue,
                    }
                }
                None => continue,
            };
            if json_media(&body.content).is_some() {
                continue;
            }
            if let Some(ReferenceOr::Reference { reference }) =
                body.content.get(MULTIPART).and_then(|m| m.schema.as_ref())
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// A file part's rules from its encoding's content types and the schema's extensions.
fn file_rules(
    content_types: Option<&str>,
    extensions: &IndexMap<String, Value>,
    max_length: Option<usize>,
    at: &Pointer,
) -> Result<FileRulesDef> {
    let sizes = match extensions.get("x-max-bytes") {
        None | Some(Value::Null) => None,
        Some(Value::Object(sizes)) => Some(sizes),
        Some(_) => {
            return Err(Error::invalid(
                &at.join("x-max-bytes"),
                "expected an object of content type → size in bytes",
            ));
        }
    };
    let file_extensions = match extensions.get("x-file-extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return Err(Error::invalid(
                &at.join("x-file-extensions"),
                "expected an object of content type → extensions",
            ));
        }
    };
    let mut types = Vec::new();
    for content_type in content_types
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let max_bytes = match sizes.and_then(|s| s.get(content_type)) {
            None => None,
            Some(size) => Some(size.as_u64().ok_or_else(|| {
                Error::invalid(
                    &at.join("x-max-bytes").join(content_type),
                    "expected a size in bytes",
                )
            })?),
        };
        let extensions = match file_extensions.and_then(|e| e.get(content_type)) {
            None => Vec::new(),
            Some(Value::Array(list)) => {
                let mut out = Vec::with_capacity(list.len());
                for (index, ext) in list.iter().enumerate() {
                    let ext = ext.as_str().filter(|e| e.starts_with('.')).ok_or_else(|| {
                        Error::invalid(
                            &at.join("x-file-extensions")
                                .join(content_type)
                                .join(index.to_string()),
                            "expected an extension such as \".jpg\"",
                        )
                    })?;
                    out.push(ext.to_owned());
                }
                out
            }
            Some(_) => {
                return Err(Error::invalid(
                    &at.join("x-file-extensions").join(content_type),
                    "expected an array of extensions",
                ));
            }
        };
        types.push(FileTypeDef {
            content_type: content_type.to_owned(),
            extensions,
            max_bytes,
        });
    }
    if let Some(sizes) = sizes
        && let Some(extra) = sizes
            .keys()
            .find(|t| !types.iter().any(|ty| &ty.content_type == *t))
    {
        return Err(Error::invalid(
            &at.join("x-max-bytes").join(extra),
            "a size for a content type the part's encoding does not accept",
        ));
    }
    Ok(FileRulesDef {
        types,
        max_bytes: max_length.and_then(|n| u64::try_from(n).ok()),
    })
}

/// Group path and method name, from `x-group`/`x-method` or derived from the path.
fn naming(
    path: &str,
    method: &str,
    operation: &Operation,
    pointer: &Pointer,
) -> Result<(Vec<String>, String)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segments: Vec<&str> = match segments.first() {
        Some(first)
            if first.len() > 1
                && first.starts_with('v')
                && first[1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            segments[1..].to_vec()
        }
        _ => segments,
    };
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    let statics: Vec<&str> = segments.iter().copied().filter(|s| !is_param(s)).collect();
    let last_is_param = segments.last().is_some_and(|s| is_param(s));
    let action = !last_is_param && segments.len() >= 2 && is_param(segments[segments.len() - 2]);

    let group: Vec<String> = match operation.extensions.get("x-group") {
        Some(Value::Array(items)) => {
            let mut group = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let at = pointer.join("x-group").join(index.to_string());
                let segment = item
                    .as_str()
                    .and_then(names::snake)
                    .ok_or_else(|| Error::invalid(&at, "expected a group name"))?;
                group.push(segment);
            }
            group
        }
        Some(Value::String(single)) => vec![
            names::snake(single)
                .ok_or_else(|| Error::invalid(&pointer.join("x-group"), "expected a group name"))?,
        ],
        Some(_) => {
            return Err(Error::invalid(
                &pointer.join("x-group"),
                "expected an array of group names",
            ));
        }
        None => {
            let count = if action {
                statics.len().saturating_sub(1)
            } else {
                statics.len()
            };
            let mut group = Vec::with_capacity(count);
            for segment in &statics[..count] {
                group.push(names::snake(segment).ok_or_else(|| {
                    Error::invalid(
                        pointer,
                        format!("path segment {segment:?} cannot name a group"),
                    )
                })?);
            }
            group
        }
    };
    if group.is_empty() {
        return Err(Error::invalid(
            pointer,
            "no resource group can be derived from the path; set `x-group`",
        ));
    }
    let method_name = match operation.extensions.get("x-method") {
        Some(Value::String(name)) => names::snake(name)
            .ok_or_else(|| Error::invalid(&pointer.join("x-method"), "expected a method name"))?,
        Some(_) => {
            return Err(Error::invalid(
                &pointer.join("x-method"),
                "expected a method name",
            ));
        }
        None => {
            if action {
                let segment = statics.last().copied().unwrap_or("");
                names::snake(segment).ok_or_else(|| {
                    Error::invalid(
                        pointer,
                        format!("path segment {segment:?} cannot name a method"),
                    )
                })?
            } else {
                match (method, last_is_param) {
                    ("get", false) => "list",
                    ("post", false) => "create",
                    ("get", true) => "get",
                    ("put" | "patch", _) => "update",
                    ("delete", _) => "delete",
                    (other, _) => other,
                }
                .to_owned()
            }
        }
    };
    Ok((group, method_name))
}

fn pagination(operation: &Operation, pointer: &Pointer) -> Result<Option<Pagination>> {
    let Some(value) = operation.extensions.get("x-pagination") else {
        return Ok(None);
    };
    let at = pointer.join("x-pagination");
    let Value::Object(object) = value else {
        return Err(Error::invalid(&at, "expected an object"));
    };
    let text = |key: &str| -> Result<String> {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid(&at.join(key), "expected a string"))
    };
    let positive = |key: &str| -> Result<Option<i64>> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => Ok(Some(value.as_i64().filter(|n| *n > 0).ok_or_else(
                || Error::invalid(&at.join(key), "expected a positive integer"),
            )?)),
        }
    };
    match object.get("style").and_then(Value::as_str) {
        None | Some("page") => Ok(Some(Pagination {
            pointer: at.clone(),
            page: text("page")?,
            page_size: text("page_size")?,
            items: text("items")?,
            has_more: text("has_more")?.split('.').map(str::to_owned).collect(),
            total: None,
            offset_member: None,
            default_page_size: positive("default_page_size")?,
            offset: false,
        })),
        Some("offset") => {
            let offset = text("offset")?;
            Ok(Some(Pagination {
                pointer: at.clone(),
                page: offset.clone(),
                page_size: text("limit")?,
                items: text("items")?,
                has_more: Vec::new(),
                total: Some(text("total")?),
                offset_member: Some(offset),
                default_page_size: positive("default_limit")?,
                offset: true,
            }))
        }
        Some(other) => Err(Error::unsupported(
            &at.join("style"),
            format!("the pagination style {other:?} (supported: `page`, `offset`)"),
        )),
    }
}

fn envelope(spec: &OpenAPI) -> Result<Option<Envelope>> {
    let Some(value) = spec.extensions.get("x-envelope") else {
        return Ok(None);
    };
    let at = Pointer::root().join("x-envelope");
    let Value::Object(object) = value else {
        return Err(Error::invalid(&at, "expected an object"));
    };
    let text = |key: &str| -> Result<String> {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid(&at.join(key), "expected a string"))
    };
    let optional = |key: &str| optional_name(object, key, &at);
    Ok(Some(Envelope {
        schema: text("schema")?,
        data: text("data")?,
        error: optional("error")?,
        meta: optional("meta")?,
        success: optional("success")?,
    }))
}

/// The member name under `key` of an extension object, if it names one.
fn optional_name(
    object: &serde_json::Map<String, Value>,
    key: &str,
    at: &Pointer,
) -> Result<Option<String>> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(_) => Err(Error::invalid(&at.join(key), "expected a string")),
    }
}

/// `x-error-body`: the members of an error body holding its code and message.
fn error_body(spec: &OpenAPI) -> Result<ErrorBodyDef> {
    let Some(value) = spec.extensions.get("x-error-body") else {
        return Ok(ErrorBodyDef::default());
    };
    let at = Pointer::root().join("x-error-body");
    let Value::Object(object) = value else {
        return Err(Error::invalid(&at, "expected an object"));
    };
    let optional = |key: &str| optional_name(object, key, &at);
    Ok(ErrorBodyDef {
        code: optional("code")?,
        message: optional("message")?,
    })
}

fn error_codes(spec: &OpenAPI) -> Result<Vec<ErrorCodeDef>> {
    let Some(value) = spec.extensions.get("x-error-codes") else {
        return Ok(Vec::new());
    };
    let at = Pointer::root().join("x-error-codes");
    let Value::Array(items) = value else {
        return Err(Error::invalid(&at, "expected an array"));
    };
    let mut codes: Vec<ErrorCodeDef> = Vec::with_capacity(items.len());
    let mut seen: IndexMap<String, Pointer> = IndexMap::new();
    for (index, item) in items.iter().enumerate() {
        let item_at = at.join(index.to_string());
        let code = item
            .get("code")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(&item_at.join("code"), "expected a string"))?;
        if codes.iter().any(|c| c.code == code) {
            continue;
        }
        let status = match item.get("status") {
            None | Some(Value::Null) => None,
            Some(value) => Some(
                value
                    .as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or_else(|| Error::invalid(&item_at.join("status"), "expected a status"))?,
            ),
        };
        let message = match item.get("message") {
            None | Some(Value::Null) => None,
            Some(Value::String(message)) => Some(message.clone()),
            Some(_) => {
                return Err(Error::invalid(
                    &item_at.join("message"),
                    "expected a string",
                ));
            }
        };
        let variant = names::pascal(code)
            .ok_or_else(|| Error::invalid(&item_at.join("code"), "cannot be made a variant"))?;
        let variant = if variant == "Unknown" {
            "UnknownValue".to_owned()
        } else {
            variant
        };
        if let Some(first) = seen.insert(variant.clone(), item_at.clone()) {
            return Err(Error::NameCollision {
                name: variant,
                first: first.to_string(),
                second: item_at.to_string(),
            });
        }
        let retryable = match item.get("retryable") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(retryable)) => *retryable,
            Some(_) => {
                return Err(Error::invalid(
                    &item_at.join("retryable"),
                    "expected a boolean",
                ));
            }
        };
        codes.push(ErrorCodeDef {
            code: code.to_owned(),
            variant,
            status,
            message,
            retryable,
        });
    }
    Ok(codes)
}

/// `servers`, with variables at their defaults; `/` when there are none.
fn servers(spec: &OpenAPI) -> Result<Vec<ServerDef>> {
    if spec.servers.is_empty() {
        return Ok(vec![ServerDef {
            url: "/".to_owned(),
            description: String::new(),
            key_prefix: None,
        }]);
    }
    let mut servers = Vec::with_capacity(spec.servers.len());
    for (index, server) in spec.servers.iter().enumerate() {
        let at = Pointer::root().join("servers").join(index.to_string());
        let mut url = server.url.clone();
        if let Some(variables) = &server.variables {
            for (name, variable) in variables {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
        }
        let key_prefix = match server.extensions.get("x-key-prefix") {
            None | Some(Value::Null) => None,
            Some(Value::String(prefix)) if !prefix.is_empty() => Some(prefix.clone()),
            Some(_) => {
                return Err(Error::invalid(
                    &at.join("x-key-prefix"),
                    "expected a non-empty string",
                ));
            }
        };
        servers.push(ServerDef {
            url,
            description: server.description.clone().unwrap_or_default(),
            key_prefix,
        });
    }
    Ok(servers)
}

/// The credentials of the security requirement, in order, with their builder methods: as the
/// configuration names them, or the scheme's name in snake case.
fn credentials(spec: &OpenAPI, config: &Config) -> Result<Vec<CredentialDef>> {
    let auth = auth(spec)?;
    let Some(requirement) = spec
        .security
        .as_ref()
        .and_then(|r| r.iter().find(|requirement| !requirement.is_empty()))
    else {
        return Ok(Vec::new());
    };
    let mut out: Vec<CredentialDef> = Vec::with_capacity(auth.len());
    for (scheme, auth) in requirement.keys().zip(auth) {
        let at = Pointer::root()
            .join("components")
            .join("securitySchemes")
            .join(scheme);
        let setter = match config.credential_setters.get(scheme) {
            Some(setter) => setter.clone(),
            None => names::snake(scheme).ok_or_else(|| {
                Error::invalid(&at, format!("{scheme:?} cannot name a builder method"))
            })?,
        };
        let (description, format) = match spec
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(scheme))
        {
            Some(ReferenceOr::Item(SecurityScheme::HTTP {
                description,
                bearer_format,
                ..
            })) => (description.clone(), bearer_format.clone()),
            Some(ReferenceOr::Item(
                SecurityScheme::APIKey { description, .. }
                | SecurityScheme::OAuth2 { description, .. }
                | SecurityScheme::OpenIDConnect { description, .. },
            )) => (description.clone(), None),
            _ => (None, None),
        };
        if out.iter().any(|c| c.setter == setter) {
            return Err(Error::NameCollision {
                name: format!("credential setter `{setter}`"),
                first: Pointer::root().join("security").to_string(),
                second: at.to_string(),
            });
        }
        out.push(CredentialDef {
            scheme: scheme.clone(),
            setter,
            auth,
            description,
            format,
        });
    }
    Ok(out)
}

/// `info.x-env`: `[{name, sets: "security_scheme", scheme}, {name, sets: "server_url"}]`.
fn env_vars(spec: &OpenAPI, credentials: &[CredentialDef]) -> Result<Vec<EnvDef>> {
    let Some(value) = spec.info.extensions.get("x-env") else {
        return Ok(Vec::new());
    };
    let at = Pointer::root().join("info").join("x-env");
    let Value::Array(items) = value else {
        return Err(Error::invalid(&at, "expected an array"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_at = at.join(index.to_string());
        let text = |key: &str| {
            item.get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| Error::invalid(&item_at.join(key), "expected a string"))
        };
        let name = text("name")?;
        let credential = match text("sets")? {
            "server_url" => None,
            "security_scheme" => {
                let scheme = text("scheme")?;
                Some(
                    credentials
                        .iter()
                        .position(|c| c.scheme == scheme)
                        .ok_or_else(|| {
                            Error::invalid(
                                &item_at.join("scheme"),
                                format!("{scheme:?} is not a scheme of the security requirement"),
                            )
                        })?,
                )
            }
            other => {
                return Err(Error::invalid(
                    &item_at.join("sets"),
                    format!("{other:?} (expected `security_scheme` or `server_url`)"),
                ));
            }
        };
        out.push(EnvDef {
            name: name.to_owned(),
            credential,
        });
    }
    Ok(out)
}

/// The schemes of the first non-empty security requirement, all sent together.
fn auth(spec: &OpenAPI) -> Result<Vec<Auth>> {
    let Some(requirements) = &spec.security else {
        return Ok(Vec::new());
    };
    let Some((index, requirement)) = requirements
        .iter()
        .enumerate()
        .find(|(_, requirement)| !requirement.is_empty())
    else {
        return Ok(Vec::new());
    };
    let at = Pointer::root().join("security").join(index.to_string());
    let mut auth = Vec::with_capacity(requirement.len());
    for name in requirement.keys() {
        let scheme_at = Pointer::root()
            .join("components")
            .join("securitySchemes")
            .join(name);
        let scheme = spec
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(name))
            .ok_or_else(|| Error::dangling(&at.join(name), &scheme_at.to_string()))?;
        let ReferenceOr::Item(scheme) = scheme else {
            return Err(Error::unsupported(&scheme_at, "a `$ref` security scheme"));
        };
        let one = match scheme {
            SecurityScheme::APIKey { location, name, .. } => match location {
                APIKeyLocation::Header => Auth::Header(name.clone()),
                APIKeyLocation::Query => Auth::Query(name.clone()),
                APIKeyLocation::Cookie => {
                    return Err(Error::unsupported(&scheme_at, "API keys sent in a cookie"));
                }
            },
            SecurityScheme::HTTP { scheme, .. } => match scheme.to_ascii_lowercase().as_str() {
                "bearer" => Auth::Bearer,
                "basic" => Auth::Basic,
                other => {
                    return Err(Error::unsupported(
                        &scheme_at,
                        format!("the HTTP authentication scheme {other:?}"),
                    ));
                }
            },
            SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIDConnect { .. } => {
                return Err(Error::unsupported(&scheme_at, "OAuth 2 and OpenID Connect"));
            }
        };
        if auth.contains(&one) {
            return Err(Error::invalid(
                &at,
                "two schemes of the requirement send the credential the same way",
            ));
        }
        auth.push(one);
    }
    Ok(auth)
}

/// The schema of member `key` of an object response whose only other member is a `success`
/// flag, and where it is written; `None` when the object has other members too (or is not an
/// object with that member).
fn payload_member<'s>(
    spec: &'s OpenAPI,
    schema: &'s ReferenceOr<openapiv3::Schema>,
    at: &Pointer,
    key: &str,
) -> Option<(Src<'s>, Pointer)> {
    let (schema, at) = match schema {
        ReferenceOr::Item(schema) => (schema, at.clone()),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/schemas/")?;
            match spec.components.as_ref()?.schemas.get(name)? {
                ReferenceOr::Item(schema) => (schema, Pointer::from_ref(reference)),
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
        return None;
    };
    let only_payload = object
        .properties
        .keys()
        .all(|name| name == key || name == "success");
    if !only_payload {
        return None;
    }
    let member = object.properties.get(key)?;
    Some((Src::from(member), at.join("properties").join(key)))
}

/// Whether a shape names the struct `name` (directly).
pub(crate) fn shape_struct(shape: &Shape) -> Option<&str> {
    match &shape.target().ty {
        Ty::Struct(name) => Some(name),
        _ => None,
    }
}
