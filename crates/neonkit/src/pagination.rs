//! Walking every page of a paginated operation, for all three cursor shapes.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::operation::{OperationInfo, PageShape};
use crate::{Client, Error, ErrorKind, Payload, Result};

/// Fetches one page after another. The page is read as JSON, so the same
/// pager serves the typed streams and every binding.
pub struct Pager {
    client: Client,
    op: &'static OperationInfo,
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    limit: Option<usize>,
    cursor: Option<String>,
    /// Every cursor sent so far: a server whose cursors cycle (a, b, a, …) ends the walk.
    seen: std::collections::HashSet<String>,
    done: bool,
}

impl Client {
    /// A pager over a paginated operation (see [`Pager`]).
    pub fn pager(&self, op: &'static OperationInfo, path: Vec<String>, query: Vec<(&'static str, String)>) -> Pager {
        let info = op.pagination.expect("pager() on an operation without pagination");
        let limit =
            query.iter().find(|(k, _)| *k == "limit").and_then(|(_, v)| v.parse::<usize>().ok()).or(info.default_limit.map(|l| l as usize));
        let cursor = query.iter().find(|(k, _)| *k == "cursor").map(|(_, v)| v.clone());
        let query = query.into_iter().filter(|(k, _)| *k != "cursor").collect();
        Pager { client: self.clone(), op, path, query, limit, cursor, seen: Default::default(), done: false }
    }
}

fn next_cursor(shape: PageShape, page: &Value) -> Option<String> {
    let v = match shape {
        PageShape::Cursor => page.get("pagination").and_then(|p| p.get("cursor")),
        PageShape::Next => page.get("pagination").and_then(|p| p.get("next")),
        PageShape::NextCursor => page.get("next_cursor"),
    }?;
    v.as_str().filter(|s| !s.is_empty()).map(String::from)
}

impl Pager {
    /// The next page's items, or `None` after the last page. The walk stops on
    /// an empty page, on a page shorter than the limit (the projects cursor is
    /// present even on the last page), and when the cursor is missing or is one
    /// it already sent.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>> {
        if self.done {
            return Ok(None);
        }
        let info = self.op.pagination.expect("paginated operation");
        let mut query = self.query.clone();
        if let Some(c) = &self.cursor {
            self.seen.insert(c.clone());
            query.push(("cursor", c.clone()));
        }
        let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        let resp = self.client.send(self.op, &path, query, Payload::None).await?;
        let request_id = resp.request_id.clone();
        let mut page: Value = resp.json()?;
        let items = match page.get_mut(info.items_field).map(Value::take) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(_) => {
                return Err(Error::new(ErrorKind::Decode, format!("the page's {:?} is not a list", info.items_field))
                    .with_operation(self.op.id)
                    .with_request_id(request_id))
            }
        };
        let next = next_cursor(info.shape, &page);
        let short = self.limit.map(|l| items.len() < l).unwrap_or(false);
        if items.is_empty() || short || next.as_ref().is_none_or(|n| self.seen.contains(n)) {
            self.done = true;
        }
        self.cursor = next;
        Ok(Some(items))
    }
}

/// Every item of a paginated operation, as a `Stream` that fetches the next
/// page when the current one is used up.
pub struct ItemStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T: DeserializeOwned + Send + 'static> ItemStream<T> {
    pub fn new(pager: Pager) -> Self {
        let op = pager.op.id;
        let s = futures::stream::try_unfold((pager, VecDeque::<Value>::new()), move |(mut pager, mut buf)| async move {
            loop {
                if let Some(v) = buf.pop_front() {
                    let item = T::deserialize(v).map_err(|e| {
                        Error::new(
                            ErrorKind::Decode,
                            format!("could not decode a page item: {}", crate::error::scrub_decode_message(&e.to_string())),
                        )
                        .with_operation(op)
                    })?;
                    return Ok(Some((item, (pager, buf))));
                }
                match pager.next_page().await? {
                    Some(items) => buf.extend(items),
                    None => return Ok(None),
                }
            }
        });
        ItemStream { inner: Box::pin(s) }
    }

    /// Every item, in order.
    pub async fn collect_all(self) -> Result<Vec<T>> {
        use futures::TryStreamExt;
        self.try_collect().await
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = Result<T>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
