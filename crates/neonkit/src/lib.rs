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
pub mod operation;
mod pagination;
pub mod retry;
pub mod runtime;
pub mod transport;
mod wait;

#[path = "generated/models.rs"]
pub mod models;
#[path = "generated/operations.rs"]
pub mod operations;
#[path = "generated/resources.rs"]
pub mod resources;

pub use client::{Client, ClientBuilder, MultipartBody, Part, PartValue, Payload, Response, DEFAULT_BASE_URL};
pub use error::{Error, ErrorKind, Result};
pub use operation::{find_operation, OperationInfo};
pub use pagination::{ItemStream, Pager};
pub use retry::RetryPolicy;
/// The URL type of [`transport::HttpRequest`].
pub use reqwest::Url;
pub use wait::WaitOptions;

/// Stands in for a secret in `Debug` output.
#[derive(Clone, Copy)]
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}
