//! The API handlers, one module per API family. `handlers::route` maps each
//! operationId to its family's function; what no family serves goes to the spec-driven
//! fallback ([`generic`]). The families keep the API's state (`state::Store`) and tell
//! what backs it (`crate::backing`) what changed. Shared here: what several families
//! use beyond `handlers`' helpers.

pub(crate) mod account;
pub(crate) mod api_keys;
pub(crate) mod branches;
pub(crate) mod buckets;
pub(crate) mod consumption;
pub(crate) mod credentials;
pub(crate) mod custom_domains;
pub(crate) mod databases;
pub(crate) mod endpoints;
pub(crate) mod functions;
pub(crate) mod generic;
pub(crate) mod logs;
pub(crate) mod members;
pub(crate) mod neon_auth;
pub(crate) mod neon_auth_email;
pub(crate) mod operations;
pub(crate) mod organizations;
pub(crate) mod projects;
pub(crate) mod restores;
pub(crate) mod roles;
pub(crate) mod schema_diff;
pub(crate) mod snapshots;
pub(crate) mod triggers;

use crate::handlers::{ApiError, Req};
use crate::spec::Op;
use rand::Rng;
use serde_json::{json, Value};

/// A request that failed validation against the spec, worded for its family
/// (the log operations' 400 body carries a `reason`).
pub(crate) fn on_invalid_request(op: &Op, e: ApiError) -> ApiError {
    logs::on_invalid_request(op, e)
}

impl ApiError {
    pub(crate) fn with_code(mut self, code: &str) -> ApiError {
        self.code = code.to_string();
        self
    }
    pub(crate) fn with_field(mut self, name: &str, value: Value) -> ApiError {
        self.fields.insert(name.to_string(), value);
        self
    }
}

/// `project_id/branch_id`: the per-branch key of a family's state.
pub(crate) fn branch_key(r: &Req) -> String {
    format!("{}/{}", r.pp("project_id"), r.pp("branch_id"))
}

/// `pagination` of a `pagination.next` listing.
pub(crate) fn pagination(next: Option<String>) -> Value {
    match next {
        Some(n) => json!({"next": n}),
        None => json!({}),
    }
}

/// `n` random lowercase hex digits.
pub(crate) fn hex<R: Rng>(rng: &mut R, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| HEX[rng.gen_range(0..16)] as char).collect()
}
