//! The blocking facade: the same methods as the async [`crate::Client`], each
//! run to completion on the calling thread (see [`crate::runtime::Driver`]). Called from inside an async runtime
//! they return a `Runtime` error instead of panicking.

use std::future::Future;

use futures::StreamExt;
use serde::de::DeserializeOwned;

use crate::models::Operation;
use crate::{ItemStream, Result};

pub use crate::metadata::with_response_blocking as with_response;
pub use crate::resources::blocking::*;

/// A blocking client. Cheap to clone, safe to share across threads.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl Client {
    pub fn from_async(client: crate::Client) -> Client {
        Client { inner: client }
    }

    /// A client from `NEON_API_KEY` (and `NEON_API_URL`) with default settings.
    pub fn from_env() -> Result<Client> {
        Ok(Client { inner: crate::Client::from_env()? })
    }

    /// The async client this one wraps.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    pub(crate) fn inner(&self) -> &crate::Client {
        &self.inner
    }

    pub(crate) fn block_on<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        crate::runtime::block_on_here(fut)?
    }

    /// See [`crate::Client::with_wait`].
    pub fn with_wait(&self, wait: bool) -> Client {
        Client { inner: self.inner.with_wait(wait) }
    }

    /// See [`crate::Client::wait_for_operations`].
    pub fn wait_for_operations(&self, operations: &[Operation]) -> Result<Vec<Operation>> {
        self.block_on(self.inner.wait_for_operations(operations))
    }
}

/// Every item of a paginated operation, fetched page by page as the iterator advances.
pub struct ItemIter<T> {
    stream: ItemStream<T>,
    done: bool,
}

impl<T: DeserializeOwned + Send + 'static> ItemIter<T> {
    pub fn new(stream: ItemStream<T>) -> Self {
        ItemIter { stream, done: false }
    }
}

impl<T: DeserializeOwned + Send + 'static> Iterator for ItemIter<T> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let next = match crate::runtime::block_on_here(self.stream.next()) {
            Ok(n) => n,
            Err(e) => Some(Err(e)),
        };
        match &next {
            None | Some(Err(_)) => self.done = true,
            _ => {}
        }
        next
    }
}
