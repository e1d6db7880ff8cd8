//! `ClientBuilder` and the `Client` constructors: credentials from the security requirement,
//! `from_env` from `info.x-env`, and the runtime's settings.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::api::Auth;
use crate::docs::{Docs, code};
use crate::names;

impl Emitter<'_> {
    /// The client builder, the `Client` constructors, and the environment variable names.
    pub(crate) fn client_builder(&self) -> TokenStream {
        let rt = &self.rt;
        let api = self.api;
        let title = code(&api.title);
        let credentials = &api.credentials;

        let setters = credentials.iter().enumerate().map(|(index, credential)| {
            let setter = names::ident(&credential.setter);
            let mut docs = Docs::new();
            let how = match &credential.auth {
                Auth::Header(name) => format!("sent in the {} header", code(name)),
                Auth::Query(name) => format!("sent as the {} query parameter", code(name)),
                Auth::Bearer => "sent as `Authorization: Bearer …`".to_owned(),
                Auth::Basic => "`username:password`, sent as HTTP basic authentication".to_owned(),
            };
            docs.line(format!(
                "The {} credential, {how}; every request carries it.",
                code(&credential.scheme)
            ));
            docs.opt_text(credential.description.as_deref());
            if let Some(format) = &credential.format {
                docs.line(format!("Format: {}.", code(format)));
            }
            docs.line("It never appears in `Debug` output, logs or error messages.");
            let docs = docs.attrs();
            let set = if index == 0 {
                quote!(self.runtime = self.runtime.credential(#setter);)
            } else {
                let name = credential.auth_name();
                quote!(self.runtime = self.runtime.credential_for(#name, #setter);)
            };
            quote! {
                #docs
                pub fn #setter(mut self, #setter: impl Into<#rt::Secret>) -> Self {
                    #set
                    self
                }
            }
        });

        // Environment variables: a constant each, and `from_env`.
        let mut env_consts = Vec::new();
        let mut env_reads = Vec::new();
        let mut env_names = Vec::new();
        for var in &api.env {
            let name = &var.name;
            let (constant, doc, read) = match var.credential {
                Some(index) => {
                    let credential = &credentials[index];
                    let setter = names::ident(&credential.setter);
                    let constant = names::ident(&format!(
                        "{}_ENV",
                        names::screaming(&credential.setter).unwrap_or_default()
                    ));
                    (
                        constant.clone(),
                        format!(
                            "Environment variable holding the {} credential (required by \
                             `from_env`).",
                            code(&credential.scheme)
                        ),
                        quote! {
                            let value = #rt::read_env(#constant)?.ok_or_else(|| {
                                #rt::Error::config(format!("{} is not set", #constant))
                            })?;
                            builder = builder.#setter(value);
                        },
                    )
                }
                None => {
                    let constant = names::ident("BASE_URL_ENV");
                    (
                        constant.clone(),
                        format!(
                            "Environment variable overriding the base URL (optional; default {}).",
                            code(api.servers.first().map_or("/", |s| s.url.as_str()))
                        ),
                        quote! {
                            if let Some(url) = #rt::read_env(#constant)? {
                                builder = builder.base_url(url);
                            }
                        },
                    )
                }
            };
            let doc = format!(" {doc}");
            env_consts.push(quote! {
                #[doc = #doc]
                pub const #constant: &str = #name;
            });
            env_reads.push(read);
            env_names.push(code(name));
        }
        let (builder_from_env, client_from_env) = if api.env.is_empty() {
            (quote!(), quote!())
        } else {
            let list = env_names.join(", ");
            let builder_doc = format!(
                " Settings from the environment: {list}. Further settings can be chained before \
                 [`build`](Self::build)."
            );
            let client_doc = format!(" A client configured from the environment: {list}.");
            (
                quote! {
                    #[doc = #builder_doc]
                    pub fn from_env() -> Result<ClientBuilder, #rt::Error> {
                        let mut builder = ClientBuilder::new();
                        #(#env_reads)*
                        Ok(builder)
                    }
                },
                quote! {
                    #[doc = #client_doc]
                    pub fn from_env() -> Result<Client, #rt::Error> {
                        ClientBuilder::from_env()?.build()
                    }
                },
            )
        };
        let client_new = match credentials.as_slice() {
            [only] => {
                let setter = names::ident(&only.setter);
                let doc = format!(
                    " A client for the default server with the given {} credential and default \
                     settings.",
                    code(&only.scheme)
                );
                quote! {
                    #[doc = #doc]
                    pub fn new(#setter: impl Into<#rt::Secret>) -> Result<Client, #rt::Error> {
                        ClientBuilder::new().#setter(#setter).build()
                    }
                }
            }
            _ => quote!(),
        };
        let default_url = api.servers.first().map_or("/", |s| s.url.as_str());
        let mut base_url_docs = Docs::new();
        base_url_docs.line(format!(
            "The base URL (default {}); a loopback mock server's URL in tests.",
            code(default_url)
        ));
        let keyed: Vec<String> = api
            .servers
            .iter()
            .filter_map(|s| {
                s.key_prefix
                    .as_ref()
                    .map(|p| format!("{} → {}", code(&format!("{p}…")), code(&s.url)))
            })
            .collect();
        if !keyed.is_empty() {
            base_url_docs.line(format!(
                "Unset, the credential's prefix picks the server: {}.",
                keyed.join(", ")
            ));
        }
        let base_url_docs = base_url_docs.attrs();
        let retried = if api.ops.iter().any(|op| op.idempotency_header.is_some()) {
            "every attempt of an operation that takes an idempotency key carries the same one, \
             generated when none is given; other mutations are not sent again once they may have \
             reached the server"
        } else {
            "a mutation (`POST`, `PATCH`) is not sent again once it may have reached the server, \
             since the API documents no idempotency key"
        };
        let retries_doc = format!(
            " How many times a failed request is sent again (default 2; 0 disables retries). \
             Connection failures, timeouts, `408`, `429` and `5xx` are retried with exponential \
             backoff, or after the wait the server asks for with `Retry-After`; {retried}. See \
             [the retry policy]({rt_path}::RetryPolicy).",
            rt_path = self.rt_path()
        );
        let builder_doc = format!(" Configures a [`Client`] for {title}.");

        quote! {
            #(#env_consts)*

            #[doc = #builder_doc]
            ///
            /// `Debug` output never includes a credential.
            pub struct ClientBuilder {
                runtime: #rt::RuntimeBuilder,
            }

            impl std::fmt::Debug for ClientBuilder {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct("ClientBuilder")
                        .field("runtime", &self.runtime)
                        .finish()
                }
            }

            impl Default for ClientBuilder {
                fn default() -> Self {
                    ClientBuilder::new()
                }
            }

            impl ClientBuilder {
                /// Default settings: the default server, 60 s timeout per attempt, 120 s for a
                /// whole call, 10 s connect timeout, 16 MiB response limit, 2 retries, no
                /// credential yet.
                pub fn new() -> ClientBuilder {
                    ClientBuilder {
                        runtime: #rt::Runtime::builder(&API).user_agent(USER_AGENT),
                    }
                }

                #builder_from_env

                #(#setters)*

                #base_url_docs
                pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
                    self.runtime = self.runtime.base_url(base_url);
                    self
                }

                /// Timeout of each attempt of a request, from sending it to reading the whole
                /// response (default 60 s). A retry gets a fresh timeout, and an attempt that
                /// times out is retried like a connection failure. Requests can override it
                /// with `RequestOptions::timeout`.
                pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                    self.runtime = self.runtime.timeout(timeout);
                    self
                }

                /// Timeout for establishing a connection (default 10 s).
                pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
                    self.runtime = self.runtime.connect_timeout(timeout);
                    self
                }

                #[doc = #retries_doc]
                pub fn max_retries(mut self, max_retries: u32) -> Self {
                    self.runtime = self.runtime.max_retries(max_retries);
                    self
                }

                /// The whole retry policy: number of retries, backoff delays and the longest
                /// server-requested wait honoured.
                pub fn retry_policy(mut self, policy: #rt::RetryPolicy) -> Self {
                    self.runtime = self.runtime.retry_policy(policy);
                    self
                }

                /// Paces every request by the rate limit the API advertises, sharing
                /// `limiter`'s budget with every client that uses it.
                pub fn rate_limiter(mut self, limiter: #rt::RateLimiter) -> Self {
                    self.runtime = self.runtime.rate_limiter(limiter);
                    self
                }

                /// Builds the HTTP client from this `reqwest` builder, to set proxies, TLS
                /// roots or client certificates, pool sizes or local addresses. Redirects are
                /// never followed, whatever the builder says, so a credential cannot be
                /// carried to another host.
                pub fn http_client_builder(mut self, builder: #rt::reqwest::ClientBuilder) -> Self {
                    self.runtime = self.runtime.http_client_builder(builder);
                    self
                }

                /// Time allowed for a whole call: every attempt, the waits between them and for
                /// a rate limiter (default 120 s). A `Retry-After` longer than the time left
                /// ends the call at once with the rate-limit error. Requests can override it
                /// with `RequestOptions::deadline`.
                pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
                    self.runtime = self.runtime.deadline(deadline);
                    self
                }

                /// Longest response body accepted, in bytes (default 16 MiB). Reading stops as
                /// soon as a body passes it, with `Error::ResponseTooLarge`. Requests can
                /// override it with `RequestOptions::max_response_bytes`.
                pub fn max_response_bytes(mut self, limit: u64) -> Self {
                    self.runtime = self.runtime.max_response_bytes(limit);
                    self
                }

                /// Accepts a plain `http` base URL to a host that is not loopback (refused by
                /// default: the credentials would travel unencrypted). Loopback URLs, such as a
                /// local mock server's, need no opt-in.
                pub fn allow_insecure_http(mut self, allow: bool) -> Self {
                    self.runtime = self.runtime.allow_insecure_http(allow);
                    self
                }

                /// Builds the client. Fails on an invalid base URL or a missing or invalid
                /// credential, without revealing it.
                pub fn build(self) -> Result<Client, #rt::Error> {
                    Ok(Client::from_runtime(self.runtime.build()?))
                }
            }

            impl Client {
                #client_new

                #client_from_env

                /// Starts configuring a client.
                pub fn builder() -> ClientBuilder {
                    ClientBuilder::new()
                }

                /// A client with the same configuration and connection pool whose requests are
                /// paced by `limiter`. This client is left as it is.
                pub fn with_rate_limiter(&self, limiter: #rt::RateLimiter) -> Client {
                    Client::from_runtime(self.runtime().with_rate_limiter(limiter))
                }

                /// A request to any path of the API — an endpoint or member this client does
                /// not describe yet — sent with the credentials, default headers, retries and
                /// limits of this client, and decoded like the described operations' responses.
                pub fn request(
                    &self,
                    method: #rt::Method,
                    path: impl Into<String>,
                ) -> #rt::RawRequest {
                    self.runtime().request(method, path)
                }

                /// A client whose requests use `options` as their defaults — timeout, deadline,
                /// response size limit, number of retries, extra headers — sharing this
                /// client's configuration, credentials and connection pool. Each request can
                /// still override them. This client is left as it is.
                ///
                /// Fails with `Error::Config` for a zero timeout or deadline, or a header that
                /// cannot be sent with every request.
                pub fn with_options(
                    &self,
                    options: &#rt::RequestOptions,
                ) -> Result<Client, #rt::Error> {
                    Ok(Client::from_runtime(self.runtime().with_options(options)?))
                }
            }

            /// The `User-Agent` of every request: this crate's name and version.
            const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        }
    }
}
