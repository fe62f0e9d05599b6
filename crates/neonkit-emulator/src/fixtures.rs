//! Fixtures: projects with their branches, databases, roles, endpoints and
//! operations seeded from JSON (`POST /_emulator/fixtures`, every testing helper's
//! `seed`), in the API's own field names, with any time in the past.
//!
//! ```json
//! {"projects": [{
//!   "name": "shop", "created_at": "2026-09-01T00:00:00Z",
//!   "branches": [
//!     {"name": "main"},
//!     {"name": "preview/pr-7", "parent_id": "main", "created_at": "2026-10-20T00:00:00Z"}
//!   ],
//!   "operations": [{"action": "create_branch", "branch_id": "preview/pr-7", "status": "finished"}]
//! }]}
//! ```
//!
//! Each object is checked against the spec's schema of its kind (`Project`, `Branch`,
//! `Database`, `Role`, `Endpoint`, `Operation`): a field the schema does not have, one
//! the emulator computes (a project's `cpu_used_sec`, a branch's `current_state`), a
//! value of the wrong type or format, a reference to nothing is refused with the
//! path of the field (`$.projects[0].branches[1].created_at: …`), and then nothing
//! of the fixture is applied. What a fixture leaves out is what the API would make:
//! ids in Neon's formats, a project's default branch `main` with `neondb` owned by
//! `neondb_owner`, a root branch's database and role the same, a child branch its
//! parent's (with `--postgres`, a copy of the parent's data), one read-write endpoint
//! per branch (`"endpoints": []` for none), passwords, the clock's time for
//! `created_at`, `created_at` for `updated_at`. A branch's `parent_id` and an
//! operation's `branch_id` / `endpoint_id` may name an earlier branch (endpoint) of
//! the same project by id or by name.

use crate::server::Inner;
use crate::spec;
use crate::state::{Branch, Database, Endpoint, OpRec, Project, Role, Store, DEFAULT_REGION, REGIONS};
use crate::util::{self, parse_rfc3339};
use rand::rngs::StdRng;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant, SystemTime};

type Res<T> = Result<T, String>;

/// What each kind accepts, besides what it nests: the fields of its schema that a
/// fixture may set. The schema's other fields are the emulator's to compute.
const PROJECT_FIELDS: &[&str] = &[
    "id",
    "name",
    "region_id",
    "pg_version",
    "provisioner",
    "store_passwords",
    "history_retention_seconds",
    "settings",
    "default_endpoint_settings",
    "org_id",
    "created_at",
    "updated_at",
];
const BRANCH_FIELDS: &[&str] = &[
    "id",
    "name",
    "parent_id",
    "parent_lsn",
    "parent_timestamp",
    "default",
    "protected",
    "expires_at",
    "init_source",
    "logical_size",
    "created_at",
    "updated_at",
];
const DATABASE_FIELDS: &[&str] = &["id", "name", "owner_name", "created_at", "updated_at"];
const ROLE_FIELDS: &[&str] = &["name", "password", "protected", "created_at", "updated_at"];
const ENDPOINT_FIELDS: &[&str] = &[
    "id",
    "name",
    "type",
    "autoscaling_limit_min_cu",
    "autoscaling_limit_max_cu",
    "suspend_timeout_seconds",
    "pooler_enabled",
    "disabled",
    "passwordless_access",
    "provisioner",
    "settings",
    "current_state",
    "created_at",
    "updated_at",
];
const OPERATION_FIELDS: &[&str] = &["id", "branch_id", "endpoint_id", "action", "status", "error", "created_at", "total_duration_ms"];

/// Fields that name another object of the fixture, by id or by name.
const REFERENCES: &[&str] = &["parent_id", "branch_id", "endpoint_id"];

/// An object of the fixture at `at`, checked against `schema`'s properties.
struct Obj<'a> {
    at: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    fn new(at: String, v: &'a Value, schema: &str, fields: &[&str], nested: &[&str]) -> Res<Obj<'a>> {
        let Some(map) = v.as_object() else { return Err(format!("{at}: expected a {schema} object, got {}", kind_of(v))) };
        let s = spec::spec();
        for (k, value) in map {
            let path = format!("{at}.{k}");
            if nested.contains(&k.as_str()) {
                continue;
            }
            let Some(prop) = property(schema, k) else {
                return Err(format!("{path}: {schema} has no field {k:?}"));
            };
            if !fields.contains(&k.as_str()) {
                return Err(format!("{path}: the emulator computes a {schema}'s {k}; leave it out"));
            }
            // a reference may name a branch (endpoint) instead of giving its id: it is
            // checked by what it finds, not by the id's pattern
            if REFERENCES.contains(&k.as_str()) {
                if !value.is_string() {
                    return Err(format!("{path}: expected the id or name of an earlier one, got {}", kind_of(value)));
                }
                continue;
            }
            s.validate_at(prop, value, &path)?;
        }
        Ok(Obj { at, map })
    }
    fn str(&self, k: &str) -> Option<&'a str> {
        self.map.get(k).and_then(|v| v.as_str())
    }
    fn bool(&self, k: &str) -> Option<bool> {
        self.map.get(k).and_then(|v| v.as_bool())
    }
    fn i64(&self, k: &str) -> Option<i64> {
        self.map.get(k).and_then(|v| v.as_i64())
    }
    fn f64(&self, k: &str) -> Option<f64> {
        self.map.get(k).and_then(|v| v.as_f64())
    }
    fn time(&self, k: &str) -> Res<Option<SystemTime>> {
        match self.str(k) {
            None => Ok(None),
            Some(t) => parse_rfc3339(t).map(Some).ok_or_else(|| format!("{}.{k}: not an RFC 3339 date-time: {t:?}", self.at)),
        }
    }
    /// `created_at` (default: the clock's now) and `updated_at` (default: `created_at`).
    fn times(&self) -> Res<(SystemTime, SystemTime)> {
        self.times_or(crate::clock::now())
    }
    /// `created_at` (default: `default`) and `updated_at` (default: `created_at`).
    fn times_or(&self, default: SystemTime) -> Res<(SystemTime, SystemTime)> {
        let created = self.time("created_at")?.unwrap_or(default);
        let updated = self.time("updated_at")?.unwrap_or(created);
        if updated < created {
            return Err(format!("{}.updated_at: before created_at", self.at));
        }
        Ok((created, updated))
    }
    /// The array nested under `k` (`None` when left out).
    fn list(&self, k: &str) -> Res<Option<&'a Vec<Value>>> {
        match self.map.get(k) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(format!("{}.{k}: expected an array, got {}", self.at, kind_of(other))),
        }
    }
    fn err(&self, k: &str, m: impl std::fmt::Display) -> String {
        format!("{}.{k}: {m}", self.at)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The schema of `schema`'s property `name` (its `allOf` parts included).
fn property(schema: &str, name: &str) -> Option<&'static Value> {
    fn find<'s>(s: &'s spec::Spec, v: &'s Value, name: &str) -> Option<&'s Value> {
        let v = s.deref(v);
        if let Some(p) = v.get("properties").and_then(|p| p.get(name)) {
            return Some(p);
        }
        v.get("allOf").and_then(|a| a.as_array())?.iter().find_map(|part| find(s, part, name))
    }
    let s = spec::spec();
    find(s, s.schema(schema), name)
}

/// A project being built, with what the backing must then make.
struct Seeded {
    project: Project,
    /// Branch ids in fixture order, and whether each copies its parent's databases.
    copies: Vec<(String, Option<String>)>,
}

/// Applies a fixture to the store: everything or nothing. Returns the ids it gave
/// (`{"projects": [{"id", "name", "branches": [{"id", "name", "endpoint_ids": [...]}]}]}`).
pub fn seed(inner: &Inner, fixture: &Value) -> Res<Value> {
    let _clock = inner.clock.enter();
    let Some(top) = fixture.as_object() else {
        return Err(format!("$: expected a fixture object, got {}", kind_of(fixture)));
    };
    if let Some(k) = top.keys().find(|k| k.as_str() != "projects") {
        return Err(format!("$.{k}: a fixture has no field {k:?} (it holds \"projects\")"));
    }
    let projects = match top.get("projects") {
        None => return Ok(json!({"projects": []})),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(format!("$.projects: expected an array, got {}", kind_of(other))),
    };
    // lock order everywhere: store, then rng
    let mut st = inner.store();
    let mut built: Vec<Seeded> = Vec::new();
    {
        let mut rng = inner.rng.lock().unwrap_or_else(|e| e.into_inner());
        for (i, p) in projects.iter().enumerate() {
            let at = format!("$.projects[{i}]");
            let seeded = project(&mut st, &mut rng, &built, at, p, inner.dyn_cfg().operation_duration)?;
            built.push(seeded);
        }
    }
    // the databases and roles behind them; a failure undoes what was made
    let backing = inner.backing();
    let mut made: Vec<&Branch> = Vec::new();
    for s in &built {
        for (id, copy_of) in &s.copies {
            let b = s.project.branch(id).expect("a seeded branch");
            let step = match copy_of.as_deref().and_then(|pid| s.project.branch(pid)) {
                Some(parent) => backing.copy(&parent.id, &parent.databases, &parent.roles, &b.id, &b.roles),
                None => b
                    .roles
                    .iter()
                    .try_for_each(|r| backing.create_role(&b.id, r))
                    .and_then(|_| b.databases.iter().try_for_each(|d| backing.create_database(&b.id, d))),
            };
            if let Err(e) = step {
                for done in made.iter().rev().chain(std::iter::once(&b)) {
                    let _ = backing.drop_all(&done.id, &done.databases, &done.roles);
                }
                return Err(format!("{}: {}", s.project.id, e.0));
            }
            made.push(b);
        }
    }
    let mut out = Vec::new();
    for s in built {
        let p = s.project;
        out.push(json!({
            "id": p.id,
            "name": p.name,
            "branches": p.branches.iter().map(|b| json!({
                "id": b.id,
                "name": b.name,
                "endpoint_ids": p.endpoints.iter().filter(|e| e.branch_id == b.id).map(|e| e.id.clone()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
        st.project_seq += 1;
        let mut p = p;
        p.seq = st.project_seq;
        st.projects.insert(p.id.clone(), p);
    }
    drop(st);
    inner.changed();
    Ok(json!({ "projects": out }))
}

fn project(st: &mut Store, rng: &mut StdRng, earlier: &[Seeded], at: String, v: &Value, op_duration: Duration) -> Res<Seeded> {
    let o = Obj::new(at, v, "Project", PROJECT_FIELDS, &["branches", "operations"])?;
    let id = match o.str("id") {
        Some(id) => {
            if !spec::is_id(id, 60) || id.starts_with("br-") || id.starts_with("ep-") {
                return Err(o.err("id", format!("{id:?} is not a project id (lowercase letters, digits and dashes)")));
            }
            if st.projects.contains_key(id) || earlier.iter().any(|s| s.project.id == id) {
                return Err(o.err("id", format!("a project {id:?} exists already")));
            }
            id.to_string()
        }
        None => util::neon_name(rng),
    };
    let region_id = o.str("region_id").unwrap_or(DEFAULT_REGION).to_string();
    if !REGIONS.iter().any(|(r, ..)| *r == region_id) {
        let known: Vec<&str> = REGIONS.iter().map(|(r, ..)| *r).collect();
        return Err(o.err("region_id", format!("{region_id:?} is not a region the emulator has ({})", known.join(", "))));
    }
    let org_id = match o.str("org_id") {
        Some(org) if st.org(org).is_none() => return Err(o.err("org_id", format!("no organization {org:?}"))),
        Some(org) => org.to_string(),
        None => st.default_org().id.clone(),
    };
    let (created, updated) = o.times()?;
    let mut des = o.map.get("default_endpoint_settings").cloned().unwrap_or_else(|| json!({}));
    if let Some(m) = des.as_object_mut() {
        m.entry("autoscaling_limit_min_cu").or_insert(json!(0.25));
        let min = m["autoscaling_limit_min_cu"].as_f64().unwrap_or(0.25);
        m.entry("autoscaling_limit_max_cu").or_insert(json!(min.max(0.25)));
        m.entry("suspend_timeout_seconds").or_insert(json!(0));
    }
    let mut p = Project {
        name: o.str("name").unwrap_or(&id).to_string(),
        id,
        seq: 0,
        region_id,
        pg_version: o.i64("pg_version").unwrap_or(17),
        provisioner: o.str("provisioner").unwrap_or("k8s-neonvm").to_string(),
        store_passwords: o.bool("store_passwords").unwrap_or(true),
        history_retention_seconds: o.i64("history_retention_seconds").unwrap_or(86_400),
        settings: o.map.get("settings").cloned().unwrap_or_else(|| {
            json!({"allowed_ips": {"ips": [], "protected_branches_only": false}, "enable_logical_replication": false, "block_public_connections": false, "block_vpc_connections": false})
        }),
        default_endpoint_settings: des,
        org_id,
        created_at: created,
        updated_at: updated,
        deleted_at: None,
        branches: Vec::new(),
        endpoints: Vec::new(),
        operations: Vec::new(),
        snapshots: Vec::new(),
        permissions: Vec::new(),
        jwks: Vec::new(),
        lsn: 0x14E_DAC8,
    };
    let default_main = [json!({"name": "main"})];
    let branches: &[Value] = match o.list("branches")? {
        Some(b) if !b.is_empty() => b,
        Some(_) => return Err(format!("{}.branches: a project has at least one branch (leave it out for `main`)", o.at)),
        None => &default_main,
    };
    let mut copies = Vec::new();
    for (j, b) in branches.iter().enumerate() {
        let copy_of = branch(st, rng, &mut p, format!("{}.branches[{j}]", o.at), b)?;
        copies.push((p.branches.last().unwrap().id.clone(), copy_of));
    }
    if !p.branches.iter().any(|b| b.default) {
        p.branches[0].default = true;
    }
    if let Some(ops) = o.list("operations")? {
        for (j, op) in ops.iter().enumerate() {
            operation(rng, &mut p, format!("{}.operations[{j}]", o.at), op, op_duration)?;
        }
    }
    Ok(Seeded { project: p, copies })
}

/// Adds a branch; returns the parent whose databases it copies, if it does.
fn branch(st: &mut Store, rng: &mut StdRng, p: &mut Project, at: String, v: &Value) -> Res<Option<String>> {
    let o = Obj::new(at, v, "Branch", BRANCH_FIELDS, &["databases", "roles", "endpoints"])?;
    let id = match o.str("id") {
        Some(id) if !id.starts_with("br-") || !spec::is_id(id, 60) => {
            return Err(o.err("id", format!("{id:?} is not a branch id (br-, then lowercase letters, digits and dashes)")))
        }
        Some(id) if p.branches.iter().any(|b| b.id == id) => return Err(o.err("id", format!("a branch {id:?} comes earlier"))),
        Some(id) => id.to_string(),
        None => format!("br-{}", util::neon_name(rng)),
    };
    let name = o.str("name").unwrap_or(&id).to_string();
    if p.branches.iter().any(|b| b.name == name) {
        return Err(o.err("name", format!("a branch named {name:?} comes earlier in this project")));
    }
    let parent = match o.str("parent_id") {
        None => None,
        Some(pid) => Some(
            p.branches
                .iter()
                .find(|b| b.id == pid || b.name == pid)
                .ok_or_else(|| o.err("parent_id", format!("no earlier branch of this project has the id or name {pid:?}")))?
                .clone(),
        ),
    };
    let default = o.bool("default").unwrap_or(false);
    if default && p.branches.iter().any(|b| b.default) {
        return Err(o.err("default", "another branch of this project is its default"));
    }
    // a root branch is as old as its project (made with it), a child one is new
    let (created, updated) = if parent.is_some() { o.times()? } else { o.times_or(p.created_at)? };
    if created < p.created_at {
        return Err(o.err("created_at", "before its project was created"));
    }
    if let Some(parent) = &parent {
        if created < parent.created_at {
            return Err(o.err("created_at", format!("before its parent {:?} was created", parent.name)));
        }
    }
    let (dbs_given, roles_given) = (o.list("databases")?, o.list("roles")?);
    let inherits = parent.is_some() && dbs_given.is_none() && roles_given.is_none();
    let (databases, roles) = match &parent {
        Some(parent) if inherits => {
            let dbs = parent.databases.iter().map(|d| Database { created_at: created, updated_at: created, ..d.clone() }).collect();
            (dbs, parent.roles.clone())
        }
        _ => {
            let mut roles = Vec::new();
            let default_role = [json!({"name": "neondb_owner"})];
            for (k, r) in roles_given.map(|r| r.as_slice()).unwrap_or(&default_role).iter().enumerate() {
                let ro = Obj::new(format!("{}.roles[{k}]", o.at), r, "Role", ROLE_FIELDS, &[])?;
                let rname = ro.str("name").ok_or_else(|| format!("{}: a role needs a name", ro.at))?;
                if roles.iter().any(|x: &Role| x.name == rname) {
                    return Err(ro.err("name", format!("a role {rname:?} comes earlier on this branch")));
                }
                let (rc, ru) = ro.times_or(created)?;
                roles.push(Role {
                    name: rname.to_string(),
                    password: ro.str("password").map(String::from).unwrap_or_else(|| util::password(rng)),
                    protected: ro.bool("protected").unwrap_or(false),
                    no_login: false,
                    created_at: rc,
                    updated_at: ru,
                });
            }
            let mut dbs = Vec::new();
            let owner = roles.first().map(|r| r.name.clone());
            let default_db = [json!({"name": "neondb"})];
            let db_list = match dbs_given {
                Some(d) => d.as_slice(),
                None if owner.is_some() => &default_db,
                None => &[],
            };
            for (k, d) in db_list.iter().enumerate() {
                let dob = Obj::new(format!("{}.databases[{k}]", o.at), d, "Database", DATABASE_FIELDS, &[])?;
                let dname = dob.str("name").ok_or_else(|| format!("{}: a database needs a name", dob.at))?;
                if dbs.iter().any(|x: &Database| x.name == dname) {
                    return Err(dob.err("name", format!("a database {dname:?} comes earlier on this branch")));
                }
                let owner_name = match dob.str("owner_name").map(String::from).or_else(|| owner.clone()) {
                    Some(n) if roles.iter().any(|r| r.name == n) => n,
                    Some(n) => return Err(dob.err("owner_name", format!("no role {n:?} on this branch"))),
                    None => return Err(format!("{}: a database needs an owner_name (the branch has no roles)", dob.at)),
                };
                let (dc, du) = dob.times_or(created)?;
                st.next_db_id += 1;
                dbs.push(Database {
                    id: dob.i64("id").unwrap_or(st.next_db_id),
                    name: dname.to_string(),
                    owner_name,
                    created_at: dc,
                    updated_at: du,
                });
            }
            (dbs, roles)
        }
    };
    let lsn = p.next_lsn();
    let b = Branch {
        id: id.clone(),
        name,
        parent_id: parent.as_ref().map(|x| x.id.clone()),
        parent_lsn: parent.as_ref().map(|_| o.str("parent_lsn").map(String::from).unwrap_or(lsn)),
        parent_timestamp: parent.as_ref().map(|_| o.str("parent_timestamp").map(String::from).unwrap_or_else(|| util::rfc3339(created))),
        default,
        protected: o.bool("protected").unwrap_or(false),
        expires_at: o.str("expires_at").map(String::from),
        init_source: o.str("init_source").unwrap_or("parent-data").to_string(),
        created_at: created,
        updated_at: updated,
        ready_at: Instant::now(),
        databases,
        roles,
        deleted_at: None,
        restored_from: None,
        logical_size: o.i64("logical_size").or(parent.as_ref().map(|x| x.logical_size)).unwrap_or(30_785_536),
        pending_from: "init",
        last_reset_at: None,
        restore_status: None,
        restored_as: None,
    };
    let default_endpoint = [json!({"type": "read_write"})];
    let eps = o.list("endpoints")?.map(|e| e.as_slice()).unwrap_or(&default_endpoint);
    for (k, e) in eps.iter().enumerate() {
        let ep = endpoint(rng, p, &b, format!("{}.endpoints[{k}]", o.at), e)?;
        p.endpoints.push(ep);
    }
    p.branches.push(b);
    Ok(if inherits { parent.map(|x| x.id) } else { None })
}

fn endpoint(rng: &mut StdRng, p: &Project, b: &Branch, at: String, v: &Value) -> Res<Endpoint> {
    let o = Obj::new(at, v, "Endpoint", ENDPOINT_FIELDS, &[])?;
    let id = match o.str("id") {
        Some(id) if !id.starts_with("ep-") || !spec::is_id(id, 60) => {
            return Err(o.err("id", format!("{id:?} is not an endpoint id (ep-, then lowercase letters, digits and dashes)")))
        }
        Some(id) if p.endpoints.iter().any(|e| e.id == id) => return Err(o.err("id", format!("an endpoint {id:?} comes earlier"))),
        Some(id) => id.to_string(),
        None => format!("ep-{}", util::neon_name(rng)),
    };
    let kind = o.str("type").unwrap_or("read_write");
    if kind == "read_write" && p.endpoints.iter().any(|e| e.branch_id == b.id && e.kind == "read_write") {
        return Err(o.err("type", "a branch has at most one read_write endpoint"));
    }
    let (created, updated) = o.times_or(b.created_at)?;
    let state: &'static str = match o.str("current_state").unwrap_or("idle") {
        "active" => "active",
        "idle" => "idle",
        other => return Err(o.err("current_state", format!("{other:?}: a seeded endpoint is \"active\" or \"idle\""))),
    };
    let des = &p.default_endpoint_settings;
    let min_cu = o.f64("autoscaling_limit_min_cu").or(des["autoscaling_limit_min_cu"].as_f64()).unwrap_or(0.25);
    let max_cu = o.f64("autoscaling_limit_max_cu").or(des["autoscaling_limit_max_cu"].as_f64()).unwrap_or(min_cu.max(2.0));
    if max_cu < min_cu {
        return Err(o.err("autoscaling_limit_max_cu", "below autoscaling_limit_min_cu"));
    }
    Ok(Endpoint {
        id,
        name: o.str("name").map(String::from),
        branch_id: b.id.clone(),
        region_id: p.region_id.clone(),
        kind: kind.to_string(),
        min_cu,
        max_cu,
        suspend_timeout_seconds: o.i64("suspend_timeout_seconds").or(des["suspend_timeout_seconds"].as_i64()).unwrap_or(0),
        pooler_enabled: o.bool("pooler_enabled").unwrap_or(false),
        disabled: o.bool("disabled").unwrap_or(false),
        passwordless_access: o.bool("passwordless_access").unwrap_or(true),
        provisioner: o.str("provisioner").unwrap_or("k8s-neonvm").to_string(),
        settings: o.map.get("settings").cloned().unwrap_or_else(|| json!({})),
        created_at: created,
        updated_at: updated,
        state_from: state,
        state_to: state,
        state_at: Instant::now(),
        started_at: (state == "active").then_some(updated),
        suspended_at: (state == "idle").then_some(updated),
    })
}

fn operation(rng: &mut StdRng, p: &mut Project, at: String, v: &Value, op_duration: Duration) -> Res<()> {
    let o = Obj::new(at, v, "Operation", OPERATION_FIELDS, &[])?;
    let id = match o.str("id") {
        Some(id) if p.operations.iter().any(|x| x.id == id) => return Err(o.err("id", format!("an operation {id:?} comes earlier"))),
        Some(id) => id.to_string(),
        None => util::uuid(rng),
    };
    let action = o.str("action").ok_or_else(|| format!("{}: an operation needs an action", o.at))?;
    let branch_id = match o.str("branch_id") {
        None => None,
        Some(b) => Some(
            p.branches
                .iter()
                .find(|x| x.id == b || x.name == b)
                .map(|x| x.id.clone())
                .ok_or_else(|| o.err("branch_id", format!("no branch of this project has the id or name {b:?}")))?,
        ),
    };
    let endpoint_id = match o.str("endpoint_id") {
        None => None,
        Some(e) => Some(
            p.endpoints
                .iter()
                .find(|x| x.id == e || x.name.as_deref() == Some(e))
                .map(|x| x.id.clone())
                .ok_or_else(|| o.err("endpoint_id", format!("no endpoint of this project has the id or name {e:?}")))?,
        ),
    };
    let status = o.str("status").unwrap_or("finished");
    let ms = o.i64("total_duration_ms").filter(|m| *m >= 0).map(|m| Duration::from_millis(m as u64));
    let now = Instant::now();
    let (duration, started, fail) = match status {
        // over: it started `total_duration_ms` ago (or, where the machine's monotonic
        // clock does not reach back that far, took no time)
        "finished" | "failed" => {
            let d = ms.unwrap_or_default();
            let (d, started) = now.checked_sub(d).map(|s| (d, s)).unwrap_or((Duration::ZERO, now));
            let fail = (status == "failed").then(|| o.str("error").unwrap_or("the operation failed").to_string());
            (d, started, fail)
        }
        // under way: it ends `total_duration_ms` (default: the emulator's operation
        // time) from now; a running one started a quarter of that ago, so that it reads
        // "running" rather than "scheduling"
        "running" | "scheduling" => {
            let d = ms.unwrap_or(op_duration).max(Duration::from_millis(4));
            let started = if status == "running" { now.checked_sub(d / 3).unwrap_or(now) } else { now };
            (d + (now - started), started, None)
        }
        other => {
            return Err(o.err("status", format!("{other:?}: a seeded operation is finished, failed, running or scheduling")));
        }
    };
    if fail.is_none() && o.map.contains_key("error") {
        return Err(o.err("error", "only a failed operation has an error"));
    }
    let created = o.time("created_at")?.unwrap_or_else(crate::clock::now);
    p.operations.push(OpRec {
        id,
        project_id: p.id.clone(),
        branch_id,
        endpoint_id,
        action: crate::state::intern(action.to_string()),
        created_at: created,
        started,
        duration,
        fail,
    });
    Ok(())
}
