//! The in-memory state and how each resource renders as the API's JSON.

use crate::util::{self, rfc3339};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

pub const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("aws-us-east-1", "AWS US East (N. Virginia)", "38.9", "-77.4"),
    ("aws-us-east-2", "AWS US East (Ohio)", "39.96", "-83"),
    ("aws-us-west-2", "AWS US West (Oregon)", "45.5", "-122.6"),
    ("aws-eu-central-1", "AWS Europe (Frankfurt)", "50.1", "8.7"),
    ("aws-eu-west-2", "AWS Europe (London)", "51.5", "-0.1"),
    ("aws-ap-southeast-1", "AWS Asia Pacific (Singapore)", "1.3", "103.8"),
    ("aws-ap-southeast-2", "AWS Asia Pacific (Sydney)", "-33.9", "151.2"),
    ("aws-sa-east-1", "AWS South America (São Paulo)", "-23.5", "-46.6"),
    ("azure-eastus2", "Azure East US 2 (Virginia)", "36.7", "-78.4"),
    ("azure-westus3", "Azure West US 3 (Arizona)", "33.4", "-112.1"),
    ("azure-gwc", "Azure Germany West Central (Frankfurt)", "50.1", "8.7"),
];
/// A state or action name the emulator writes. Spelled as an alias because serde
/// takes a field spelled `&'static str` as one borrowed from the input, which a
/// state file's cannot be.
pub type Label = &'static str;

pub const DEFAULT_REGION: &str = "aws-us-east-2";

/// `aws-us-east-2` → `us-east-2.aws.neon.tech`
pub fn proxy_host(region_id: &str) -> String {
    match region_id.split_once('-') {
        Some((cloud, rest)) => format!("{rest}.{cloud}.neon.tech"),
        None => format!("{region_id}.neon.tech"),
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpRec {
    pub id: String,
    pub project_id: String,
    pub branch_id: Option<String>,
    pub endpoint_id: Option<String>,
    #[serde(with = "static_str")]
    pub action: Label,
    pub created_at: SystemTime,
    #[serde(with = "instant")]
    pub started: Instant,
    pub duration: Duration,
    pub fail: Option<String>,
}

impl OpRec {
    pub fn status(&self, now: Instant) -> &'static str {
        let elapsed = now.saturating_duration_since(self.started);
        if !self.duration.is_zero() && elapsed < self.duration {
            if elapsed < self.duration / 4 {
                return "scheduling";
            }
            return "running";
        }
        if self.fail.is_some() {
            "failed"
        } else {
            "finished"
        }
    }
    pub fn done(&self, now: Instant) -> bool {
        !matches!(self.status(now), "scheduling" | "running")
    }
    pub fn render(&self, now: Instant) -> Value {
        let status = self.status(now);
        let terminal = !matches!(status, "scheduling" | "running");
        let elapsed = now.saturating_duration_since(self.started);
        let dur_ms = if terminal { self.duration.as_millis() } else { elapsed.as_millis() };
        let updated = if terminal { self.created_at + self.duration } else { crate::clock::now() };
        let mut v = json!({
            "id": self.id,
            "project_id": self.project_id,
            "action": self.action,
            "status": status,
            "failures_count": if status == "failed" { 1 } else { 0 },
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(updated),
            "total_duration_ms": dur_ms.min(i32::MAX as u128) as i64,
        });
        if let Some(b) = &self.branch_id {
            v["branch_id"] = json!(b);
        }
        if let Some(e) = &self.endpoint_id {
            v["endpoint_id"] = json!(e);
        }
        if status == "failed" {
            v["error"] = json!(self.fail.clone().unwrap_or_default());
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Database {
    pub id: i64,
    pub name: String,
    pub owner_name: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub password: String,
    pub protected: bool,
    pub no_login: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Branch {
    pub id: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub parent_lsn: Option<String>,
    pub parent_timestamp: Option<String>,
    pub default: bool,
    pub protected: bool,
    pub expires_at: Option<String>,
    pub init_source: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    #[serde(with = "instant")]
    pub ready_at: Instant,
    pub databases: Vec<Database>,
    pub roles: Vec<Role>,
    pub deleted_at: Option<SystemTime>,
    pub restored_from: Option<String>,
    pub logical_size: i64,
    /// What `current_state` reads until `ready_at`: `init` for a new branch,
    /// `resetting` while a restore runs.
    #[serde(with = "static_str")]
    pub pending_from: Label,
    pub last_reset_at: Option<SystemTime>,
    /// `restored` for a snapshot restore made with `finalize_restore: false` (until
    /// finalizeRestoreBranch), then `finalized`.
    #[serde(with = "static_str_opt")]
    pub restore_status: Option<Label>,
    /// The branch a snapshot restore replaces (or replaced), its `restored_as`.
    pub restored_as: Option<String>,
}

impl Branch {
    pub fn render(&self, project_id: &str, now: Instant) -> Value {
        let ready = now >= self.ready_at;
        let mut v = json!({
            "id": self.id,
            "project_id": project_id,
            "name": self.name,
            "current_state": if ready { "ready" } else { self.pending_from },
            "state_changed_at": rfc3339(self.updated_at),
            "logical_size": self.logical_size,
            "creation_source": "console",
            "primary": self.default,
            "default": self.default,
            "protected": self.protected,
            "cpu_used_sec": 0,
            "compute_time_seconds": 0,
            "active_time_seconds": 0,
            "written_data_bytes": 0,
            "data_transfer_bytes": 0,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
            "init_source": self.init_source,
            "created_by": {"name": USER_NAME, "image": ""},
        });
        if !ready {
            v["pending_state"] = json!("ready");
        }
        if let Some(p) = &self.parent_id {
            v["parent_id"] = json!(p);
        }
        if let Some(l) = &self.parent_lsn {
            v["parent_lsn"] = json!(l);
        }
        if let Some(t) = &self.parent_timestamp {
            v["parent_timestamp"] = json!(t);
        }
        if let Some(e) = &self.expires_at {
            v["expires_at"] = json!(e);
        }
        if let Some(r) = &self.restored_from {
            v["restored_from"] = json!(r);
        }
        if let Some(status) = self.restore_status {
            v["restore_status"] = json!(status);
        }
        if let Some(target) = &self.restored_as {
            v["restored_as"] = json!(target);
        }
        if let Some(t) = self.last_reset_at {
            v["last_reset_at"] = json!(rfc3339(t));
        }
        if let Some(d) = self.deleted_at {
            v["recovery"] = json!({
                "deleted_at": rfc3339(d),
                "recoverable_until": rfc3339(d + Duration::from_secs(7 * 86_400)),
                "deletion_method": "user",
            });
        }
        v
    }
}

impl Database {
    pub fn render(&self, branch_id: &str) -> Value {
        json!({
            "id": self.id,
            "branch_id": branch_id,
            "name": self.name,
            "owner_name": self.owner_name,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

impl Role {
    /// `with_password` only where Neon returns it (create, reset).
    pub fn render(&self, branch_id: &str, with_password: bool) -> Value {
        let mut v = json!({
            "branch_id": branch_id,
            "name": self.name,
            "protected": self.protected,
            "authentication_method": if self.no_login { "no_login" } else { "password" },
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        });
        if with_password && !self.no_login {
            v["password"] = json!(self.password);
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub name: Option<String>,
    pub branch_id: String,
    pub region_id: String,
    pub kind: String,
    pub min_cu: f64,
    pub max_cu: f64,
    pub suspend_timeout_seconds: i64,
    pub pooler_enabled: bool,
    pub disabled: bool,
    pub passwordless_access: bool,
    pub provisioner: String,
    pub settings: Value,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// State before the transition, the target, and when the target is reached.
    #[serde(with = "static_str")]
    pub state_from: Label,
    #[serde(with = "static_str")]
    pub state_to: Label,
    #[serde(with = "instant")]
    pub state_at: Instant,
    pub started_at: Option<SystemTime>,
    pub suspended_at: Option<SystemTime>,
}

impl Endpoint {
    pub fn state(&self, now: Instant) -> (&'static str, Option<&'static str>) {
        if now >= self.state_at {
            (self.state_to, None)
        } else {
            (self.state_from, Some(self.state_to))
        }
    }
    pub fn host(&self) -> String {
        format!("{}.{}", self.id, proxy_host(&self.region_id))
    }
    pub fn pooler_host(&self) -> String {
        format!("{}-pooler.{}", self.id, proxy_host(&self.region_id))
    }
    pub fn render(&self, project_id: &str, now: Instant) -> Value {
        let (cur, pending) = self.state(now);
        let mut v = json!({
            "host": self.host(),
            "id": self.id,
            "project_id": project_id,
            "branch_id": self.branch_id,
            "autoscaling_limit_min_cu": self.min_cu,
            "autoscaling_limit_max_cu": self.max_cu,
            "region_id": self.region_id,
            "type": self.kind,
            "current_state": cur,
            "settings": self.settings,
            "pooler_enabled": self.pooler_enabled,
            "pooler_mode": "transaction",
            "disabled": self.disabled,
            "passwordless_access": self.passwordless_access,
            "creation_source": "console",
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
            "proxy_host": proxy_host(&self.region_id),
            "suspend_timeout_seconds": self.suspend_timeout_seconds,
            "provisioner": self.provisioner,
            "compute_release_version": "8000",
        });
        if let Some(p) = pending {
            v["pending_state"] = json!(p);
        }
        if let Some(n) = &self.name {
            v["name"] = json!(n);
        }
        if let Some(t) = self.started_at {
            v["started_at"] = json!(rfc3339(t));
            v["last_active"] = json!(rfc3339(t));
        }
        if let Some(t) = self.suspended_at {
            v["suspended_at"] = json!(rfc3339(t));
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub id: String,
    pub name: String,
    pub source_branch_id: String,
    pub lsn: String,
    pub created_at: SystemTime,
    pub expires_at: Option<String>,
    /// The source branch's data when the snapshot was taken: what a restore brings back.
    pub databases: Vec<Database>,
    pub roles: Vec<Role>,
    pub logical_size: i64,
}

impl Snapshot {
    pub fn render(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "lsn": self.lsn,
            "timestamp": rfc3339(self.created_at),
            "source_branch_id": self.source_branch_id,
            "created_at": rfc3339(self.created_at),
            "manual": true,
            "full_size": 0,
            "diff_size": 0,
        });
        if let Some(e) = &self.expires_at {
            v["expires_at"] = json!(e);
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub seq: u64,
    pub name: String,
    pub region_id: String,
    pub pg_version: i64,
    pub provisioner: String,
    pub store_passwords: bool,
    pub history_retention_seconds: i64,
    pub settings: Value,
    pub default_endpoint_settings: Value,
    pub org_id: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub deleted_at: Option<SystemTime>,
    pub branches: Vec<Branch>,
    pub endpoints: Vec<Endpoint>,
    pub operations: Vec<OpRec>,
    pub snapshots: Vec<Snapshot>,
    pub permissions: Vec<Value>,
    pub jwks: Vec<Value>,
    pub lsn: u64,
}

impl Project {
    pub fn branch(&self, id: &str) -> Option<&Branch> {
        self.branches.iter().find(|b| b.id == id && b.deleted_at.is_none())
    }
    pub fn branch_mut(&mut self, id: &str) -> Option<&mut Branch> {
        self.branches.iter_mut().find(|b| b.id == id && b.deleted_at.is_none())
    }
    pub fn default_branch(&self) -> Option<&Branch> {
        self.branches.iter().find(|b| b.default && b.deleted_at.is_none())
    }
    pub fn next_lsn(&mut self) -> String {
        self.lsn += 0x1A8;
        format!("0/{:X}", self.lsn)
    }
    pub fn busy(&self, now: Instant) -> bool {
        self.operations.iter().any(|o| !o.done(now))
    }

    /// The `Project` schema (getProject, createProject, …).
    pub fn render(&self) -> Value {
        serde_json::to_value(ProjectJson { project: self, shape: ProjectShape::Full }).unwrap_or_default()
    }

    /// The `ProjectListItem` schema (listProjects), serialized straight from the state.
    pub fn list_item<'a>(&'a self, org_name: &'a str) -> ProjectJson<'a> {
        ProjectJson { project: self, shape: ProjectShape::ListItem { org_name } }
    }
}

/// A project as the API renders it, serialized from the state without a `Value` tree: a
/// 400-project list is 400 of these, with nothing built, cloned or dropped per field.
pub struct ProjectJson<'a> {
    project: &'a Project,
    shape: ProjectShape<'a>,
}

enum ProjectShape<'a> {
    Full,
    ListItem { org_name: &'a str },
}

enum Field<'a> {
    Str(&'a str),
    Owned(String),
    Time(SystemTime),
    Int(i64),
    Bool(bool),
    Json(&'a Value),
}

static OWNER: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| json!({"email": USER_EMAIL, "name": USER_NAME, "branches_limit": 5000, "subscription_type": "launch"}));

impl<'a> ProjectJson<'a> {
    /// The fields in a serde_json object's key order (sorted), as every other body has them;
    /// pushed in that order rather than sorted per project (the sort was a sixth of a list's time).
    fn fields(&self) -> Vec<(&'static str, Field<'a>)> {
        use Field::*;
        let p = self.project;
        let full = matches!(self.shape, ProjectShape::Full);
        let list_org = match self.shape {
            ProjectShape::ListItem { org_name } => Some(org_name),
            ProjectShape::Full => None,
        };
        let (period_start, period_end) = if full { util::month_bounds(crate::clock::now()) } else { Default::default() };
        let mut f: Vec<(&'static str, Field<'a>)> = Vec::with_capacity(36);
        if list_org.is_some() {
            f.push(("active_time", Int(0)));
        }
        if full {
            f.push(("active_time_seconds", Int(0)));
        }
        f.push(("branch_logical_size_limit", Int(512)));
        f.push(("branch_logical_size_limit_bytes", Int(536_870_912)));
        if full {
            f.push(("compute_time_seconds", Int(0)));
            f.push(("consumption_period_end", Owned(period_end)));
            f.push(("consumption_period_start", Owned(period_start)));
        }
        f.push(("cpu_used_sec", Int(0)));
        f.push(("created_at", Time(p.created_at)));
        f.push(("creation_source", Str("console")));
        if full {
            f.push(("data_storage_bytes_hour", Int(0)));
            f.push(("data_transfer_bytes", Int(0)));
        }
        f.push(("default_endpoint_settings", Json(&p.default_endpoint_settings)));
        if let Some(d) = p.deleted_at {
            f.push(("deleted_at", Time(d)));
        }
        f.push(("history_retention_seconds", Int(p.history_retention_seconds)));
        f.push(("id", Str(&p.id)));
        f.push(("name", Str(&p.name)));
        f.push(("org_id", Str(&p.org_id)));
        if let Some(org_name) = list_org {
            f.push(("org_name", Str(org_name)));
        }
        if full {
            f.push(("owner", Json(&OWNER)));
        }
        f.push(("owner_id", Str(OWNER_ID)));
        f.push(("pg_version", Int(p.pg_version)));
        f.push(("platform_id", Str(p.region_id.split('-').next().unwrap_or("aws"))));
        f.push(("provisioner", Str(&p.provisioner)));
        f.push(("proxy_host", Owned(proxy_host(&p.region_id))));
        if let Some(d) = p.deleted_at {
            f.push(("recoverable_until", Time(d + Duration::from_secs(7 * 86_400))));
        }
        f.push(("region_id", Str(&p.region_id)));
        f.push(("settings", Json(&p.settings)));
        f.push(("store_passwords", Bool(p.store_passwords)));
        f.push(("synthetic_storage_size", Int(0)));
        f.push(("updated_at", Time(p.updated_at)));
        if full {
            f.push(("written_data_bytes", Int(0)));
        }
        debug_assert!(f.windows(2).all(|w| w[0].0 < w[1].0), "ProjectJson fields out of key order");
        f
    }

    /// Appends the JSON text to `out`, byte for byte what `serde_json::to_vec` gives, without
    /// serde's per-byte escaping of keys and plain strings: the 400-project list is 400 of these.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (k, v)) in self.fields().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // the keys are this file's own literals: nothing in them to escape
            out.push(b'"');
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b"\":");
            match v {
                Field::Str(x) => util::write_json_str(out, x),
                Field::Owned(x) => util::write_json_str(out, x),
                Field::Time(t) => {
                    out.push(b'"');
                    out.extend_from_slice(&util::rfc3339_bytes(*t));
                    out.push(b'"');
                }
                Field::Int(x) => out.extend_from_slice(itoa::Buffer::new().format(*x).as_bytes()),
                Field::Bool(x) => out.extend_from_slice(if *x { b"true" } else { b"false" }),
                Field::Json(x) => util::write_json_value(out, x),
            }
        }
        out.push(b'}');
    }
}

impl serde::Serialize for ProjectJson<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        use Field::*;
        let f = self.fields();
        let mut m = ser.serialize_map(Some(f.len()))?;
        for (k, v) in &f {
            match v {
                Str(x) => m.serialize_entry(k, x)?,
                Owned(x) => m.serialize_entry(k, x)?,
                Time(t) => m.serialize_entry(k, &rfc3339(*t))?,
                Int(x) => m.serialize_entry(k, x)?,
                Bool(x) => m.serialize_entry(k, x)?,
                Json(x) => m.serialize_entry(k, x)?,
            }
        }
        m.end()
    }
}

pub const OWNER_ID: &str = "6b1e2f0a-5b8c-4d6e-9f10-1a2b3c4d5e6f";
pub const USER_EMAIL: &str = "dev@neonkit.invalid";
pub const USER_NAME: &str = "Neonkit Developer";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKeyRec {
    pub id: i64,
    pub name: String,
    #[allow(dead_code)]
    pub token: String,
    pub created_at: SystemTime,
    pub org_id: Option<String>,
    pub project_id: Option<String>,
    pub revoked: bool,
    pub last_used_at: Option<SystemTime>,
}

impl ApiKeyRec {
    pub fn creator() -> Value {
        json!({"id": OWNER_ID, "name": USER_NAME, "image": ""})
    }
    pub fn render_list_item(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "created_at": rfc3339(self.created_at),
            "created_by": Self::creator(),
            "last_used_from_addr": if self.last_used_at.is_some() { "127.0.0.1" } else { "" },
        });
        // null (not left out) for a key never used, as the real API sends it
        v["last_used_at"] = self.last_used_at.map(|t| json!(rfc3339(t))).unwrap_or(Value::Null);
        if let Some(p) = &self.project_id {
            v["project_id"] = json!(p);
        }
        v
    }
    pub fn render_revoked(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "created_at": rfc3339(self.created_at),
            "created_by": OWNER_ID,
            "last_used_from_addr": if self.last_used_at.is_some() { "127.0.0.1" } else { "" },
            "revoked": self.revoked,
        });
        // null (not left out) for a key never used, as the real API sends it
        v["last_used_at"] = self.last_used_at.map(|t| json!(rfc3339(t))).unwrap_or(Value::Null);
        if let Some(p) = &self.project_id {
            v["project_id"] = json!(p);
        }
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub created_at: SystemTime,
    pub members: Vec<Value>,
    pub invitations: Vec<Value>,
    pub spending_limit_cents: Option<i64>,
}

impl Org {
    /// An organization whose only member is the emulator's user, as its admin.
    pub fn new<R: Rng>(rng: &mut R, name: &str) -> Org {
        let id = format!("org-{}", util::neon_name(rng));
        let now = crate::clock::now();
        let me = json!({
            "member": {"id": util::uuid(rng), "user_id": OWNER_ID, "org_id": id, "role": "admin", "joined_at": rfc3339(now)},
            "user": {"email": USER_EMAIL, "has_mfa": false},
        });
        Org { id, name: name.to_string(), created_at: now, members: vec![me], invitations: Vec::new(), spending_limit_cents: None }
    }

    pub fn render(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "handle": self.id,
            "plan": "launch",
            "created_at": rfc3339(self.created_at),
            "managed_by": "console",
            "updated_at": rfc3339(self.created_at),
            "allow_hipaa_projects": false,
            "require_mfa": false,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub struct Store {
    pub projects: HashMap<String, Project>,
    pub project_seq: u64,
    pub keys: Vec<ApiKeyRec>,
    pub key_tokens: HashMap<String, usize>,
    pub next_key_id: i64,
    pub orgs: Vec<Org>,
    pub next_db_id: i64,
    /// Buckets by `project_id/branch_id`.
    pub buckets: HashMap<String, Vec<BucketRec>>,
    /// Long-tail families: collection path → item id → stored body.
    pub collections: HashMap<String, BTreeMap<String, Value>>,
    /// Long-tail singletons (configs): concrete path → stored body.
    pub singletons: HashMap<String, Value>,
    /// What each branch logged (the API requests aimed at it).
    #[serde(skip)]
    pub logs: crate::families::logs::LogStore,
}

impl Store {
    pub fn new<R: Rng>(rng: &mut R) -> Store {
        let mut org = Org::new(rng, "Neonkit Developer's org");
        org.members.push(json!({
            "member": {"id": util::uuid(rng), "user_id": util::uuid(rng), "org_id": org.id, "role": "member", "joined_at": rfc3339(org.created_at)},
            "user": {"email": "colleague@neonkit.invalid", "has_mfa": false},
        }));
        Store {
            projects: HashMap::new(),
            project_seq: 0,
            keys: Vec::new(),
            key_tokens: HashMap::new(),
            next_key_id: 100_000,
            orgs: vec![org],
            next_db_id: 1_000,
            collections: HashMap::new(),
            singletons: HashMap::new(),
            buckets: HashMap::new(),
            logs: Default::default(),
        }
    }

    /// A further organization of the emulator's user (its admin).
    pub fn add_org<R: Rng>(&mut self, rng: &mut R, name: &str) -> &Org {
        self.orgs.push(Org::new(rng, name));
        self.orgs.last().unwrap()
    }

    pub fn default_org(&self) -> &Org {
        &self.orgs[0]
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == id)
    }
    pub fn org_mut(&mut self, id: &str) -> Option<&mut Org> {
        self.orgs.iter_mut().find(|o| o.id == id)
    }

    /// Projects in creation order.
    pub fn projects_in_order(&self) -> Vec<&Project> {
        let mut v: Vec<&Project> = self.projects.values().collect();
        v.sort_by_key(|p| p.seq);
        v
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BucketRec {
    pub name: String,
    pub access_level: String,
    pub created_at: SystemTime,
    /// key → (bytes, last modified)
    pub objects: BTreeMap<String, (Vec<u8>, SystemTime)>,
}

impl BucketRec {
    pub fn render(&self) -> Value {
        json!({"name": self.name, "access_level": self.access_level, "created_at": rfc3339(self.created_at)})
    }
}

// ------------------------------------------------------------------ `--state` files

/// The store's `&'static str` fields (states, actions) as strings.
mod static_str {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        Ok(super::intern(String::deserialize(d)?))
    }
}

mod static_str_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<&'static str>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(v),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(super::intern))
    }
}

/// Each distinct string is leaked once per process.
pub(crate) fn intern(s: String) -> &'static str {
    static SEEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> = std::sync::OnceLock::new();
    let mut seen = SEEN.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    match seen.get(s.as_str()) {
        Some(k) => k,
        None => {
            let k: &'static str = Box::leak(s.into_boxed_str());
            seen.insert(k);
            k
        }
    }
}

/// An `Instant` (when a state is reached) as milliseconds from the moment it is
/// written: a transition under way when the emulator stopped goes on after a restart
/// for the time it had left.
mod instant {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::{Duration, Instant};
    pub fn serialize<S: Serializer>(v: &Instant, s: S) -> Result<S::Ok, S::Error> {
        let now = Instant::now();
        let ms = if *v >= now { v.duration_since(now).as_millis() as i64 } else { -(now.duration_since(*v).as_millis() as i64) };
        s.serialize_i64(ms)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
        let ms = i64::deserialize(d)?;
        let now = Instant::now();
        let delta = Duration::from_millis(ms.unsigned_abs());
        Ok(if ms >= 0 { now + delta } else { now.checked_sub(delta).unwrap_or(now) })
    }
}
