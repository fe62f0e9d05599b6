//! What the generated operation table says about each operation, and the checks
//! made from it before any request is sent.

use crate::{Error, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// How a path parameter is checked before it goes into a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// `^[a-z0-9-]{1,60}$` (project, branch, endpoint, org, snapshot ids)
    Id,
    /// `^[a-z0-9]{1,20}$`
    Slug,
    /// A UUID (operation and member ids).
    Uuid,
    /// A decimal integer (API key ids).
    Integer,
    /// Free text (database, role, bucket names, object keys): non-empty, percent-encoded.
    Name,
}

#[derive(Clone, Copy, Debug)]
pub struct PathParam {
    pub name: &'static str,
    pub kind: PathKind,
}

#[derive(Clone, Copy, Debug)]
pub struct QueryParam {
    pub name: &'static str,
    pub required: bool,
    pub array: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json { required: bool },
    Multipart { required: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    Json,
    Empty,
    Bytes,
}

/// The four cursor shapes of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageShape {
    /// `pagination.cursor` (projects, operations, consumption); present even on the last page.
    Cursor,
    /// `pagination.next` (branches, members, functions).
    Next,
    /// Top-level `next_cursor` (bucket objects).
    NextCursor,
    /// The cursor travels in the request body (`cursor`); the response has
    /// `next_cursor` and `is_truncated` (the branch log query).
    BodyCursor,
}

/// The JSON kind of a top-level response field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonKind {
    Object,
    Array,
    String,
    Number,
    Bool,
    /// Anything (the spec leaves it open).
    Any,
}

/// A top-level field of an operation's JSON response, for the shape check
/// every response goes through before any binding sees it.
#[derive(Clone, Copy, Debug)]
pub struct ResponseField {
    pub name: &'static str,
    pub kind: JsonKind,
    /// A required resource object (`project`, `branch`): a response without it
    /// is not the documented shape.
    pub required: bool,
    pub nullable: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct PaginationInfo {
    pub shape: PageShape,
    /// The response field holding the page's items.
    pub items_field: &'static str,
    /// The spec's default `limit`, used to detect a short (last) page.
    pub default_limit: Option<i64>,
}

/// One operation of the spec.
#[derive(Debug)]
pub struct OperationInfo {
    pub id: &'static str,
    pub method: HttpMethod,
    pub path: &'static str,
    pub namespace: &'static str,
    pub method_words: &'static [&'static str],
    pub path_params: &'static [PathParam],
    pub query_params: &'static [QueryParam],
    pub body: BodyKind,
    pub response: ResponseKind,
    pub success_status: u16,
    pub pagination: Option<PaginationInfo>,
    pub returns_operations: bool,
    /// The response's top-level fields (empty unless it is a JSON object).
    pub response_fields: &'static [ResponseField],
    /// Where the client's `org_id` goes in the JSON body (`["project", "org_id"]`); empty if nowhere.
    pub body_org_id: &'static [&'static str],
    /// Checks a binding's JSON body against the operation's request model: a
    /// field of the wrong type is an error naming its path (`project.name:
    /// expected a string, got 123`). `None` for no JSON body.
    pub body_check: Option<BodyCheck>,
    pub deprecated: bool,
}

/// See [`OperationInfo::body_check`].
pub type BodyCheck = fn(&[u8]) -> std::result::Result<(), String>;

/// Path segments keep unreserved characters; everything else (`/`, `?`, `#`,
/// spaces, non-ASCII) is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(crate) fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// The longest free-text path parameter (S3-style object keys reach 1024 bytes;
/// names are far shorter): a longer one is refused before the URL is built.
pub const MAX_NAME_BYTES: usize = 1024;
/// The longest query parameter value.
pub const MAX_QUERY_VALUE_BYTES: usize = 4096;

fn check(param: &PathParam, value: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid(format!("path parameter {}: {why} (got {})", param.name, crate::error::quote(value))));
    match param.kind {
        PathKind::Id => {
            if value.is_empty() || value.len() > 60 || !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                return bad("must be 1 to 60 characters of a-z, 0-9 and '-'");
            }
        }
        PathKind::Slug => {
            if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                return bad("must be 1 to 20 characters of a-z and 0-9");
            }
        }
        PathKind::Uuid => {
            let ok = value.len() == 36
                && value.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() });
            if !ok {
                return bad("must be a UUID");
            }
        }
        PathKind::Integer => {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit() || b == b'-') || value.parse::<i64>().is_err() {
                return bad("must be an integer");
            }
        }
        PathKind::Name => {
            if value.is_empty() {
                return bad("must not be empty");
            }
            if value.len() > MAX_NAME_BYTES {
                return bad(&format!("must be at most {MAX_NAME_BYTES} bytes"));
            }
            // URLs resolve dot segments (encoded ones too): "…/databases/.." would
            // address the branch itself.
            if value == "." || value == ".." {
                return bad("must not be \".\" or \"..\"");
            }
        }
    }
    Ok(())
}

impl OperationInfo {
    /// The request path with each parameter checked and percent-encoded.
    pub fn build_path(&self, values: &[&str]) -> Result<String> {
        if values.len() != self.path_params.len() {
            return Err(Error::invalid(format!(
                "{} takes {} path parameters ({}), got {}",
                self.id,
                self.path_params.len(),
                self.path_params.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
                values.len()
            )));
        }
        let mut out = String::with_capacity(self.path.len() + 32);
        let mut rest = self.path;
        // The generated table lists path parameters in the order the path names them.
        for (param, value) in self.path_params.iter().zip(values) {
            check(param, value)?;
            let at = rest.find('{').expect("generated path has its parameters");
            let end = at + rest[at..].find('}').expect("generated path closes its parameters");
            debug_assert_eq!(&rest[at + 1..end], param.name);
            out.push_str(&rest[..at]);
            out.push_str(&encode_segment(value));
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The query parameter of that name, if the operation takes it.
    pub fn query_param(&self, name: &str) -> Option<&'static QueryParam> {
        self.query_params.iter().find(|q| q.name == name)
    }

    /// The method's name in snake_case (`list_endpoints`).
    pub fn method_name(&self) -> String {
        self.method_words.join("_")
    }
}

/// Looks an operation up by its operationId (bindings do this on every call).
pub fn find_operation(id: &str) -> Option<&'static OperationInfo> {
    static BY_ID: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static OperationInfo>> = std::sync::OnceLock::new();
    BY_ID.get_or_init(|| crate::operations::OPERATIONS.iter().map(|o| (o.id, *o)).collect()).get(id).copied()
}
