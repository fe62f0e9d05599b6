//! Walking every page of a paginated operation, for all four cursor shapes.

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
    /// The request body of a body-cursor walk (its `cursor` set per page).
    body: Option<serde_json::Map<String, Value>>,
    /// Every cursor sent so far: a server whose cursors cycle (a, b, a, …) ends the walk.
    seen: std::collections::HashSet<String>,
    done: bool,
}

impl Client {
    /// A pager over a paginated operation (see [`Pager`]); `body` is the
    /// request body of an operation whose cursor travels in it, as a JSON object.
    pub fn pager(
        &self,
        op: &'static OperationInfo,
        path: Vec<String>,
        query: Vec<(&'static str, String)>,
        body: Option<Value>,
    ) -> Result<Pager> {
        let info = op.pagination.expect("pager() on an operation without pagination");
        let limit =
            query.iter().find(|(k, _)| *k == "limit").and_then(|(_, v)| v.parse::<usize>().ok()).or(info.default_limit.map(|l| l as usize));
        let mut cursor = query.iter().find(|(k, _)| *k == "cursor").map(|(_, v)| v.clone());
        let query = query.into_iter().filter(|(k, _)| *k != "cursor").collect();
        let body = match (body, info.shape) {
            (None, _) => None,
            (Some(Value::Object(mut b)), PageShape::BodyCursor) => {
                if let Some(c) = b.remove("cursor") {
                    cursor = c.as_str().map(String::from);
                }
                Some(b)
            }
            (Some(Value::Object(_)), _) => {
                return Err(Error::invalid(format!("{} takes no request body", op.id)).with_operation(op.id));
            }
            (Some(_), _) => {
                return Err(Error::invalid(format!("the request body of {} must be a JSON object", op.id)).with_operation(op.id))
            }
        };
        Ok(Pager { client: self.clone(), op, path, query, limit, cursor, body, seen: Default::default(), done: false })
    }
}

/// A typed request body as the JSON a pager sends.
pub fn json_body<T: serde::Serialize>(body: Option<&T>) -> Result<Option<Value>> {
    body.map(|b| serde_json::to_value(b).map_err(|e| Error::invalid(format!("the request body does not serialize: {e}")))).transpose()
}

fn next_cursor(shape: PageShape, page: &Value) -> Option<String> {
    let v = match shape {
        PageShape::Cursor => page.get("pagination").and_then(|p| p.get("cursor")),
        PageShape::Next => page.get("pagination").and_then(|p| p.get("next")),
        PageShape::NextCursor => page.get("next_cursor"),
        // The body cursor is only worth following while the server says the page was cut short.
        PageShape::BodyCursor => page.get("is_truncated").and_then(Value::as_bool).filter(|t| *t).and_then(|_| page.get("next_cursor")),
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
        }
        let payload = if info.shape == PageShape::BodyCursor {
            let mut body = self.body.clone().unwrap_or_default();
            if let Some(c) = &self.cursor {
                body.insert("cursor".into(), Value::String(c.clone()));
            }
            Payload::Json(serde_json::to_vec(&body).map_err(|e| Error::invalid(e.to_string()))?.into())
        } else {
            if let Some(c) = &self.cursor {
                query.push(("cursor", c.clone()));
            }
            Payload::None
        };
        let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        let resp = self.client.send(self.op, &path, query, payload).await?;
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
        // A log query's page size is its own: only `is_truncated` tells its last page.
        let short = info.shape != PageShape::BodyCursor && self.limit.map(|l| items.len() < l).unwrap_or(false);
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
    /// The stream of a pager, or of the error that made none.
    pub fn new(pager: Result<Pager>) -> Self {
        let pager = match pager {
            Ok(p) => p,
            Err(e) => return ItemStream { inner: Box::pin(futures::stream::once(async move { Err(e) })) },
        };
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
