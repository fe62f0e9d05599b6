//! Request handling, shared by every family: the request and reply types, errors,
//! validation of parameters and bodies against the spec, scoping by API key, the
//! operationId → family table ([`route`]) and the helpers the families use. The
//! handlers themselves are in `crate::families` (one module per API family); what
//! backs them (in memory, or the PostgreSQL of `--postgres`) is `crate::backing`.

use crate::server::{Dyn, Inner, LOCKED_MESSAGE};
use crate::spec::{self, is_id, Op};
use crate::state::{Branch, OpRec, Project, Store};
use crate::util;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct Auth {
    /// "api_key_user" for the configured key and keys from createApiKey,
    /// "api_key_org" for keys from createOrgApiKey.
    pub method: &'static str,
    pub org_id: Option<String>,
    pub project_id: Option<String>,
}

impl Auth {
    pub fn personal() -> Auth {
        Auth { method: "api_key_user", org_id: None, project_id: None }
    }
}

pub struct Req {
    pub op: &'static Op,
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub raw_body: Bytes,
    #[allow(dead_code)]
    pub content_type: String,
    /// The Host header (presigned URLs point back at the emulator).
    pub host: String,
    pub body: Value,
    pub auth: Auth,
    #[allow(dead_code)]
    pub request_id: String,
    pub fail_ops: Option<String>,
    pub cfg: Dyn,
}

impl Req {
    pub(crate) fn p(&self, name: &str) -> Option<&str> {
        self.path.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub(crate) fn pp(&self, name: &str) -> &str {
        self.p(name).unwrap_or("")
    }
    pub(crate) fn q(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub(crate) fn q_bool(&self, name: &str) -> bool {
        self.q(name).and_then(parse_bool).unwrap_or(false)
    }
    pub(crate) fn q_int(&self, name: &str) -> Option<i64> {
        self.q(name).and_then(|v| v.parse().ok())
    }
}

pub enum Reply {
    Json(Option<u16>, Value),
    Empty(Option<u16>),
    Bytes(&'static str, Vec<u8>),
}

pub(crate) fn ok(v: Value) -> Result<Reply, ApiError> {
    Ok(Reply::Json(None, v))
}

#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// More fields of the error body (an operation's own error shape, e.g. `reason`).
    pub fields: Map<String, Value>,
}

pub(crate) fn err(status: u16, message: impl Into<String>) -> ApiError {
    ApiError { status, code: String::new(), message: message.into(), fields: Map::new() }
}

pub(crate) fn not_found(what: &str) -> ApiError {
    err(404, format!("{what} not found"))
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    err(400, message)
}

pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
    err(409, message)
}

pub(crate) type R = Result<Reply, ApiError>;

impl From<crate::pg::PgError> for ApiError {
    fn from(e: crate::pg::PgError) -> ApiError {
        err(500, format!("PostgreSQL: {e}"))
    }
}

/// A boolean query parameter, in every form the real API accepts: `true`/`false`
/// in any letter case (Neon's Python client sends Python's `True`) and `1`/`0`.
fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") || v == "1" {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") || v == "0" {
        Some(false)
    } else {
        None
    }
}

/// How the real API starts the message of a 400 for a JSON body it could not decode.
const DECODE_ERROR: &str = "invalid request: decode application/json";

fn validate_request(r: &mut Req) -> Result<(), ApiError> {
    let s = spec::spec();
    let op = r.op;
    for (name, value) in &r.path {
        if let Some(p) = op.params.iter().find(|p| &p.name == name && p.location == "path") {
            let schema = s.deref(&p.schema);
            if schema.get("pattern").is_some() && !is_id(value, 60) {
                return Err(bad(format!("invalid {name}: {value:?}")));
            }
        }
    }
    for p in op.params.iter().filter(|p| p.location == "query") {
        let values: Vec<&str> = r.query.iter().filter(|(k, _)| *k == p.name).map(|(_, v)| v.as_str()).collect();
        if values.is_empty() {
            if p.required {
                return Err(bad(format!("missing required query parameter {:?}", p.name)));
            }
            continue;
        }
        let schema = s.deref(&p.schema);
        let ty = schema.get("type").and_then(|t| t.as_str()).unwrap_or("string");
        let v: Value = match ty {
            "integer" => match values[0].parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => return Err(bad(format!("query parameter {:?} must be an integer", p.name))),
            },
            "number" => match values[0].parse::<f64>() {
                Ok(n) => json!(n),
                Err(_) => return Err(bad(format!("query parameter {:?} must be a number", p.name))),
            },
            "boolean" => match parse_bool(values[0]) {
                Some(b) => json!(b),
                None => return Err(bad(format!("query parameter {:?} must be true, false, 1 or 0", p.name))),
            },
            "array" => Value::Array(values.iter().flat_map(|v| v.split(',')).filter(|x| !x.is_empty()).map(|x| json!(x)).collect()),
            _ => json!(values[0]),
        };
        if ty == "array" {
            // items of comma-joined id lists: check each id
            if let Some(items) = v.as_array() {
                if let Some(max) = schema.get("maxItems").and_then(|m| m.as_u64()) {
                    if items.len() as u64 > max {
                        return Err(bad(format!("query parameter {:?} has too many values", p.name)));
                    }
                }
                let item_schema = s.deref(schema.get("items").unwrap_or(&Value::Null));
                if item_schema.get("enum").is_some() {
                    for it in items {
                        s.validate(item_schema, it).map_err(|e| bad(format!("query parameter {:?}: {e}", p.name)))?;
                    }
                }
            }
            continue;
        }
        if schema.get("pattern").is_some() {
            if !is_id(values[0], 60) {
                return Err(bad(format!("invalid {}: {:?}", p.name, values[0])));
            }
            continue;
        }
        s.validate(schema, &v).map_err(|e| bad(format!("query parameter {:?}: {}", p.name, e.trim_start_matches("$: "))))?;
    }
    // Body
    if let Some(schema) = &op.body_schema {
        let is_json = op.body_content_type.as_deref() == Some("application/json");
        if r.raw_body.iter().all(|b| b.is_ascii_whitespace()) {
            if op.body_required && is_json {
                return Err(bad(format!("{DECODE_ERROR}: request body is required")));
            }
        } else if is_json {
            let v: Value = serde_json::from_slice(&r.raw_body).map_err(|e| bad(format!("{DECODE_ERROR}: {e}")))?;
            let missing = s.missing_required(schema, &v);
            if !missing.is_empty() {
                // the real API's wording, every missing field in one message
                let fields: Vec<String> = missing.iter().map(|f| format!("{f} (field required)")).collect();
                return Err(bad(format!("{DECODE_ERROR}: invalid: {}", fields.join(", "))));
            }
            s.validate(schema, &v).map_err(|e| bad(format!("{DECODE_ERROR}: {}", e.trim_start_matches("$: "))))?;
            r.body = v;
        }
    } else if !r.raw_body.is_empty() {
        if let Ok(v) = serde_json::from_slice::<Value>(&r.raw_body) {
            r.body = v;
        }
    }
    Ok(())
}

pub fn prepare_and_handle(inner: &Inner, mut r: Req) -> R {
    validate_request(&mut r).map_err(|e| crate::families::on_invalid_request(r.op, e))?;
    // Project-scoped keys see only their project.
    if let Some(scope) = r.auth.project_id.clone() {
        if let Some(pid) = r.p("project_id") {
            if pid != scope {
                return Err(not_found("project"));
            }
        } else if !matches!(
            r.op.operation_id.as_str(),
            "listProjects" | "getActiveRegions" | "getCurrentUserInfo" | "getAuthDetails" | "getCurrentUserOrganizations"
        ) {
            return Err(err(403, "this API key is scoped to a single project"));
        }
        if r.op.operation_id == "deleteProject" {
            return Err(err(403, "a project-scoped API key cannot delete its project"));
        }
    }
    if let Some(org) = r.auth.org_id.clone() {
        // org keys: org_id is inferred; another org is forbidden
        let given = r.p("org_id").or_else(|| r.p("source_org_id")).or_else(|| r.q("org_id")).map(String::from);
        if let Some(g) = given {
            if g != org {
                return Err(err(403, "this API key belongs to another organization"));
            }
        }
    }
    let mut st = inner.store();
    route(inner, &mut st, &r)
}

/// The operationId → family table: every hand-written handler, one family module each
/// (`crate::families::*`); the rest goes to the spec-driven fallback.
fn route(inner: &Inner, st: &mut Store, r: &Req) -> R {
    use crate::families::*;
    match r.op.operation_id.as_str() {
        "listProjects" => projects::list_projects(st, r),
        "listSharedProjects" => projects::list_shared_projects(),
        "createProject" => projects::create_project(inner, st, r),
        "getProject" => projects::get_project(st, r),
        "updateProject" => projects::update_project(inner, st, r),
        "deleteProject" => projects::delete_project(inner, st, r),
        "recoverProject" => projects::recover_project(inner, st, r),
        "listProjectPermissions" => projects::list_permissions(st, r),
        "grantPermissionToProject" => projects::grant_permission(inner, st, r),
        "revokePermissionFromProject" => projects::revoke_permission(st, r),
        "getProjectJWKS" => projects::get_jwks(st, r),
        "addProjectJWKS" => projects::add_jwks(inner, st, r),
        "deleteProjectJWKS" => projects::delete_jwks(st, r),
        "listProjectMembers" | "setProjectMemberRole" | "removeProjectMemberRole" => members::handle(st, r),

        "listProjectOperations" => operations::list_operations(st, r),
        "getProjectOperation" => operations::get_operation(st, r),

        "createProjectBranch" => branches::create_branch(inner, st, r),
        "listProjectBranches" => branches::list_branches(st, r),
        "countProjectBranches" => branches::count_branches(st, r),
        "getProjectBranch" => branches::get_branch(st, r),
        "updateProjectBranch" => branches::update_branch(inner, st, r),
        "deleteProjectBranch" => branches::delete_branch(inner, st, r),
        "setDefaultProjectBranch" => branches::set_default_branch(inner, st, r),
        "recoverProjectBranch" => branches::recover_branch(inner, st, r),
        "getProjectBranchSchema" => branches::branch_schema(inner, st, r),
        "getProjectBranchSchemaComparison" => schema_diff::compare(inner, st, r),
        "restoreProjectBranch" | "restoreSnapshot" | "finalizeRestoreBranch" => restores::handle(inner, st, r),
        "queryProjectBranchLogs" | "listProjectBranchLogFields" | "listProjectBranchLogFieldValues" => logs::handle(st, r),

        "listProjectBranchDatabases" => databases::list_databases(st, r),
        "createProjectBranchDatabase" => databases::create_database(inner, st, r),
        "getProjectBranchDatabase" => databases::get_database(st, r),
        "updateProjectBranchDatabase" => databases::update_database(inner, st, r),
        "deleteProjectBranchDatabase" => databases::delete_database(inner, st, r),

        "listProjectBranchRoles" => roles::list_roles(st, r),
        "createProjectBranchRole" => roles::create_role(inner, st, r),
        "getProjectBranchRole" => roles::get_role(st, r),
        "deleteProjectBranchRole" => roles::delete_role(inner, st, r),
        "getProjectBranchRolePassword" => roles::reveal_password(st, r),
        "resetProjectBranchRolePassword" => roles::reset_password(inner, st, r),

        "createProjectEndpoint" => endpoints::create_endpoint(inner, st, r),
        "listProjectEndpoints" => endpoints::list_endpoints(st, r),
        "listProjectBranchEndpoints" => endpoints::list_branch_endpoints(st, r),
        "getProjectEndpoint" => endpoints::get_endpoint(st, r),
        "updateProjectEndpoint" => endpoints::update_endpoint(inner, st, r),
        "deleteProjectEndpoint" => endpoints::delete_endpoint(inner, st, r),
        "startProjectEndpoint" => endpoints::endpoint_action(inner, st, r, "start"),
        "suspendProjectEndpoint" => endpoints::endpoint_action(inner, st, r, "suspend"),
        "restartProjectEndpoint" => endpoints::endpoint_action(inner, st, r, "restart"),
        "getConnectionURI" => endpoints::connection_uri(inner, st, r),

        "listApiKeys" => api_keys::list_api_keys(st, None),
        "createApiKey" => api_keys::create_api_key(inner, st, r, None),
        "revokeApiKey" => api_keys::revoke_api_key(st, r, None),
        "listOrgApiKeys" => api_keys::list_org_api_keys(st, r),
        "createOrgApiKey" => api_keys::create_org_api_key(inner, st, r),
        "revokeOrgApiKey" => api_keys::revoke_org_api_key(st, r),
        "createCredential" | "listCredentials" | "revokeCredential" | "revealCredential" | "rotateCredential" => {
            credentials::handle(inner, st, r)
        }

        "getOrganization" => organizations::get_organization(st, r),
        "getOrganizationMembers" => organizations::org_members(st, r),
        "getOrganizationMember" => organizations::org_member(st, r, None),
        "updateOrganizationMember" => organizations::org_member(st, r, Some("update")),
        "removeOrganizationMember" => organizations::org_member(st, r, Some("remove")),
        "getOrganizationInvitations" => organizations::get_invitations(st, r),
        "createOrganizationInvitations" => organizations::create_invitations(inner, st, r),
        "getOrganizationSpendingLimit" | "setOrganizationSpendingLimit" | "deleteOrganizationSpendingLimit" => {
            organizations::spending_limit(st, r)
        }
        "getCurrentUserOrganizations" => organizations::current_user_organizations(st, r),

        "getCurrentUserInfo" => account::current_user(r),
        "getAuthDetails" => account::auth_details(r),
        "getActiveRegions" => account::active_regions(),

        "createSnapshot" => snapshots::create_snapshot(inner, st, r),
        "listSnapshots" => snapshots::list_snapshots(st, r),
        "deleteSnapshot" => snapshots::delete_snapshot(inner, st, r),
        "updateSnapshot" => snapshots::update_snapshot(st, r),

        "createProjectBranchBucket"
        | "listProjectBranchBuckets"
        | "deleteProjectBranchBucket"
        | "listProjectBranchBucketObjects"
        | "deleteProjectBranchBucketObject"
        | "getProjectBranchBucketObject"
        | "deleteProjectBranchBucketObjectsByPrefix"
        | "presignProjectBranchBucketObject" => buckets::buckets(st, r),

        "getConsumptionHistoryPerProject" | "getConsumptionHistoryPerProjectV2" | "getConsumptionHistoryPerBranchV2" => {
            consumption::consumption(inner, st, r)
        }
        "createNeonAuth" | "getNeonAuth" | "disableNeonAuth" | "listNeonAuthIntegrations" | "createNeonAuthIntegration" => {
            neon_auth::neon_auth(inner, st, r)
        }
        "getNeonAuthEmailProvider"
        | "updateNeonAuthEmailProvider"
        | "getNeonAuthEmailServer"
        | "updateNeonAuthEmailServer"
        | "sendNeonAuthEmailProviderTest" => neon_auth_email::handle(st, r),
        "listProjectBranchFunctions"
        | "getProjectBranchFunction"
        | "updateProjectBranchFunction"
        | "deleteProjectBranchFunction"
        | "createProjectBranchFunctionDeployment" => functions::functions(inner, st, r),
        "listProjectBranchCustomDomains" | "registerProjectBranchCustomDomain" | "deleteProjectBranchCustomDomain" => {
            custom_domains::handle(st, r)
        }
        "createProjectBranchTrigger"
        | "listProjectBranchTriggers"
        | "getProjectBranchTrigger"
        | "updateProjectBranchTrigger"
        | "deleteProjectBranchTrigger" => triggers::handle(inner, st, r),

        _ => generic::generic(inner, st, r),
    }
}

pub(crate) fn branch_scope(st: &Store, r: &Req, family: &str) -> Result<String, ApiError> {
    let p = project(st, r)?;
    branch_of(p, r.pp("branch_id"))?;
    Ok(format!("{family}:{}/{}", r.pp("project_id"), r.pp("branch_id")))
}

pub(crate) fn rng<'a>(inner: &'a Inner) -> std::sync::MutexGuard<'a, rand::rngs::StdRng> {
    inner.rng.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn project<'a>(st: &'a Store, r: &Req) -> Result<&'a Project, ApiError> {
    let id = r.pp("project_id");
    match st.projects.get(id) {
        Some(p) if p.deleted_at.is_none() => Ok(p),
        _ => Err(not_found(&format!("project {id:?}"))),
    }
}

pub(crate) fn project_mut<'a>(st: &'a mut Store, r: &Req) -> Result<&'a mut Project, ApiError> {
    let id = r.pp("project_id");
    match st.projects.get_mut(id) {
        Some(p) if p.deleted_at.is_none() => Ok(p),
        _ => Err(not_found(&format!("project {id:?}"))),
    }
}

pub(crate) fn branch_of<'a>(p: &'a Project, id: &str) -> Result<&'a Branch, ApiError> {
    p.branch(id).ok_or_else(|| not_found(&format!("branch {id:?}")))
}

pub(crate) fn check_lock(p: &Project, r: &Req) -> Result<(), ApiError> {
    if r.cfg.locking && p.busy(Instant::now()) {
        return Err(ApiError { status: 423, code: String::new(), message: LOCKED_MESSAGE.to_string(), fields: Map::new() });
    }
    Ok(())
}

/// Records operations on a project and returns them rendered.
pub(crate) fn new_ops(inner: &Inner, p: &mut Project, r: &Req, actions: &[(&'static str, Option<String>, Option<String>)]) -> Vec<Value> {
    let now = Instant::now();
    let created = crate::clock::now();
    let mut out = Vec::new();
    let mut rng = rng(inner);
    for (action, branch, endpoint) in actions {
        let rec = OpRec {
            id: util::uuid(&mut *rng),
            project_id: p.id.clone(),
            branch_id: branch.clone(),
            endpoint_id: endpoint.clone(),
            action,
            created_at: created,
            started: now,
            duration: r.cfg.operation_duration,
            fail: r.fail_ops.clone(),
        };
        out.push(rec.render(now));
        p.operations.push(rec);
    }
    out
}

pub(crate) fn ready_at(r: &Req) -> Instant {
    Instant::now() + r.cfg.operation_duration
}

pub(crate) fn body_obj<'a>(r: &'a Req, key: &str) -> &'a Value {
    r.body.get(key).unwrap_or(&Value::Null)
}

pub(crate) fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(|x| x.as_str())
}

pub(crate) fn org_id_checked(st: &Store, r: &Req) -> Result<String, ApiError> {
    let id = r.p("org_id").or_else(|| r.p("source_org_id")).unwrap_or("");
    if st.org(id).is_none() {
        return Err(not_found(&format!("organization {id:?}")));
    }
    Ok(id.to_string())
}

pub(crate) fn paginate_limit(r: &Req, default: i64) -> usize {
    r.q_int("limit").unwrap_or(default).max(1) as usize
}

/// A page of a `pagination.next` listing (branches, members, functions): the items
/// after `cursor` (an item's id), at most `limit`, and the next cursor. Like the
/// real API, `next` is the page's last id on every page with items, the last page
/// included: passed back, it gives an empty page, which is where clients stop.
pub(crate) fn next_page<'a, T>(r: &Req, all: &'a [T], id: impl Fn(&T) -> String) -> Result<(&'a [T], Option<String>), ApiError> {
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => all.iter().position(|x| id(x) == c).map(|i| i + 1).ok_or_else(|| bad(format!("invalid cursor {c:?}")))?,
        None => 0,
    };
    let limit = r.q_int("limit").map(|l| l.max(1) as usize).unwrap_or(usize::MAX);
    let page = &all[start..start.saturating_add(limit).min(all.len())];
    Ok((page, page.last().map(id)))
}
