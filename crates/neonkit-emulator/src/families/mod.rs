//! The API families added by the spec's overlay (`spec/neon-openapi-v2.overlay.yaml`)
//! and what the core's workflows lean on (restores, schema comparison), one module each, served
//! statefully. `handlers::route` asks [`route`] first; what it does not serve goes on
//! to the hand-written handlers and the spec-driven fallback.

pub(crate) mod credentials;
pub(crate) mod custom_domains;
pub(crate) mod logs;
pub(crate) mod members;
pub(crate) mod neon_auth_email;
pub(crate) mod restores;
pub(crate) mod schema_diff;
pub(crate) mod triggers;

use crate::handlers::{ApiError, Req, R};
use crate::server::Inner;
use crate::spec::Op;
use crate::state::Store;
use rand::Rng;
use serde_json::{json, Value};

/// The reply of the family that serves `r`'s operation, or None.
pub(crate) fn route(inner: &Inner, st: &mut Store, r: &Req) -> Option<R> {
    Some(match r.op.operation_id.as_str() {
        "listProjectMembers" | "setProjectMemberRole" | "removeProjectMemberRole" => members::handle(st, r),
        "createCredential" | "listCredentials" | "revokeCredential" | "revealCredential" | "rotateCredential" => {
            credentials::handle(inner, st, r)
        }
        "queryProjectBranchLogs" | "listProjectBranchLogFields" | "listProjectBranchLogFieldValues" => logs::handle(st, r),
        "createProjectBranchTrigger"
        | "listProjectBranchTriggers"
        | "getProjectBranchTrigger"
        | "updateProjectBranchTrigger"
        | "deleteProjectBranchTrigger" => triggers::handle(inner, st, r),
        "listProjectBranchCustomDomains" | "registerProjectBranchCustomDomain" | "deleteProjectBranchCustomDomain" => {
            custom_domains::handle(st, r)
        }
        "getNeonAuthEmailProvider"
        | "updateNeonAuthEmailProvider"
        | "getNeonAuthEmailServer"
        | "updateNeonAuthEmailServer"
        | "sendNeonAuthEmailProviderTest" => neon_auth_email::handle(st, r),
        "restoreProjectBranch" | "restoreSnapshot" | "finalizeRestoreBranch" => restores::handle(inner, st, r),
        "getProjectBranchSchemaComparison" => schema_diff::compare(inner, st, r),
        _ => return None,
    })
}

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
