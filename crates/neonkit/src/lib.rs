//! neonkit: a client for the Neon Management API v2.
//!
//! ```no_run
//! # async fn demo() -> neonkit::Result<()> {
//! let client = neonkit::Client::builder().api_key("…").build()?;
//! let page = client.projects().list(&Default::default()).await?;
//! for p in page.projects {
//!     println!("{} {}", p.id, p.name);
//! }
//! # Ok(()) }
//! ```
//!
//! Every operation of the spec is a method of a resource namespace
//! (`client.branches().create(…)`); `docs/operations.md` lists them all. The
//! same methods block in [`blocking::Client`]. Calls retry what is safe to
//! retry, and mutating calls wait for the operations they start (see
//! [`Client::with_wait`]).

mod open_enum;

pub mod blocking;
mod client;
mod error;
pub mod events;
pub mod kernel;
mod metadata;
pub mod operation;
pub mod options;
mod pagination;
pub mod retry;
pub mod runtime;
mod shape;
pub mod transport;
mod wait;
pub mod workflows;

#[rustfmt::skip]
#[path = "generated/models.rs"]
pub mod models;
#[rustfmt::skip]
#[path = "generated/operations.rs"]
pub mod operations;
#[rustfmt::skip]
#[path = "generated/resources.rs"]
pub mod resources;
#[rustfmt::skip]
#[path = "generated/vocabulary.rs"]
mod vocabulary;

pub use client::{Client, ClientBuilder, MultipartBody, Part, PartValue, Payload, Response, AUTO_ORG, DEFAULT_BASE_URL};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventKind, EventListener};
pub use metadata::{with_response, ResponseInfo};
pub use operation::{find_operation, OperationInfo};
pub use options::{CallOptions, ClientOptions, Convention, OptionSetting, OptionValue};
pub use pagination::{ItemStream, Pager};
/// The URL type of [`transport::HttpRequest`].
pub use reqwest::Url;
pub use retry::RetryPolicy;
pub use vocabulary::USER_AGENT_FORMAT;
pub use wait::WaitOptions;

/// The fields of a response that this version of neonkit does not know (the
/// API grows): kept as sent, given back when the model is serialized, and
/// shown by name only in `Debug` (their values may be secrets).
#[derive(Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Extra(pub serde_json::Map<String, serde_json::Value>);

impl std::ops::Deref for Extra {
    type Target = serde_json::Map<String, serde_json::Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// Stands in for a secret in `Debug` output.
#[derive(Clone, Copy)]
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
