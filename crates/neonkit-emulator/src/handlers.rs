//! Request handling: validation of parameters and bodies against the spec, the
//! hand-written stateful handlers for the families users automate, and a spec-driven
//! fallback (synthesized, schema-valid bodies with simple keyed state) for the rest.

use crate::server::{Dyn, Inner, LOCKED_MESSAGE};
use crate::spec::{self, is_id, Op};
use crate::state::*;
use crate::util::{self, rfc3339};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant, SystemTime};

// ------------------------------------------------------------------ types

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

// ------------------------------------------------------------------ auth

impl Store {
    pub fn auth_for_key(&mut self, token: &str) -> Option<Auth> {
        let i = *self.key_tokens.get(token)?;
        let k = &mut self.keys[i];
        if k.revoked {
            return None;
        }
        k.last_used_at = Some(crate::clock::now());
        Some(Auth {
            method: if k.org_id.is_some() { "api_key_org" } else { "api_key_user" },
            org_id: k.org_id.clone(),
            project_id: k.project_id.clone(),
        })
    }
}

// ------------------------------------------------------------------ validation

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

fn route(inner: &Inner, st: &mut Store, r: &Req) -> R {
    if let Some(reply) = crate::families::route(inner, st, r) {
        return reply;
    }
    match r.op.operation_id.as_str() {
        "listProjects" => list_projects(st, r),
        "listSharedProjects" => ok(json!({"projects": []})),
        "createProject" => create_project(inner, st, r),
        "getProject" => get_project(st, r),
        "updateProject" => update_project(inner, st, r),
        "deleteProject" => delete_project(inner, st, r),
        "recoverProject" => recover_project(inner, st, r),
        "listProjectOperations" => list_operations(st, r),
        "getProjectOperation" => get_operation(st, r),
        "getConnectionURI" => connection_uri(inner, st, r),
        "listProjectPermissions" => list_permissions(st, r),
        "grantPermissionToProject" => grant_permission(inner, st, r),
        "revokePermissionFromProject" => revoke_permission(st, r),
        "getProjectJWKS" => {
            let p = project(st, r)?;
            ok(json!({"jwks": p.jwks}))
        }
        "addProjectJWKS" => add_jwks(inner, st, r),
        "deleteProjectJWKS" => delete_jwks(st, r),

        "createProjectBranch" => create_branch(inner, st, r),
        "listProjectBranches" => list_branches(st, r),
        "countProjectBranches" => count_branches(st, r),
        "getProjectBranch" => get_branch(st, r),
        "updateProjectBranch" => update_branch(inner, st, r),
        "deleteProjectBranch" => delete_branch(inner, st, r),
        "setDefaultProjectBranch" => set_default_branch(inner, st, r),
        "recoverProjectBranch" => recover_branch(inner, st, r),
        "getProjectBranchSchema" => branch_schema(inner, st, r),
        "listProjectBranchEndpoints" => list_branch_endpoints(st, r),

        "listProjectBranchDatabases" => list_databases(st, r),
        "createProjectBranchDatabase" => create_database(inner, st, r),
        "getProjectBranchDatabase" => get_database(st, r),
        "updateProjectBranchDatabase" => update_database(inner, st, r),
        "deleteProjectBranchDatabase" => delete_database(inner, st, r),

        "listProjectBranchRoles" => list_roles(st, r),
        "createProjectBranchRole" => create_role(inner, st, r),
        "getProjectBranchRole" => get_role(st, r),
        "deleteProjectBranchRole" => delete_role(inner, st, r),
        "getProjectBranchRolePassword" => reveal_password(st, r),
        "resetProjectBranchRolePassword" => reset_password(inner, st, r),

        "createProjectEndpoint" => create_endpoint(inner, st, r),
        "listProjectEndpoints" => list_endpoints(st, r),
        "getProjectEndpoint" => get_endpoint(st, r),
        "updateProjectEndpoint" => update_endpoint(inner, st, r),
        "deleteProjectEndpoint" => delete_endpoint(inner, st, r),
        "startProjectEndpoint" => endpoint_action(inner, st, r, "start"),
        "suspendProjectEndpoint" => endpoint_action(inner, st, r, "suspend"),
        "restartProjectEndpoint" => endpoint_action(inner, st, r, "restart"),

        "listApiKeys" => list_api_keys(st, None),
        "createApiKey" => create_api_key(inner, st, r, None),
        "revokeApiKey" => revoke_api_key(st, r, None),
        "listOrgApiKeys" => {
            let org = org_id_checked(st, r)?;
            list_api_keys(st, Some(&org))
        }
        "createOrgApiKey" => {
            let org = org_id_checked(st, r)?;
            create_api_key(inner, st, r, Some(org))
        }
        "revokeOrgApiKey" => {
            let org = org_id_checked(st, r)?;
            revoke_api_key(st, r, Some(&org))
        }

        "getOrganization" => {
            let org = org_id_checked(st, r)?;
            ok(st.org(&org).unwrap().render())
        }
        "getOrganizationMembers" => org_members(st, r),
        "getOrganizationMember" => org_member(st, r, None),
        "updateOrganizationMember" => org_member(st, r, Some("update")),
        "removeOrganizationMember" => org_member(st, r, Some("remove")),
        "getOrganizationInvitations" => {
            let org = org_id_checked(st, r)?;
            ok(json!({"invitations": st.org(&org).unwrap().invitations}))
        }
        "createOrganizationInvitations" => create_invitations(inner, st, r),
        "getOrganizationSpendingLimit" | "setOrganizationSpendingLimit" | "deleteOrganizationSpendingLimit" => spending_limit(st, r),
        "getCurrentUserOrganizations" => {
            let orgs: Vec<Value> = match &r.auth.org_id {
                Some(o) => st.org(o).map(|o| vec![o.render()]).unwrap_or_default(),
                None => st.orgs.iter().map(|o| o.render()).collect(),
            };
            ok(json!({"organizations": orgs}))
        }
        "getCurrentUserInfo" => current_user(r),
        "getAuthDetails" => ok(json!({
            "account_id": r.auth.org_id.clone().unwrap_or_else(|| OWNER_ID.to_string()),
            "auth_method": r.auth.method,
        })),
        "getActiveRegions" => ok(json!({"regions": REGIONS.iter().map(|(id, name, lat, long)| json!({
            "region_id": id, "name": name, "default": *id == DEFAULT_REGION, "geo_lat": lat, "geo_long": long,
        })).collect::<Vec<_>>()})),

        "createSnapshot" => create_snapshot(inner, st, r),
        "listSnapshots" => {
            let p = project(st, r)?;
            ok(json!({"snapshots": p.snapshots.iter().map(|s| s.render()).collect::<Vec<_>>()}))
        }
        "deleteSnapshot" => delete_snapshot(inner, st, r),
        "updateSnapshot" => update_snapshot(st, r),

        "createProjectBranchBucket"
        | "listProjectBranchBuckets"
        | "deleteProjectBranchBucket"
        | "listProjectBranchBucketObjects"
        | "deleteProjectBranchBucketObject"
        | "getProjectBranchBucketObject"
        | "deleteProjectBranchBucketObjectsByPrefix"
        | "presignProjectBranchBucketObject" => buckets(st, r),

        "getConsumptionHistoryPerProject" | "getConsumptionHistoryPerProjectV2" | "getConsumptionHistoryPerBranchV2" => {
            consumption(inner, st, r)
        }
        "createNeonAuth" | "getNeonAuth" | "disableNeonAuth" | "listNeonAuthIntegrations" | "createNeonAuthIntegration" => {
            neon_auth(inner, st, r)
        }
        "listProjectBranchFunctions"
        | "getProjectBranchFunction"
        | "updateProjectBranchFunction"
        | "deleteProjectBranchFunction"
        | "createProjectBranchFunctionDeployment" => functions(inner, st, r),

        _ => generic(inner, st, r),
    }
}

// ------------------------------------------------------------------ functions

pub(crate) fn branch_scope(st: &Store, r: &Req, family: &str) -> Result<String, ApiError> {
    let p = project(st, r)?;
    branch_of(p, r.pp("branch_id"))?;
    Ok(format!("{family}:{}/{}", r.pp("project_id"), r.pp("branch_id")))
}

fn functions(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let key = branch_scope(st, r, "functions")?;
    let slug = r.pp("slug").to_string();
    let coll = st.collections.entry(key).or_default();
    match r.op.operation_id.as_str() {
        "listProjectBranchFunctions" => {
            let all: Vec<&Value> = coll.values().collect();
            let (page, next) = next_page(r, &all, |f| s(f, "slug").unwrap_or_default().to_string())?;
            let mut pagination = json!({});
            if let Some(n) = next {
                pagination["next"] = json!(n);
            }
            ok(json!({"functions": page, "pagination": pagination}))
        }
        "createProjectBranchFunctionDeployment" => {
            let now = util::now_rfc3339();
            let f = coll.entry(slug.clone()).or_insert_with(|| {
                json!({
                    "id": util::uuid(&mut *rng(inner)),
                    "slug": slug,
                    "name": slug,
                    "invocation_url": format!("https://{}-{}.functions.neon.tech", slug, r.pp("branch_id")),
                    "created_at": now,
                })
            });
            let next = f["current_deployment"]["id"].as_i64().unwrap_or(0) + 1;
            let runtime = multipart_field(&r.raw_body, "runtime").unwrap_or_else(|| "nodejs24".to_string());
            let dep =
                json!({"id": next, "status": "completed", "memory_mib": 256, "runtime": runtime, "created_at": now, "environment": []});
            f["current_deployment"] = dep.clone();
            f["active_deployment"] = dep.clone();
            Ok(Reply::Json(None, json!({"deployment": dep})))
        }
        op => {
            let Some(f) = coll.get_mut(&slug) else {
                return Err(not_found(&format!("function {slug:?}")));
            };
            match op {
                "getProjectBranchFunction" => ok(json!({"function": f})),
                "updateProjectBranchFunction" => {
                    if let Some(n) = s(&r.body, "name") {
                        f["name"] = json!(n);
                    }
                    ok(json!({"function": f}))
                }
                _ => {
                    coll.remove(&slug);
                    Ok(Reply::Empty(None))
                }
            }
        }
    }
}

/// Neon Auth per branch: enabling stores an integration; get/list read it; disable removes it.
fn neon_auth(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let op = r.op.operation_id.as_str();
    // the deprecated project-level create names the project and branch in its body
    let (pid, bid) = if op == "createNeonAuthIntegration" {
        (s(&r.body, "project_id").unwrap_or_default().to_string(), s(&r.body, "branch_id").unwrap_or_default().to_string())
    } else {
        (r.pp("project_id").to_string(), r.pp("branch_id").to_string())
    };
    let p = match st.projects.get(&pid) {
        Some(p) if p.deleted_at.is_none() => p,
        _ => return Err(not_found(&format!("project {pid:?}"))),
    };
    if r.auth.project_id.as_ref().map(|x| *x != pid).unwrap_or(false) {
        return Err(not_found(&format!("project {pid:?}")));
    }
    if op == "listNeonAuthIntegrations" {
        let list: Vec<Value> = st
            .collections
            .get("neon_auth")
            .map(|c| c.iter().filter(|(k, _)| k.starts_with(&format!("{pid}/"))).map(|(_, v)| v["integration"].clone()).collect())
            .unwrap_or_default();
        return ok(json!({"data": list}));
    }
    let b = branch_of(p, &bid)?;
    let db = s(&r.body, "database_name").map(String::from).or_else(|| b.databases.first().map(|d| d.name.clone())).unwrap_or_default();
    let key = format!("{pid}/{bid}");
    let coll = st.collections.entry("neon_auth".to_string()).or_default();
    match op {
        "createNeonAuth" | "createNeonAuthIntegration" => {
            if coll.contains_key(&key) {
                return Err(conflict("Neon Auth is already enabled for this branch"));
            }
            let (proj, pubk, secret) = {
                let mut g = rng(inner);
                (util::uuid(&mut *g), util::token(&mut *g, 32), util::token(&mut *g, 48))
            };
            let provider = s(&r.body, "auth_provider").unwrap_or("better_auth").to_string();
            let base_url = format!("https://{bid}.neonauth.us-east-2.aws.neon.tech/neondb/auth");
            let jwks_url = format!("{base_url}/.well-known/jwks.json");
            let created = json!({
                "auth_provider": provider, "auth_provider_project_id": proj, "pub_client_key": format!("pck_{pubk}"),
                "secret_server_key": format!("ssk_{secret}"), "jwks_url": jwks_url, "schema_name": "neon_auth",
                "table_name": "users_sync", "base_url": base_url,
            });
            let integration = json!({
                "auth_provider": provider, "auth_provider_project_id": proj, "branch_id": bid, "db_name": db,
                "created_at": util::now_rfc3339(), "owned_by": "neon", "jwks_url": jwks_url, "base_url": base_url,
            });
            coll.insert(key, json!({"integration": integration}));
            Ok(Reply::Json(None, created))
        }
        "getNeonAuth" => match coll.get(&key) {
            Some(v) => ok(v["integration"].clone()),
            None => Err(not_found("Neon Auth is not enabled for this branch")),
        },
        _ => match coll.remove(&key) {
            Some(_) => Ok(Reply::Empty(None)),
            None => Err(not_found("Neon Auth is not enabled for this branch")),
        },
    }
}

/// Consumption: one period per project (or branch) of the requested range, with
/// zero usage in one timeframe; cursor pagination over project ids.
fn consumption(inner: &Inner, st: &Store, r: &Req) -> R {
    let s = spec::spec();
    let op = r.op;
    let schema = op.success_schema.as_ref().unwrap();
    let per_branch = op.operation_id == "getConsumptionHistoryPerBranchV2";
    let org = r.auth.org_id.clone().or_else(|| r.q("org_id").map(String::from));
    if let Some(o) = &org {
        if st.org(o).is_none() {
            return Err(not_found(&format!("organization {o:?}")));
        }
    }
    let wanted: Vec<String> = r
        .query
        .iter()
        .filter(|(k, _)| k == "project_ids")
        .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|x| !x.is_empty())
        .collect();
    let branch_ids: Vec<String> = r
        .query
        .iter()
        .filter(|(k, _)| k == "branch_ids")
        .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|x| !x.is_empty())
        .collect();
    let projects: Vec<&Project> = st
        .projects_in_order()
        .into_iter()
        .filter(|p| p.deleted_at.is_none())
        .filter(|p| org.as_ref().map(|o| *o == p.org_id).unwrap_or(true))
        .filter(|p| r.auth.project_id.as_ref().map(|x| *x == p.id).unwrap_or(true))
        .filter(|p| wanted.is_empty() || wanted.contains(&p.id))
        .collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => projects.iter().position(|p| p.id == c).map(|i| i + 1).unwrap_or(projects.len()),
        None => 0,
    };
    let limit = paginate_limit(r, 10);
    let page: Vec<&Project> = projects.into_iter().skip(start).take(limit).collect();
    let key = if per_branch { "branches" } else { "projects" };
    let props = collect_props(s, schema);
    let item_schema = s.deref(props.get(key).unwrap())["items"].clone();
    let period_schema = s.deref(&collect_props(s, &item_schema)["periods"])["items"].clone();
    let tf_schema = s.deref(&collect_props(s, &period_schema)["consumption"])["items"].clone();
    let from = r.q("from").unwrap_or("2025-01-01T00:00:00Z").to_string();
    let to = r.q("to").unwrap_or("2025-01-02T00:00:00Z").to_string();
    let period_id = util::uuid(&mut *rng(inner));
    let period = || {
        let mut tf = s.synth(&tf_schema, None, 100);
        tf["timeframe_start"] = json!(from);
        tf["timeframe_end"] = json!(to);
        if collect_props(s, &tf_schema).contains_key("metrics") {
            let metrics: Vec<Value> = r
                .query
                .iter()
                .filter(|(k, _)| k == "metrics")
                .flat_map(|(_, v)| v.split(',').map(String::from).collect::<Vec<_>>())
                .filter(|m| !m.is_empty())
                .map(|m| json!({"metric_name": m, "value": 0}))
                .collect();
            tf["metrics"] = json!(metrics);
        }
        let mut p = s.synth(&period_schema, None, 100);
        p["period_id"] = json!(period_id);
        p["period_plan"] = json!("launch");
        p["period_start"] = json!(from);
        p["consumption"] = json!([tf]);
        p
    };
    let mut items = Vec::new();
    for p in &page {
        if per_branch {
            for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
                if !branch_ids.is_empty() && !branch_ids.contains(&b.id) {
                    continue;
                }
                items.push(json!({"project_id": p.id, "branch_id": b.id, "periods": [period()]}));
            }
        } else {
            items.push(json!({"project_id": p.id, "periods": [period()]}));
        }
    }
    let mut out = json!({ key: items });
    if let Some(last) = page.last() {
        out["pagination"] = json!({"cursor": last.id});
    }
    if s.validate(schema, &out).is_err() {
        out = s.synth_success(op).unwrap_or_else(|| json!({}));
    }
    ok(out)
}

/// A text field of a multipart/form-data body (enough for `runtime`).
pub(crate) fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let marker = format!("name=\"{name}\"");
    let at = text.find(&marker)?;
    let rest = &text[at + marker.len()..];
    let start = rest.find("\r\n\r\n")? + 4;
    let end = rest[start..].find("\r\n")?;
    Some(rest[start..start + end].to_string())
}

// ------------------------------------------------------------------ buckets

fn buckets(st: &mut Store, r: &Req) -> R {
    {
        let p = project(st, r)?;
        branch_of(p, r.pp("branch_id"))?;
    }
    let (pid, bid) = (r.pp("project_id").to_string(), r.pp("branch_id").to_string());
    let list = st.buckets.entry(format!("{pid}/{bid}")).or_default();
    let op = r.op.operation_id.as_str();
    match op {
        "createProjectBranchBucket" => {
            let name = s(&r.body, "name").unwrap_or_default().to_string();
            if list.iter().any(|b| b.name == name) {
                return Err(conflict(format!("bucket {name:?} already exists")));
            }
            let b = BucketRec {
                name,
                access_level: s(&r.body, "access_level").unwrap_or("private").to_string(),
                created_at: crate::clock::now(),
                objects: Default::default(),
            };
            let v = b.render();
            list.push(b);
            return ok(json!({"bucket": v}));
        }
        "listProjectBranchBuckets" => return ok(json!({"buckets": list.iter().map(|b| b.render()).collect::<Vec<_>>()})),
        _ => {}
    }
    let name = r.pp("bucket_name").to_string();
    let Some(idx) = list.iter().position(|b| b.name == name) else {
        return Err(not_found(&format!("bucket {name:?}")));
    };
    if op == "deleteProjectBranchBucket" {
        list.remove(idx);
        return Ok(Reply::Empty(None));
    }
    let bucket = &mut list[idx];
    match op {
        "listProjectBranchBucketObjects" => {
            let prefix = r.q("prefix").unwrap_or("").to_string();
            let delimiter = r.q("delimiter").filter(|d| !d.is_empty());
            let limit = r.q_int("limit").unwrap_or(1000).max(1) as usize;
            let cursor = r.q("cursor").filter(|c| !c.is_empty());
            // entries in key order: objects, and folders collapsed at the delimiter
            let mut entries: Vec<(String, Option<Value>)> = Vec::new();
            for (key, (data, modified)) in bucket.objects.range(prefix.clone()..) {
                if !key.starts_with(&prefix) {
                    break;
                }
                if let Some(d) = delimiter {
                    if let Some(i) = key[prefix.len()..].find(d) {
                        let folder = key[..prefix.len() + i + d.len()].to_string();
                        if entries.last().map(|(k, v)| v.is_none() && *k == folder).unwrap_or(false) {
                            continue;
                        }
                        entries.push((folder, None));
                        continue;
                    }
                }
                entries.push((
                    key.clone(),
                    Some(json!({"key": key, "size": data.len(), "last_modified": rfc3339(*modified), "etag": format!("\"{:x}\"", data.len() * 2654435761 % 4294967291)})),
                ));
            }
            let start = match cursor {
                Some(c) => entries.iter().position(|(k, _)| k.as_str() > c).unwrap_or(entries.len()),
                None => 0,
            };
            let page: Vec<&(String, Option<Value>)> = entries.iter().skip(start).take(limit).collect();
            let truncated = start + page.len() < entries.len();
            let mut out = json!({
                "folders": page.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k.clone()).collect::<Vec<_>>(),
                "objects": page.iter().filter_map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                "prefix": prefix,
                "is_truncated": truncated,
            });
            if truncated {
                out["next_cursor"] = json!(page.last().unwrap().0);
            }
            ok(out)
        }
        "deleteProjectBranchBucketObject" => {
            let key = r.pp("object_key");
            bucket.objects.remove(key).ok_or_else(|| not_found(&format!("object {key:?}")))?;
            Ok(Reply::Empty(None))
        }
        "getProjectBranchBucketObject" => {
            let key = r.pp("object_key");
            let (data, _) = bucket.objects.get(key).ok_or_else(|| not_found(&format!("object {key:?}")))?;
            Ok(Reply::Bytes("application/octet-stream", data.clone()))
        }
        "deleteProjectBranchBucketObjectsByPrefix" => {
            let prefix = r.q("prefix").unwrap_or_default();
            if !prefix.ends_with('/') {
                return Err(bad("prefix must end with '/'"));
            }
            let before = bucket.objects.len();
            bucket.objects.retain(|k, _| !k.starts_with(prefix));
            ok(json!({"deleted": before - bucket.objects.len()}))
        }
        _ => {
            // presign
            let key = r.pp("object_key").to_string();
            let upload = s(&r.body, "operation") == Some("upload");
            if !upload && !bucket.objects.contains_key(&key) {
                return Err(not_found(&format!("object {key:?}")));
            }
            let enc = |x: &str| percent_encoding::utf8_percent_encode(x, percent_encoding::NON_ALPHANUMERIC).to_string();
            let url = format!("http://{}/_emulator/storage/{}/{}/{}/{}", r.host, enc(&pid), enc(&bid), enc(&name), enc(&key));
            let secs = r.body.get("expires_in_seconds").and_then(|x| x.as_i64()).unwrap_or(3600).max(1) as u64;
            let mut headers = json!({});
            if let (true, Some(ct)) = (upload, s(&r.body, "content_type")) {
                headers["Content-Type"] = json!(ct);
            }
            ok(json!({
                "url": url,
                "method": if upload { "PUT" } else { "GET" },
                "headers": headers,
                "expires_at": rfc3339(crate::clock::now() + Duration::from_secs(secs)),
            }))
        }
    }
}

// ------------------------------------------------------------------ helpers

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

fn org_id_checked(st: &Store, r: &Req) -> Result<String, ApiError> {
    let id = r.p("org_id").or_else(|| r.p("source_org_id")).unwrap_or("");
    if st.org(id).is_none() {
        return Err(not_found(&format!("organization {id:?}")));
    }
    Ok(id.to_string())
}

fn paginate_limit(r: &Req, default: i64) -> usize {
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

// ------------------------------------------------------------------ projects

fn list_projects(st: &Store, r: &Req) -> R {
    let limit = paginate_limit(r, 10);
    let search = r.q("search").map(|s| s.to_lowercase());
    let org_filter = r.auth.org_id.clone().or_else(|| r.q("org_id").map(String::from));
    if let Some(o) = &org_filter {
        if st.org(o).is_none() {
            return Err(not_found(&format!("organization {o:?}")));
        }
    }
    let recoverable = r.q_bool("recoverable");
    let all: Vec<&Project> = st
        .projects_in_order()
        .into_iter()
        .filter(|p| if recoverable { p.deleted_at.is_some() } else { p.deleted_at.is_none() })
        .filter(|p| r.auth.project_id.as_ref().map(|s| *s == p.id).unwrap_or(true))
        .filter(|p| org_filter.as_ref().map(|o| *o == p.org_id).unwrap_or(true))
        .filter(|p| search.as_ref().map(|s| p.name.to_lowercase().contains(s) || p.id.contains(s)).unwrap_or(true))
        .collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match all.iter().position(|p| p.id == c) {
            Some(i) => i + 1,
            None => match st.projects.get(c) {
                // a cursor naming a project no longer listed: continue after its position
                Some(cp) => all.iter().position(|p| p.seq > cp.seq).unwrap_or(all.len()),
                None => return Err(bad(format!("invalid cursor {c:?}"))),
            },
        },
        None => 0,
    };
    let page: Vec<&Project> = all.iter().skip(start).take(limit).copied().collect();
    let org_name = |id: &str| st.org(id).map(|o| o.name.as_str()).unwrap_or("");
    let cursor = page.last().map(|p| p.id.as_str()).or_else(|| r.q("cursor").filter(|c| !c.is_empty()));
    // serialized from the state in one pass (no Value tree): the 400-project list is the
    // emulator's largest common body
    #[derive(serde::Serialize)]
    struct Body<'a> {
        applications: Map<String, Value>,
        integrations: Map<String, Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pagination: Option<Cursor<'a>>,
        projects: Vec<crate::state::ProjectJson<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Cursor<'a> {
        cursor: &'a str,
    }
    let body = Body {
        applications: Map::new(),
        integrations: Map::new(),
        pagination: cursor.map(|cursor| Cursor { cursor }),
        projects: page.iter().map(|p| p.list_item(org_name(&p.org_id))).collect(),
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| err(500, format!("rendering the project list: {e}")))?;
    Ok(Reply::Bytes("application/json", bytes))
}

fn get_project(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"project": p.render()}))
}

fn cu(v: &Value, k: &str, default: f64) -> f64 {
    v.get(k).and_then(|x| x.as_f64()).unwrap_or(default)
}

fn new_endpoint(inner: &Inner, r: &Req, branch_id: &str, region_id: &str, kind: &str, opts: &Value, defaults: &Value) -> Endpoint {
    let now = crate::clock::now();
    let id = format!("ep-{}", util::neon_name(&mut *rng(inner)));
    let min_cu = cu(opts, "autoscaling_limit_min_cu", cu(defaults, "autoscaling_limit_min_cu", 0.25));
    let max_cu = cu(opts, "autoscaling_limit_max_cu", cu(defaults, "autoscaling_limit_max_cu", min_cu.max(2.0)));
    Endpoint {
        id,
        name: s(opts, "name").map(String::from),
        branch_id: branch_id.to_string(),
        region_id: region_id.to_string(),
        kind: kind.to_string(),
        min_cu,
        max_cu: max_cu.max(min_cu),
        suspend_timeout_seconds: opts
            .get("suspend_timeout_seconds")
            .or_else(|| defaults.get("suspend_timeout_seconds"))
            .and_then(|x| x.as_i64())
            .unwrap_or(0),
        pooler_enabled: opts.get("pooler_enabled").and_then(|x| x.as_bool()).unwrap_or(false),
        disabled: opts.get("disabled").and_then(|x| x.as_bool()).unwrap_or(false),
        passwordless_access: opts.get("passwordless_access").and_then(|x| x.as_bool()).unwrap_or(true),
        provisioner: s(opts, "provisioner").unwrap_or("k8s-neonvm").to_string(),
        settings: opts.get("settings").cloned().unwrap_or_else(|| json!({})),
        created_at: now,
        updated_at: now,
        state_from: "init",
        state_to: "active",
        state_at: ready_at(r),
        started_at: Some(now),
        suspended_at: None,
    }
}

/// The real API's project `default_endpoint_settings` always carry the compute
/// limits and suspend timeout; what a request leaves out gets the defaults. A given
/// minimum above 0.25 also raises the default maximum, which may not be below it.
fn fill_endpoint_defaults(des: &mut Value) {
    if !des.is_object() {
        *des = json!({});
    }
    let min = cu(des, "autoscaling_limit_min_cu", 0.25);
    let o = des.as_object_mut().unwrap();
    o.entry("autoscaling_limit_min_cu").or_insert(json!(0.25));
    o.entry("autoscaling_limit_max_cu").or_insert(json!(min.max(0.25)));
    o.entry("suspend_timeout_seconds").or_insert(json!(0));
}

fn create_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    if r.auth.project_id.is_some() {
        return Err(err(403, "a project-scoped API key cannot create projects"));
    }
    let body = body_obj(r, "project");
    let region_id = s(body, "region_id").unwrap_or(DEFAULT_REGION).to_string();
    if !REGIONS.iter().any(|(id, ..)| *id == region_id) {
        return Err(bad(format!("region {region_id:?} is not supported")));
    }
    let org_id = match (s(body, "org_id"), &r.auth.org_id) {
        (Some(given), Some(key_org)) if given != key_org => return Err(err(403, "this API key belongs to another organization")),
        (Some(given), _) => {
            if st.org(given).is_none() {
                return Err(not_found(&format!("organization {given:?}")));
            }
            given.to_string()
        }
        (None, Some(key_org)) => key_org.clone(),
        (None, None) => st.default_org().id.clone(),
    };
    let now = crate::clock::now();
    let (id, branch_id, password) = {
        let mut g = rng(inner);
        (util::neon_name(&mut *g), format!("br-{}", util::neon_name(&mut *g)), util::password(&mut *g))
    };
    let name = s(body, "name").unwrap_or(&id).to_string();
    let b = body.get("branch").cloned().unwrap_or(Value::Null);
    let branch_name = s(&b, "name").unwrap_or("main").to_string();
    let role_name = s(&b, "role_name").unwrap_or("neondb_owner").to_string();
    let db_name = s(&b, "database_name").unwrap_or("neondb").to_string();
    let des = body.get("default_endpoint_settings").cloned().unwrap_or_else(|| json!({}));
    let mut des_full = des.clone();
    for k in ["autoscaling_limit_min_cu", "autoscaling_limit_max_cu"] {
        if let Some(v) = body.get(k) {
            des_full[k] = v.clone();
        }
    }
    fill_endpoint_defaults(&mut des_full);
    st.project_seq += 1;
    st.next_db_id += 1;
    let db_id = st.next_db_id;
    let mut p = Project {
        id: id.clone(),
        seq: st.project_seq,
        name,
        region_id: region_id.clone(),
        pg_version: body.get("pg_version").and_then(|v| v.as_i64()).unwrap_or(17),
        provisioner: s(body, "provisioner").unwrap_or("k8s-neonvm").to_string(),
        store_passwords: body.get("store_passwords").and_then(|v| v.as_bool()).unwrap_or(true),
        history_retention_seconds: body.get("history_retention_seconds").and_then(|v| v.as_i64()).unwrap_or(86_400),
        settings: body.get("settings").cloned().unwrap_or_else(|| json!({"allowed_ips": {"ips": [], "protected_branches_only": false}, "enable_logical_replication": false, "block_public_connections": false, "block_vpc_connections": false})),
        default_endpoint_settings: des_full.clone(),
        org_id,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        branches: Vec::new(),
        endpoints: Vec::new(),
        operations: Vec::new(),
        snapshots: Vec::new(),
        permissions: Vec::new(),
        jwks: Vec::new(),
        lsn: 0x14E_DAC8,
    };
    let branch = Branch {
        id: branch_id.clone(),
        name: branch_name,
        parent_id: None,
        parent_lsn: None,
        parent_timestamp: None,
        default: true,
        protected: false,
        expires_at: None,
        init_source: "parent-data".into(),
        created_at: now,
        updated_at: now,
        ready_at: ready_at(r),
        databases: vec![Database { id: db_id, name: db_name.clone(), owner_name: role_name.clone(), created_at: now, updated_at: now }],
        roles: vec![Role { name: role_name, password, protected: false, no_login: false, created_at: now, updated_at: now }],
        deleted_at: None,
        restored_from: None,
        logical_size: 30_785_536,
        pending_from: "init",
        last_reset_at: None,
        restore_status: None,
        restored_as: None,
    };
    let ep = new_endpoint(inner, r, &branch_id, &region_id, "read_write", &des_full, &des_full);
    let ep_id = ep.id.clone();
    let t = Instant::now();
    let backing = inner.backing();
    backing.create_role(&branch_id, &branch.roles[0])?;
    backing.create_database(&branch_id, &branch.databases[0])?;
    let conn = backing.connection_details(&branch.roles[0], &db_name, &ep);
    let branch_json = branch.render(&id, t);
    let db_json = branch.databases[0].render(&branch_id);
    let role_json = branch.roles[0].render(&branch_id, true);
    let ep_json = ep.render(&id, t);
    p.branches.push(branch);
    p.endpoints.push(ep);
    let ops =
        new_ops(inner, &mut p, r, &[("create_timeline", Some(branch_id.clone()), None), ("start_compute", Some(branch_id), Some(ep_id))]);
    let project_json = p.render();
    st.projects.insert(id, p);
    Ok(Reply::Json(
        None,
        json!({
            "project": project_json,
            "connection_uris": [conn],
            "roles": [role_json],
            "databases": [db_json],
            "operations": ops,
            "branch": branch_json,
            "endpoints": [ep_json],
        }),
    ))
}

fn update_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let body = body_obj(r, "project");
    if let Some(n) = s(body, "name") {
        p.name = n.to_string();
    }
    if let Some(v) = body.get("settings").and_then(|v| v.as_object()) {
        let mut cur = p.settings.as_object().cloned().unwrap_or_default();
        for (k, x) in v {
            cur.insert(k.clone(), x.clone());
        }
        p.settings = Value::Object(cur);
    }
    if let Some(v) = body.get("default_endpoint_settings") {
        let mut des = v.clone();
        fill_endpoint_defaults(&mut des);
        p.default_endpoint_settings = des;
    }
    if let Some(h) = body.get("history_retention_seconds").and_then(|v| v.as_i64()) {
        p.history_retention_seconds = h;
    }
    p.updated_at = crate::clock::now();
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"project": p.render(), "operations": ops}))
}

fn delete_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, false)?;
    }
    p.deleted_at = Some(crate::clock::now());
    let v = p.render();
    // operations of a deleted project finish at once; keys scoped to it stop working
    let pid = p.id.clone();
    for k in st.keys.iter_mut().filter(|k| k.project_id.as_deref() == Some(pid.as_str())) {
        k.revoked = true;
    }
    ok(json!({"project": v}))
}

fn recover_project(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = r.pp("project_id");
    let p = match st.projects.get_mut(id) {
        Some(p) if p.deleted_at.is_some() => p,
        Some(_) => return Err(bad(format!("project {id:?} is not deleted"))),
        None => return Err(not_found(&format!("project {id:?}"))),
    };
    for b in p.branches.iter().filter(|b| b.deleted_at.is_none()) {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, true)?;
    }
    p.deleted_at = None;
    p.updated_at = crate::clock::now();
    let t = Instant::now();
    let branches: Vec<Value> = p.branches.iter().filter(|b| b.deleted_at.is_none()).map(|b| b.render(&p.id, t)).collect();
    ok(json!({"project": p.render(), "branches": branches}))
}

fn list_operations(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    let limit = paginate_limit(r, 10);
    // newest first
    let all: Vec<&OpRec> = p.operations.iter().rev().collect();
    let start = match r.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match all.iter().position(|o| o.id == c) {
            Some(i) => i + 1,
            None => return Err(bad(format!("invalid cursor {c:?}"))),
        },
        None => 0,
    };
    let page: Vec<&OpRec> = all.into_iter().skip(start).take(limit).collect();
    let mut out = json!({"operations": page.iter().map(|o| o.render(t)).collect::<Vec<_>>()});
    let cursor = page.last().map(|o| o.id.clone()).or_else(|| r.q("cursor").filter(|c| !c.is_empty()).map(String::from));
    if let Some(c) = cursor {
        out["pagination"] = json!({"cursor": c});
    }
    ok(out)
}

fn get_operation(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let id = r.pp("operation_id");
    let o = p.operations.iter().find(|o| o.id == id).ok_or_else(|| not_found(&format!("operation {id:?}")))?;
    ok(json!({"operation": o.render(Instant::now())}))
}

fn connection_uri(inner: &Inner, st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = match r.q("branch_id") {
        Some(id) => branch_of(p, id)?,
        None => p.default_branch().ok_or_else(|| not_found("default branch"))?,
    };
    let ep = match r.q("endpoint_id") {
        Some(id) => p
            .endpoints
            .iter()
            .find(|e| e.id == id && e.branch_id == b.id)
            .ok_or_else(|| not_found(&format!("endpoint {id:?} of branch {:?}", b.id)))?,
        None => p
            .endpoints
            .iter()
            .find(|e| e.branch_id == b.id && e.kind == "read_write")
            .ok_or_else(|| not_found(&format!("read-write endpoint of branch {:?}", b.id)))?,
    };
    let db = r.q("database_name").unwrap_or_default();
    if !b.databases.iter().any(|d| d.name == db) {
        return Err(not_found(&format!("database {db:?}")));
    }
    let role_name = r.q("role_name").unwrap_or_default();
    let role = b.roles.iter().find(|x| x.name == role_name).ok_or_else(|| not_found(&format!("role {role_name:?}")))?;
    ok(json!({"uri": inner.backing().connection_uri(role, db, ep, r.q_bool("pooled"))}))
}

fn list_permissions(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    ok(json!({"project_permissions": p.permissions}))
}

fn grant_permission(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = util::uuid(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let email = s(&r.body, "email").unwrap_or_default().to_string();
    if p.permissions.iter().any(|x| x["granted_to_email"] == email.as_str()) {
        return Err(conflict(format!("project is already shared with {email}")));
    }
    let v = json!({"id": id, "granted_to_email": email, "granted_at": util::now_rfc3339()});
    p.permissions.push(v.clone());
    ok(v)
}

fn revoke_permission(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("permission_id");
    let i = p.permissions.iter().position(|x| x["id"] == id).ok_or_else(|| not_found("permission"))?;
    let mut v = p.permissions.remove(i);
    v["revoked_at"] = json!(util::now_rfc3339());
    ok(v)
}

fn add_jwks(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = util::uuid(&mut *rng(inner));
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let now = util::now_rfc3339();
    let mut v = json!({
        "id": id, "project_id": p.id, "jwks_url": r.body["jwks_url"], "provider_name": r.body["provider_name"],
        "created_at": now, "updated_at": now,
    });
    for k in ["branch_id", "jwt_audience", "role_names"] {
        if let Some(x) = r.body.get(k) {
            v[k] = x.clone();
        }
    }
    p.jwks.push(v.clone());
    let bid = s(&r.body, "branch_id").map(String::from).or_else(|| p.default_branch().map(|b| b.id.clone()));
    let ops = new_ops(inner, p, r, &[("apply_config", bid, None)]);
    ok(json!({"jwks": v, "operations": ops}))
}

fn delete_jwks(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("jwks_id");
    let i = p.jwks.iter().position(|x| x["id"] == id).ok_or_else(|| not_found("JWKS"))?;
    ok(p.jwks.remove(i))
}

// ------------------------------------------------------------------ branches

fn create_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let bid = format!("br-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let b = body_obj(r, "branch");
    let parent = match s(b, "parent_id") {
        Some(id) => branch_of(p, id)?.clone(),
        None => p.default_branch().ok_or_else(|| not_found("default branch"))?.clone(),
    };
    let name = s(b, "name").map(String::from).unwrap_or_else(|| bid.clone());
    // a duplicate name is a 409 even while operations run (as for databases and roles):
    // a client racing another creator of the same name learns that it lost, not to retry
    if p.branches.iter().any(|x| x.name == name && x.deleted_at.is_none()) {
        return Err(conflict(format!("branch with name {name:?} already exists")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let init_source = s(b, "init_source").unwrap_or("parent-data").to_string();
    let lsn = p.next_lsn();
    let branch = Branch {
        id: bid.clone(),
        name,
        parent_id: Some(parent.id.clone()),
        parent_lsn: Some(s(b, "parent_lsn").map(String::from).unwrap_or(lsn)),
        parent_timestamp: Some(s(b, "parent_timestamp").map(String::from).unwrap_or_else(|| rfc3339(now))),
        default: false,
        protected: b.get("protected").and_then(|x| x.as_bool()).unwrap_or(false),
        expires_at: s(b, "expires_at").map(String::from),
        init_source: init_source.clone(),
        created_at: now,
        updated_at: now,
        ready_at: ready_at(r),
        // parent-data and schema-only branches both carry the parent's databases
        databases: parent.databases.clone(),
        roles: parent.roles.clone(),
        deleted_at: None,
        restored_from: None,
        logical_size: parent.logical_size,
        pending_from: "init",
        last_reset_at: None,
        restore_status: None,
        restored_as: None,
    };
    let mut branch = branch;
    for d in branch.databases.iter_mut() {
        d.created_at = now;
        d.updated_at = now;
    }
    let mut actions: Vec<(&'static str, Option<String>, Option<String>)> = vec![("create_branch", Some(bid.clone()), None)];
    let mut eps = Vec::new();
    let t = Instant::now();
    if let Some(list) = r.body.get("endpoints").and_then(|e| e.as_array()) {
        let des = p.default_endpoint_settings.clone();
        let region = p.region_id.clone();
        for opts in list {
            let kind = s(opts, "type").unwrap_or("read_write");
            if kind == "read_write" && (eps.iter().any(|e: &Endpoint| e.kind == "read_write")) {
                return Err(bad("a branch can have only one read-write endpoint"));
            }
            let ep = new_endpoint(inner, r, &bid, &region, kind, opts, &des);
            actions.push(("start_compute", Some(bid.clone()), Some(ep.id.clone())));
            eps.push(ep);
        }
    }
    let mut out = json!({
        "branch": branch.render(&p.id, t),
        "endpoints": eps.iter().map(|e| e.render(&p.id, t)).collect::<Vec<_>>(),
        "roles": branch.roles.iter().map(|x| x.render(&bid, false)).collect::<Vec<_>>(),
        "databases": branch.databases.iter().map(|d| d.render(&bid)).collect::<Vec<_>>(),
    });
    if let Some(ep) = eps.iter().find(|e| e.kind == "read_write").or(eps.first()) {
        let uris: Vec<Value> = branch
            .databases
            .iter()
            .filter_map(|d| {
                branch.roles.iter().find(|x| x.name == d.owner_name).map(|role| inner.backing().connection_details(role, &d.name, ep))
            })
            .collect();
        out["connection_uris"] = json!(uris);
    }
    // the parent's data as of now (a schema-only branch: without the rows)
    let backing = inner.backing();
    backing.copy(&parent.id, &parent.databases, &parent.roles, &bid, &branch.roles)?;
    if init_source == "schema-only" {
        backing.empty_tables(&bid, &branch.databases)?;
    }
    p.branches.push(branch);
    p.endpoints.extend(eps);
    out["operations"] = json!(new_ops(inner, p, r, &actions));
    Ok(Reply::Json(None, out))
}

fn list_branches(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    let sort_by = r.q("sort_by").unwrap_or("updated_at");
    let sort_order = r.q("sort_order").unwrap_or("desc");
    let include_deleted = r.q_bool("include_deleted");
    let search = r.q("search").map(|x| x.to_lowercase());
    let mut all: Vec<&Branch> = p
        .branches
        .iter()
        .filter(|b| include_deleted || b.deleted_at.is_none())
        .filter(|b| search.as_ref().map(|s| b.name.to_lowercase().contains(s) || b.id.contains(s)).unwrap_or(true))
        .collect();
    // stable: creation order breaks ties
    all.sort_by(|a, b| {
        let o = match sort_by {
            "name" => a.name.cmp(&b.name),
            "created_at" => a.created_at.cmp(&b.created_at),
            _ => a.updated_at.cmp(&b.updated_at),
        };
        o.then_with(|| a.created_at.cmp(&b.created_at)).then_with(|| a.id.cmp(&b.id))
    });
    if sort_order == "desc" {
        all.reverse();
    }
    let (page, next) = next_page(r, &all, |b| b.id.clone())?;
    let mut pagination = json!({"sort_by": sort_by, "sort_order": sort_order});
    if let Some(n) = next {
        pagination["next"] = json!(n);
    }
    ok(json!({
        "branches": page.iter().map(|b| b.render(&p.id, t)).collect::<Vec<_>>(),
        "annotations": {},
        "pagination": pagination,
    }))
}

fn count_branches(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let search = r.q("search").map(|x| x.to_lowercase());
    let n = p
        .branches
        .iter()
        .filter(|b| b.deleted_at.is_none())
        .filter(|b| search.as_ref().map(|s| b.name.to_lowercase().contains(s)).unwrap_or(true))
        .count();
    ok(json!({"count": n}))
}

fn annotation(branch_id: &str, created: SystemTime) -> Value {
    json!({
        "object": {"type": "console/branch", "id": branch_id},
        "value": {},
        "created_at": rfc3339(created),
        "updated_at": rfc3339(created),
    })
}

fn get_branch(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"branch": b.render(&p.id, Instant::now()), "annotation": annotation(&b.id, b.created_at)}))
}

fn update_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    let b = body_obj(r, "branch");
    if let Some(n) = s(b, "name") {
        if p.branches.iter().any(|x| x.name == n && x.id != bid && x.deleted_at.is_none()) {
            return Err(conflict(format!("branch with name {n:?} already exists")));
        }
    }
    let pid = p.id.clone();
    let br = p.branch_mut(&bid).unwrap();
    if let Some(n) = s(b, "name") {
        br.name = n.to_string();
    }
    if let Some(x) = b.get("protected").and_then(|x| x.as_bool()) {
        br.protected = x;
    }
    match b.get("expires_at") {
        Some(Value::Null) => br.expires_at = None,
        Some(Value::String(e)) => br.expires_at = Some(e.clone()),
        _ => {}
    }
    br.updated_at = crate::clock::now();
    let v = br.render(&pid, Instant::now());
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"branch": v, "operations": ops}))
}

fn delete_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    if b.default {
        return Err(bad("cannot delete the project's default branch"));
    }
    if b.protected {
        return Err(bad("cannot delete a protected branch"));
    }
    if p.branches.iter().any(|c| c.parent_id.as_deref() == Some(bid.as_str()) && c.deleted_at.is_none()) {
        return Err(bad("cannot delete a branch that has child branches"));
    }
    check_lock(p, r)?;
    let hard = r.q_bool("hard_delete");
    // soft-deleted, its databases refuse connections until it is recovered
    if hard {
        inner.backing().drop_all(&b.id, &b.databases, &b.roles)?;
    } else {
        inner.backing().set_open(&b.id, &b.databases, &b.roles, false)?;
    }
    let t = Instant::now();
    let eps: Vec<String> = p.endpoints.iter().filter(|e| e.branch_id == bid).map(|e| e.id.clone()).collect();
    p.endpoints.retain(|e| e.branch_id != bid);
    let pid = p.id.clone();
    let br = p.branch_mut(&bid).unwrap();
    br.deleted_at = Some(crate::clock::now());
    br.updated_at = crate::clock::now();
    let v = br.render(&pid, t);
    if hard {
        p.branches.retain(|b| b.id != bid);
    }
    let mut actions: Vec<(&'static str, Option<String>, Option<String>)> =
        eps.into_iter().map(|e| ("suspend_compute", Some(bid.clone()), Some(e))).collect();
    actions.push(("delete_timeline", Some(bid.clone()), None));
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"branch": v, "operations": ops}))
}

fn set_default_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    check_lock(p, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    let now = crate::clock::now();
    for b in p.branches.iter_mut() {
        let d = b.id == bid;
        if b.default != d {
            b.default = d;
            b.updated_at = now;
        }
    }
    let v = p.branch(&bid).unwrap().render(&p.id, Instant::now());
    let ops = new_ops(inner, p, r, &[]);
    ok(json!({"branch": v, "operations": ops}))
}

fn recover_branch(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id");
    let b = p.branches.iter_mut().find(|b| b.id == bid).ok_or_else(|| not_found(&format!("branch {bid:?}")))?;
    if b.deleted_at.is_none() {
        return Err(bad("branch is not deleted"));
    }
    inner.backing().set_open(&b.id, &b.databases, &b.roles, true)?;
    b.deleted_at = None;
    b.updated_at = crate::clock::now();
    let v = b.render(&p.id, Instant::now());
    ok(json!({"branch": v, "endpoints": []}))
}

fn branch_schema(inner: &Inner, st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let db = r.q("db_name").unwrap_or_default();
    if !b.databases.iter().any(|d| d.name == db) {
        return Err(not_found(&format!("database {db:?}")));
    }
    if let None | Some("sql") = r.q("format") {
        if let Some(sql) = inner.backing().schema_dump(&b.id, db)? {
            return ok(json!({"sql": sql}));
        }
    }
    let sql =
        format!("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database {db} (branch {})\n\nSET statement_timeout = 0;\n", b.id);
    if r.q("format") == Some("json") {
        return ok(json!({"json": {"tables": []}}));
    }
    ok(json!({"sql": sql}))
}

fn list_branch_endpoints(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let t = Instant::now();
    ok(json!({"endpoints": p.endpoints.iter().filter(|e| e.branch_id == b.id).map(|e| e.render(&p.id, t)).collect::<Vec<_>>()}))
}

// ------------------------------------------------------------------ databases

fn list_databases(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"databases": b.databases.iter().map(|d| d.render(&b.id)).collect::<Vec<_>>()}))
}

fn get_database(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("database_name");
    let d = b.databases.iter().find(|d| d.name == name).ok_or_else(|| not_found(&format!("database {name:?}")))?;
    ok(json!({"database": d.render(&b.id)}))
}

fn create_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    st.next_db_id += 1;
    let db_id = st.next_db_id;
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let body = body_obj(r, "database");
    let name = s(body, "name").unwrap_or_default().to_string();
    let owner = s(body, "owner_name").unwrap_or_default().to_string();
    if name.is_empty() {
        return Err(bad("database name must not be empty"));
    }
    if b.databases.iter().any(|d| d.name == name) {
        return Err(conflict(format!("database with name {name:?} already exists")));
    }
    if !b.roles.iter().any(|x| x.name == owner) {
        return Err(not_found(&format!("role {owner:?}")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let d = Database { id: db_id, name, owner_name: owner, created_at: now, updated_at: now };
    inner.backing().create_database(&bid, &d)?;
    let v = d.render(&bid);
    p.branch_mut(&bid).unwrap().databases.push(d);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    Ok(Reply::Json(None, json!({"database": v, "operations": ops})))
}

fn update_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("database_name").to_string();
    if !b.databases.iter().any(|d| d.name == name) {
        return Err(not_found(&format!("database {name:?}")));
    }
    let body = body_obj(r, "database");
    if let Some(n) = s(body, "name") {
        if n != name && b.databases.iter().any(|d| d.name == n) {
            return Err(conflict(format!("database with name {n:?} already exists")));
        }
    }
    if let Some(o) = s(body, "owner_name") {
        if !b.roles.iter().any(|x| x.name == o) {
            return Err(not_found(&format!("role {o:?}")));
        }
    }
    check_lock(p, r)?;
    inner.backing().alter_database(&bid, &name, s(body, "name"), s(body, "owner_name"))?;
    let br = p.branch_mut(&bid).unwrap();
    let d = br.databases.iter_mut().find(|d| d.name == name).unwrap();
    if let Some(n) = s(body, "name") {
        d.name = n.to_string();
    }
    if let Some(o) = s(body, "owner_name") {
        d.owner_name = o.to_string();
    }
    d.updated_at = crate::clock::now();
    let v = d.render(&bid);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"database": v, "operations": ops}))
}

fn delete_database(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("database_name").to_string();
    if !b.databases.iter().any(|d| d.name == name) {
        return Err(not_found(&format!("database {name:?}")));
    }
    check_lock(p, r)?;
    inner.backing().drop_database(&bid, &name)?;
    let br = p.branch_mut(&bid).unwrap();
    let i = br.databases.iter().position(|d| d.name == name).unwrap();
    let d = br.databases.remove(i);
    let v = d.render(&bid);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"database": v, "operations": ops}))
}

// ------------------------------------------------------------------ roles

fn list_roles(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    ok(json!({"roles": b.roles.iter().map(|x| x.render(&b.id, false)).collect::<Vec<_>>()}))
}

fn get_role(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("role_name");
    let x = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    ok(json!({"role": x.render(&b.id, false)}))
}

fn create_role(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let password = util::password(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let body = body_obj(r, "role");
    let name = s(body, "name").unwrap_or_default().to_string();
    if name.is_empty() || name.len() > 63 {
        return Err(bad("role name must be 1 to 63 characters"));
    }
    if b.roles.iter().any(|x| x.name == name) {
        return Err(conflict(format!("role with name {name:?} already exists")));
    }
    check_lock(p, r)?;
    let now = crate::clock::now();
    let role = Role {
        name,
        password,
        protected: false,
        no_login: body.get("no_login").and_then(|x| x.as_bool()).unwrap_or(false),
        created_at: now,
        updated_at: now,
    };
    inner.backing().create_role(&bid, &role)?;
    let v = role.render(&bid, true);
    p.branch_mut(&bid).unwrap().roles.push(role);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    Ok(Reply::Json(None, json!({"role": v, "operations": ops})))
}

fn delete_role(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("role_name").to_string();
    let role = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    if role.protected {
        return Err(bad("cannot delete a protected role"));
    }
    if b.databases.iter().any(|d| d.owner_name == name) {
        return Err(bad(format!("role {name:?} owns databases; change their owner first")));
    }
    check_lock(p, r)?;
    inner.backing().drop_role(&bid, &name)?;
    let br = p.branch_mut(&bid).unwrap();
    let i = br.roles.iter().position(|x| x.name == name).unwrap();
    let v = br.roles.remove(i).render(&bid, false);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"role": v, "operations": ops}))
}

fn reveal_password(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let b = branch_of(p, r.pp("branch_id"))?;
    let name = r.pp("role_name");
    let x = b.roles.iter().find(|x| x.name == name).ok_or_else(|| not_found(&format!("role {name:?}")))?;
    if !p.store_passwords {
        return Err(err(412, "storing passwords is disabled for this project"));
    }
    if x.no_login {
        return Err(not_found("password for a NOLOGIN role"));
    }
    ok(json!({"password": x.password}))
}

fn reset_password(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let password = util::password(&mut *rng(inner));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    let b = branch_of(p, &bid)?;
    let name = r.pp("role_name").to_string();
    if !b.roles.iter().any(|x| x.name == name) {
        return Err(not_found(&format!("role {name:?}")));
    }
    check_lock(p, r)?;
    let br = p.branch_mut(&bid).unwrap();
    let role = br.roles.iter_mut().find(|x| x.name == name).unwrap();
    let changed = Role { password: password.clone(), ..role.clone() };
    inner.backing().set_password(&bid, &changed)?;
    role.password = password;
    role.updated_at = crate::clock::now();
    let v = role.render(&bid, true);
    let ep = p.endpoints.iter().find(|e| e.branch_id == bid && e.kind == "read_write").map(|e| e.id.clone());
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), ep)]);
    ok(json!({"role": v, "operations": ops}))
}

// ------------------------------------------------------------------ endpoints

fn create_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let body = body_obj(r, "endpoint");
    let bid = s(body, "branch_id").unwrap_or_default().to_string();
    branch_of(p, &bid)?;
    let kind = s(body, "type").unwrap_or("read_write");
    if kind == "read_write" && p.endpoints.iter().any(|e| e.branch_id == bid && e.kind == "read_write") {
        return Err(conflict("the branch already has a read-write endpoint"));
    }
    if let Some(rid) = s(body, "region_id") {
        if rid != p.region_id {
            return Err(bad("the endpoint's region must match the project's region"));
        }
    }
    check_lock(p, r)?;
    let des = p.default_endpoint_settings.clone();
    let region = p.region_id.clone();
    let ep = new_endpoint(inner, r, &bid, &region, kind, body, &des);
    let v = ep.render(&p.id, Instant::now());
    let eid = ep.id.clone();
    p.endpoints.push(ep);
    let ops = new_ops(inner, p, r, &[("start_compute", Some(bid), Some(eid))]);
    Ok(Reply::Json(None, json!({"endpoint": v, "operations": ops})))
}

fn list_endpoints(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let t = Instant::now();
    ok(json!({"endpoints": p.endpoints.iter().map(|e| e.render(&p.id, t)).collect::<Vec<_>>()}))
}

fn find_endpoint<'a>(p: &'a Project, r: &Req) -> Result<&'a Endpoint, ApiError> {
    let id = r.pp("endpoint_id");
    p.endpoints.iter().find(|e| e.id == id).ok_or_else(|| not_found(&format!("endpoint {id:?}")))
}

fn get_endpoint(st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let e = find_endpoint(p, r)?;
    ok(json!({"endpoint": e.render(&p.id, Instant::now())}))
}

fn update_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    let body = body_obj(r, "endpoint");
    if let Some(nb) = s(body, "branch_id") {
        branch_of(p, nb)?;
        if nb != e.branch_id && e.kind == "read_write" && p.endpoints.iter().any(|x| x.branch_id == nb && x.kind == "read_write") {
            return Err(conflict("the target branch already has a read-write endpoint"));
        }
    }
    check_lock(p, r)?;
    let eid = e.id.clone();
    let ep = p.endpoints.iter_mut().find(|x| x.id == eid).unwrap();
    if let Some(nb) = s(body, "branch_id") {
        ep.branch_id = nb.to_string();
    }
    if let Some(v) = body.get("autoscaling_limit_min_cu").and_then(|x| x.as_f64()) {
        ep.min_cu = v;
    }
    if let Some(v) = body.get("autoscaling_limit_max_cu").and_then(|x| x.as_f64()) {
        ep.max_cu = v;
    }
    if ep.max_cu < ep.min_cu {
        ep.max_cu = ep.min_cu;
    }
    if let Some(v) = body.get("suspend_timeout_seconds").and_then(|x| x.as_i64()) {
        ep.suspend_timeout_seconds = v;
    }
    if let Some(v) = body.get("pooler_enabled").and_then(|x| x.as_bool()) {
        ep.pooler_enabled = v;
    }
    if let Some(v) = body.get("disabled").and_then(|x| x.as_bool()) {
        ep.disabled = v;
    }
    if let Some(v) = body.get("passwordless_access").and_then(|x| x.as_bool()) {
        ep.passwordless_access = v;
    }
    if let Some(v) = s(body, "provisioner") {
        ep.provisioner = v.to_string();
    }
    if let Some(v) = s(body, "name") {
        ep.name = Some(v.to_string());
    }
    if let Some(v) = body.get("settings") {
        ep.settings = v.clone();
    }
    ep.updated_at = crate::clock::now();
    let v = ep.render(&p.id, Instant::now());
    let bid = ep.branch_id.clone();
    let ops = new_ops(inner, p, r, &[("apply_config", Some(bid), Some(eid))]);
    ok(json!({"endpoint": v, "operations": ops}))
}

fn delete_endpoint(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    check_lock(p, r)?;
    p.endpoints.retain(|x| x.id != e.id);
    let mut v = e.render(&p.id, Instant::now());
    v["updated_at"] = json!(util::now_rfc3339());
    let ops = new_ops(inner, p, r, &[("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]);
    ok(json!({"endpoint": v, "operations": ops}))
}

fn endpoint_action(inner: &Inner, st: &mut Store, r: &Req, what: &str) -> R {
    let p = project_mut(st, r)?;
    let e = find_endpoint(p, r)?.clone();
    if e.disabled && what != "suspend" {
        return Err(bad("endpoint is disabled"));
    }
    check_lock(p, r)?;
    let now = Instant::now();
    let (cur, _) = e.state(now);
    let ep = p.endpoints.iter_mut().find(|x| x.id == e.id).unwrap();
    let sys = crate::clock::now();
    let actions: Vec<(&'static str, Option<String>, Option<String>)> = match what {
        "start" => {
            ep.state_from = cur;
            ep.state_to = "active";
            ep.started_at = Some(sys);
            vec![("start_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]
        }
        "suspend" => {
            ep.state_from = cur;
            ep.state_to = "idle";
            ep.suspended_at = Some(sys);
            vec![("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone()))]
        }
        _ => {
            ep.state_from = "init";
            ep.state_to = "active";
            ep.started_at = Some(sys);
            vec![
                ("suspend_compute", Some(e.branch_id.clone()), Some(e.id.clone())),
                ("start_compute", Some(e.branch_id.clone()), Some(e.id.clone())),
            ]
        }
    };
    ep.state_at = ready_at(r);
    ep.updated_at = sys;
    let v = ep.render(&p.id, now);
    let ops = new_ops(inner, p, r, &actions);
    ok(json!({"endpoint": v, "operations": ops}))
}

// ------------------------------------------------------------------ API keys

fn list_api_keys(st: &Store, org: Option<&str>) -> R {
    let v: Vec<Value> = st.keys.iter().filter(|k| !k.revoked && k.org_id.as_deref() == org).map(|k| k.render_list_item()).collect();
    ok(Value::Array(v))
}

fn create_api_key(inner: &Inner, st: &mut Store, r: &Req, org: Option<String>) -> R {
    let name = s(&r.body, "key_name").unwrap_or_default().to_string();
    let project_id = s(&r.body, "project_id").map(String::from);
    if let Some(pid) = &project_id {
        match st.projects.get(pid) {
            Some(p) if p.deleted_at.is_none() && Some(&p.org_id) == org.as_ref() => {}
            _ => return Err(not_found(&format!("project {pid:?}"))),
        }
    }
    let token = format!("napi_{}", util::token(&mut *rng(inner), 60));
    st.next_key_id += 1;
    let k = ApiKeyRec {
        id: st.next_key_id,
        name,
        token: token.clone(),
        created_at: crate::clock::now(),
        org_id: org,
        project_id,
        revoked: false,
        last_used_at: None,
    };
    let mut v = json!({
        "id": k.id, "key": token, "name": k.name, "created_at": rfc3339(k.created_at), "created_by": OWNER_ID,
    });
    if let Some(p) = &k.project_id {
        v["project_id"] = json!(p);
    }
    st.key_tokens.insert(token, st.keys.len());
    st.keys.push(k);
    ok(v)
}

fn revoke_api_key(st: &mut Store, r: &Req, org: Option<&str>) -> R {
    let id: i64 = r.pp("key_id").parse().map_err(|_| bad("key_id must be an integer"))?;
    let k = st.keys.iter_mut().find(|k| k.id == id && k.org_id.as_deref() == org).ok_or_else(|| not_found(&format!("API key {id}")))?;
    k.revoked = true;
    ok(k.render_revoked())
}

// ------------------------------------------------------------------ organizations, users

fn org_members(st: &Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let o = st.org(&org).unwrap();
    let sort_by = r.q("sort_by").unwrap_or("joined_at");
    let sort_order = r.q("sort_order").unwrap_or("desc");
    let mut all = o.members.clone();
    all.sort_by(|a, b| {
        let key = |m: &Value| match sort_by {
            "email" => m["user"]["email"].as_str().unwrap_or("").to_string(),
            "role" => m["member"]["role"].as_str().unwrap_or("").to_string(),
            _ => m["member"]["joined_at"].as_str().unwrap_or("").to_string(),
        };
        key(a).cmp(&key(b)).then_with(|| a["member"]["id"].as_str().cmp(&b["member"]["id"].as_str()))
    });
    if sort_order == "desc" {
        all.reverse();
    }
    let (page, next) = next_page(r, &all, |m| m["member"]["id"].as_str().unwrap_or_default().to_string())?;
    let mut pagination = json!({"sort_by": sort_by, "sort_order": sort_order});
    if let Some(n) = next {
        pagination["next"] = json!(n);
    }
    ok(json!({"members": page, "pagination": pagination}))
}

fn org_member(st: &mut Store, r: &Req, action: Option<&str>) -> R {
    let org = org_id_checked(st, r)?;
    let mid = r.pp("member_id").to_string();
    let o = st.org_mut(&org).unwrap();
    let i = o.members.iter().position(|m| m["member"]["id"] == mid.as_str()).ok_or_else(|| not_found("member"))?;
    match action {
        None => ok(o.members[i]["member"].clone()),
        Some("update") => {
            let role = r.body["role"].clone();
            if role != "admin"
                && o.members[i]["member"]["role"] == "admin"
                && o.members.iter().filter(|m| m["member"]["role"] == "admin").count() == 1
            {
                return Err(bad("cannot demote the organization's only admin"));
            }
            o.members[i]["member"]["role"] = role;
            ok(o.members[i]["member"].clone())
        }
        _ => {
            if o.members[i]["member"]["user_id"] == OWNER_ID {
                return Err(bad("cannot remove yourself from the organization"));
            }
            o.members.remove(i);
            ok(json!({}))
        }
    }
}

fn create_invitations(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let invites = r.body["invitations"].as_array().cloned().unwrap_or_default();
    let mut created = Vec::new();
    {
        let mut g = rng(inner);
        for inv in invites {
            created.push(json!({
                "id": util::uuid(&mut *g),
                "email": inv["email"],
                "org_id": org,
                "invited_by": OWNER_ID,
                "invited_at": util::now_rfc3339(),
                "role": inv["role"],
            }));
        }
    }
    let o = st.org_mut(&org).unwrap();
    o.invitations.extend(created.iter().cloned());
    ok(json!({"invitations": created}))
}

fn spending_limit(st: &mut Store, r: &Req) -> R {
    let org = org_id_checked(st, r)?;
    let o = st.org_mut(&org).unwrap();
    match r.op.operation_id.as_str() {
        "setOrganizationSpendingLimit" => {
            o.spending_limit_cents = r.body["spending_limit_cents"].as_i64();
            ok(json!({"spending_limit_cents": o.spending_limit_cents}))
        }
        "deleteOrganizationSpendingLimit" => {
            o.spending_limit_cents = None;
            ok(json!({}))
        }
        _ => ok(json!({"spending_limit_cents": o.spending_limit_cents})),
    }
}

fn current_user(r: &Req) -> R {
    let s = spec::spec();
    let op = r.op;
    let mut v = s.synth_success(op).unwrap_or_else(|| json!({}));
    v["id"] = json!(OWNER_ID);
    v["email"] = json!(USER_EMAIL);
    v["login"] = json!("neonkit-dev");
    v["name"] = json!("Neonkit");
    v["last_name"] = json!("Developer");
    v["image"] = json!("");
    v["plan"] = json!("launch");
    v["projects_limit"] = json!(100);
    v["branches_limit"] = json!(5000);
    v["max_autoscaling_limit"] = json!(16);
    v["active_seconds_limit"] = json!(0);
    v["auth_accounts"] = json!([{
        "email": USER_EMAIL, "image": "", "login": "neonkit-dev", "name": USER_NAME, "provider": "github",
    }]);
    if s.validate(op.success_schema.as_ref().unwrap(), &v).is_err() {
        v = s.synth_success(op).unwrap_or_else(|| json!({}));
    }
    ok(v)
}

// ------------------------------------------------------------------ snapshots

fn create_snapshot(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let id = format!("snap-{}", util::neon_name(&mut *rng(inner)));
    let p = project_mut(st, r)?;
    let bid = r.pp("branch_id").to_string();
    branch_of(p, &bid)?;
    check_lock(p, r)?;
    let lsn = r.q("lsn").map(String::from).unwrap_or_else(|| p.next_lsn());
    let source = p.branch(&bid).unwrap();
    let snap = Snapshot {
        id: id.clone(),
        name: r.q("name").map(String::from).unwrap_or_else(|| format!("{bid}-snapshot")),
        source_branch_id: bid.clone(),
        lsn,
        created_at: crate::clock::now(),
        expires_at: r.q("expires_at").map(String::from),
        databases: source.databases.clone(),
        roles: source.roles.clone(),
        logical_size: source.logical_size,
    };
    // the snapshot's own copy, owned by roles that cannot log in
    let keepers: Vec<Role> = snap.roles.iter().map(|x| Role { no_login: true, ..x.clone() }).collect();
    inner.backing().copy(&bid, &snap.databases, &snap.roles, &snap.id, &keepers)?;
    let v = snap.render();
    p.snapshots.push(snap);
    let ops = new_ops(inner, p, r, &[("create_branch", Some(bid), None)]);
    ok(json!({"snapshot": v, "operations": ops}))
}

fn delete_snapshot(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("snapshot_id");
    let i = p.snapshots.iter().position(|x| x.id == id).ok_or_else(|| not_found(&format!("snapshot {id:?}")))?;
    check_lock(p, r)?;
    let snap = &p.snapshots[i];
    inner.backing().drop_all(&snap.id, &snap.databases, &snap.roles)?;
    let snap = p.snapshots.remove(i);
    let ops = new_ops(inner, p, r, &[("delete_timeline", Some(snap.source_branch_id), None)]);
    Ok(Reply::Json(None, json!({"operations": ops})))
}

fn update_snapshot(st: &mut Store, r: &Req) -> R {
    let p = project_mut(st, r)?;
    let id = r.pp("snapshot_id");
    let snap = p.snapshots.iter_mut().find(|x| x.id == id).ok_or_else(|| not_found(&format!("snapshot {id:?}")))?;
    if let Some(n) = s(body_obj(r, "snapshot"), "name") {
        snap.name = n.to_string();
    }
    ok(json!({"snapshot": snap.render()}))
}

// ------------------------------------------------------------------ generic fallback

fn concrete_path(r: &Req) -> String {
    let mut out = String::new();
    for seg in r.op.path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if seg.starts_with('{') {
            let name = seg.trim_matches(|c| c == '{' || c == '}');
            out.push_str(r.pp(name));
        } else {
            out.push_str(seg);
        }
    }
    out
}

/// Whether some operation of the spec creates items of the collection at `coll`
/// (a path template).
fn has_creator(coll_template: &str, item_template: &str) -> bool {
    spec::spec()
        .ops
        .iter()
        .any(|o| (o.method == "POST" && o.path == coll_template) || ((o.method == "POST" || o.method == "PUT") && o.path == item_template))
}

/// Copies the request's fields into the response where the response's schema takes them.
fn overlay(s: &spec::Spec, schema: &Value, resp: &mut Value, body: &Value) {
    let sch = s.deref(schema);
    let (Some(robj), Some(bobj)) = (resp.as_object_mut(), body.as_object()) else { return };
    let props = collect_props(s, sch);
    // wrapped shape: response {thing: {...}} for a body {...}
    if robj.len() == 1 && !bobj.contains_key(robj.keys().next().unwrap()) {
        let k = robj.keys().next().unwrap().clone();
        if robj[&k].is_object() {
            if let Some(ps) = props.get(&k) {
                let ps = ps.clone();
                overlay(s, &ps, robj.get_mut(&k).unwrap(), body);
                return;
            }
        }
    }
    for (k, bv) in bobj {
        if let Some(ps) = props.get(k) {
            if let (Some(rv), true) = (robj.get_mut(k), bv.is_object()) {
                if rv.is_object() {
                    let ps = ps.clone();
                    overlay(s, &ps, rv, bv);
                    continue;
                }
            }
            if s.validate(ps, bv).is_ok() {
                robj.insert(k.clone(), bv.clone());
            }
        }
    }
}

fn collect_props(s: &spec::Spec, sch: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let sch = s.deref(sch);
    if let Some(all) = sch.get("allOf").and_then(|a| a.as_array()) {
        for p in all {
            out.extend(collect_props(s, p));
        }
    }
    if let Some(p) = sch.get("properties").and_then(|p| p.as_object()) {
        for (k, v) in p {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The stored item inside a response: the response itself or its single wrapped object.
fn item_of(v: &Value) -> &Value {
    if let Some(o) = v.as_object() {
        if o.len() == 1 {
            let inner = o.values().next().unwrap();
            if inner.is_object() {
                return inner;
            }
        }
    }
    v
}

fn item_id(item: &Value, body: &Value) -> Option<String> {
    for k in ["id", "slug", "name", "key", "domain"] {
        if let Some(v) = item.get(k) {
            if let Some(s) = v.as_str() {
                return Some(s.to_string());
            }
            if v.is_number() {
                return Some(v.to_string());
            }
        }
    }
    for k in ["name", "slug", "domain", "id", "key"] {
        if let Some(v) = body.get(k).and_then(|v| v.as_str()) {
            return Some(v.to_string());
        }
    }
    None
}

fn generic(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let s = spec::spec();
    let op = r.op;
    if r.p("project_id").is_some() {
        let p = project(st, r)?;
        if let Some(bid) = r.p("branch_id") {
            branch_of(p, bid)?;
        }
        if let Some(db) = r.p("database_name") {
            let b = branch_of(p, r.pp("branch_id"))?;
            if !b.databases.iter().any(|d| d.name == db) {
                return Err(not_found(&format!("database {db:?}")));
            }
        }
    }
    if r.p("org_id").is_some() || r.p("source_org_id").is_some() {
        org_id_checked(st, r)?;
    }
    if op.success_content_type.as_deref() == Some("application/octet-stream") {
        return item_lookup(st, r).map(|_| Reply::Bytes("application/octet-stream", Vec::new()));
    }
    let schema = op.success_schema.clone();
    let base = s.synth_success(op);
    let concrete = concrete_path(r);
    let ends_with_param = op.path.ends_with('}');
    let (coll, item_key) = if ends_with_param {
        let (c, k) = concrete.rsplit_once('/').unwrap();
        (c.to_string(), Some(k.to_string()))
    } else {
        (concrete.clone(), None)
    };
    let coll_template = op.path.rsplit_once('/').map(|(c, _)| c.to_string()).unwrap_or_default();
    let fill = |mut v: Value, body: &Value| -> Value {
        if let Some(sch) = &schema {
            let before = v.clone();
            overlay(s, sch, &mut v, body);
            if s.validate(sch, &v).is_err() {
                v = before;
            }
        }
        v
    };
    match (op.method.as_str(), item_key) {
        // Create in a collection, or set a singleton.
        ("POST" | "PUT" | "PATCH", None) => {
            let mut v = base.clone().map(|b| fill(b, &r.body));
            if op.method != "POST" || has_singleton_reader(op) {
                // singletons (configs): merge into what is stored
                let stored = st.singletons.entry(concrete.clone()).or_insert_with(|| json!({}));
                if let (Some(so), Some(bo)) = (stored.as_object_mut(), r.body.as_object()) {
                    for (k, x) in bo {
                        so.insert(k.clone(), x.clone());
                    }
                }
                let merged = stored.clone();
                v = base.clone().map(|b| fill(b, &merged));
            }
            if op.method == "POST" {
                if let Some(resp) = v.as_mut() {
                    let gen = util::uuid(&mut *rng(inner));
                    let item = item_of_mut(resp);
                    let pname = item_param_name(&op.path);
                    for k in [pname.as_deref().unwrap_or("id"), "id"] {
                        if let Some(idv) = item.get_mut(k) {
                            if idv.as_str().map(|x| x == "id-1" || x == "00000000-0000-4000-8000-000000000000").unwrap_or(false) {
                                *idv = json!(gen);
                            }
                        }
                    }
                    let id = pname
                        .as_deref()
                        .and_then(|k| item.get(k).or_else(|| r.body.get(k)))
                        .and_then(|v| v.as_str().map(String::from))
                        .or_else(|| item_id(item, &r.body))
                        .unwrap_or(gen);
                    let coll_map = st.collections.entry(concrete.clone()).or_default();
                    if coll_map.contains_key(&id) && r.body.get("name").is_some() {
                        return Err(conflict(format!("{id:?} already exists")));
                    }
                    coll_map.insert(id, item.clone());
                } else {
                    let id = item_id(&r.body, &r.body).unwrap_or_else(|| util::uuid(&mut *rng(inner)));
                    st.collections.entry(concrete.clone()).or_default().insert(id, r.body.clone());
                }
            }
            Ok(match v {
                Some(v) => Reply::Json(None, v),
                None => Reply::Empty(None),
            })
        }
        // Delete from a collection-less path (e.g. a body naming the item).
        ("DELETE", None) => {
            if let Some(id) = item_id(&r.body, &r.body) {
                if let Some(c) = st.collections.get_mut(&concrete) {
                    c.remove(&id);
                }
            }
            st.singletons.remove(&concrete);
            Ok(match base {
                Some(v) => Reply::Json(None, v),
                None => Reply::Empty(None),
            })
        }
        // Read a singleton or a list.
        ("GET", None) => {
            let Some(mut v) = base else { return Ok(Reply::Empty(None)) };
            let sch = schema.clone().unwrap();
            if let Some(stored) = st.singletons.get(&concrete) {
                let mut c = v.clone();
                overlay(s, &sch, &mut c, stored);
                if s.validate(&sch, &c).is_ok() {
                    v = c;
                }
            }
            if let Some(items) = st.collections.get(&concrete) {
                fill_list(s, &sch, &mut v, items.values());
            }
            ok(v)
        }
        (_, None) => Ok(match base {
            Some(v) => Reply::Json(None, v),
            None => Reply::Empty(None),
        }),
        // Item paths.
        (method, Some(key)) => {
            let exists = st.collections.get(&coll).map(|c| c.contains_key(&key)).unwrap_or(false);
            let item_template = op.path.clone();
            if method == "POST" || method == "PUT" {
                let v = base.clone().map(|b| fill(b, &r.body));
                let stored = v.as_ref().map(|x| item_of(x).clone()).unwrap_or_else(|| r.body.clone());
                if method == "PUT" || !exists {
                    st.collections.entry(coll.clone()).or_default().insert(key, stored);
                }
                return Ok(match v {
                    Some(v) => Reply::Json(None, v),
                    None => Reply::Empty(None),
                });
            }
            if !exists && has_creator(&coll_template, &item_template) {
                return Err(not_found(&format!("{} {key:?}", coll_template.rsplit('/').next().unwrap_or("item"))));
            }
            let stored = st.collections.get(&coll).and_then(|c| c.get(&key)).cloned();
            let mut v = base.clone();
            if let (Some(v), Some(stored)) = (v.as_mut(), stored.as_ref()) {
                let sch = schema.clone().unwrap();
                let mut c = v.clone();
                overlay(s, &sch, &mut c, stored);
                if s.validate(&sch, &c).is_ok() {
                    *v = c;
                }
            }
            if method == "PATCH" {
                if let Some(vv) = v.clone() {
                    let nv = fill(vv, &r.body);
                    if let Some(c) = st.collections.get_mut(&coll) {
                        c.insert(key.clone(), item_of(&nv).clone());
                    }
                    v = Some(nv);
                }
            }
            if method == "DELETE" {
                if let Some(c) = st.collections.get_mut(&coll) {
                    c.remove(&key);
                }
            }
            Ok(match v {
                Some(v) => Reply::Json(None, v),
                None => Reply::Empty(None),
            })
        }
    }
}

/// The name of the path parameter that addresses items of the collection at `coll_template`.
fn item_param_name(coll_template: &str) -> Option<String> {
    let prefix = format!("{coll_template}/{{");
    spec::spec().ops.iter().find_map(|o| {
        let rest = o.path.strip_prefix(&prefix)?;
        let name = rest.split('}').next()?;
        Some(name.to_string())
    })
}

fn item_of_mut(v: &mut Value) -> &mut Value {
    let wrapped = v.as_object().map(|o| o.len() == 1 && o.values().next().unwrap().is_object()).unwrap_or(false);
    if wrapped {
        return v.as_object_mut().unwrap().values_mut().next().unwrap();
    }
    v
}

/// Whether a GET on the same path reads what this POST/PUT/PATCH writes.
fn has_singleton_reader(op: &Op) -> bool {
    spec::spec().ops.iter().any(|o| o.method == "GET" && o.path == op.path && o.success_schema == op.success_schema)
}

fn item_lookup(st: &Store, r: &Req) -> Result<(), ApiError> {
    let _ = (st, r);
    Ok(())
}

/// Puts stored items into the first array of a list response whose item schema takes them.
fn fill_list<'a>(s: &spec::Spec, schema: &Value, v: &mut Value, items: impl Iterator<Item = &'a Value>) {
    let items: Vec<&Value> = items.collect();
    if items.is_empty() {
        return;
    }
    let props = collect_props(s, schema);
    let Some(obj) = v.as_object_mut() else {
        if v.is_array() {
            let sch = s.deref(schema);
            if let Some(is) = sch.get("items") {
                let ok: Vec<Value> = items.iter().filter(|i| s.validate(is, i).is_ok()).map(|i| (*i).clone()).collect();
                *v = Value::Array(ok);
            }
        }
        return;
    };
    for (k, ps) in props {
        let ps = s.deref(&ps);
        if ps.get("type").and_then(|t| t.as_str()) == Some("array") {
            if let Some(is) = ps.get("items") {
                let ok: Vec<Value> = items.iter().filter(|i| s.validate(is, i).is_ok()).map(|i| (*i).clone()).collect();
                if !ok.is_empty() {
                    obj.insert(k.clone(), Value::Array(ok));
                    return;
                }
            }
        }
    }
}
