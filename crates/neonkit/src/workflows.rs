//! The workflows of `spec/workflows.yaml`: what users write by hand around the
//! API, once, for every language. Rust callers use the typed methods; a binding
//! calls [`Client::workflow`] with the workflow's id and its arguments as a
//! JSON object (by the names in `spec/workflows.yaml`) and gets the result as
//! JSON text.

use bytes::Bytes;

use crate::{Client, Error, Result};

impl Client {
    /// Runs a workflow of `spec/workflows.yaml` by its id (`branches.ensure`,
    /// `connection_string`) with its arguments as a JSON object (absent or
    /// `null` = the default); returns its result as JSON text (`null` for
    /// none). Unknown ids and arguments are invalid-argument errors.
    pub async fn workflow(&self, id: &str, args: Bytes) -> Result<Bytes> {
        let _ = args;
        Err(Error::invalid(format!("no workflow {} in neonkit", crate::error::quote(id))))
    }
}
