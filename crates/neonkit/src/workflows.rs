//! The workflows of `spec/workflows.yaml`: what users write by hand around the
//! API (find the default branch, pick the database and role, build the
//! connection string, create a branch unless it exists, reset it, restore a
//! snapshot after looking at it), once, for every language.
//!
//! Rust callers use the typed methods (`client.branches().ensure(…)`); a
//! binding calls [`Client::workflow`] with the workflow's id and its arguments
//! as a JSON object (by the names in `spec/workflows.yaml`, checked against the
//! generated table) and gets the result as JSON text.
//!
//! Every workflow waits for the operations it starts, whatever the client's
//! wait switch; an error names the step that failed (its message starts with
//! `<workflow>: <step>:`) and keeps the kind, status and operation of the call
//! behind it. No workflow resends a request that may have reached the server:
//! the `ensure` helpers look the resource up instead.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::models::*;
use crate::operations::*;
use crate::resources::{Branches, Databases, Projects, Roles, Snapshots};
use crate::{Client, Error, ErrorKind, Result};

#[rustfmt::skip]
#[path = "generated/workflows.rs"]
mod table;
pub use table::{ArgKind, WorkflowInfo, WorkflowParamInfo, WORKFLOWS};

// ------------------------------------------------------------------ options

/// What [`Client::connection_string`] leaves to the core to pick.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionStringOptions {
    /// The branch (default: the project's default branch).
    pub branch_id: Option<String>,
    /// The database name (default: the branch's only database).
    pub database: Option<String>,
    /// The role name (default: the branch's only role, else the database's owner).
    pub role: Option<String>,
    /// Whether to connect through the connection pooler (default: true).
    pub pooled: Option<bool>,
}

/// Options of [`Projects::create_and_connect`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConnectOptions {
    /// Whether the connection string goes through the connection pooler (default: true).
    pub pooled: Option<bool>,
}

/// Options of [`Branches::create_and_connect`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchConnectOptions {
    /// The branch name (default: one the API generates).
    pub name: Option<String>,
    /// The parent branch (default: the project's default branch).
    pub parent_id: Option<String>,
    /// Whether the branch gets a read-write endpoint (default: true).
    pub compute: Option<bool>,
    /// The read-write endpoint's settings.
    pub endpoint: Option<BranchEndpointSettings>,
    /// The database of the connection string (default: as [`Client::connection_string`] picks it).
    pub database: Option<String>,
    /// The role of the connection string (default: as [`Client::connection_string`] picks it).
    pub role: Option<String>,
    /// Whether the connection string goes through the connection pooler (default: true).
    pub pooled: Option<bool>,
}

/// Options of [`Branches::ensure`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsureBranchOptions {
    /// The parent of a branch this call creates (default: the project's default branch).
    pub parent_id: Option<String>,
    /// Whether a branch this call creates gets a read-write endpoint (default: false).
    pub compute: Option<bool>,
}

/// Options of [`Branches::reset_from_parent`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetFromParentOptions {
    /// Keep the branch's previous state as a new branch of this name (needed when it has children).
    pub preserve_under_name: Option<String>,
}

/// Options of [`Branches::compare_schema`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSchemaOptions {
    /// The branch to compare with (default: the branch's parent).
    pub base_branch_id: Option<String>,
    /// The database (default: the branch's only database).
    pub database: Option<String>,
}

/// Options of [`Databases::ensure`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsureDatabaseOptions {
    /// The owner of a database this call creates (default: the branch's only role).
    pub owner_name: Option<String>,
}

/// Options of [`Snapshots::commit_restore`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitRestoreOptions {
    /// The name the replaced branch gets (default: one the API picks).
    pub old_branch_name: Option<String>,
}

// ------------------------------------------------------------------ errors

/// The error of a call made by a workflow's step: the same kind, status, code
/// and operation, its message led by the workflow and the step.
fn step(workflow: &str, what: &str) -> impl FnOnce(Error) -> Error {
    let prefix = format!("{workflow}: {what}");
    move |e| e.prefixed(&prefix)
}

fn invalid(workflow: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid(format!("{workflow}: {message}"))
}

/// Names as a list in messages: `"a", "b"` (names, never values of secrets).
fn names<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.into_iter().map(|n| format!("{n:?}")).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Whether a create that failed this way may have made the resource anyway
/// (its answer was lost, a 5xx, or it was accepted and its operation failed) or
/// another caller did (a 409): then the resource is looked up, never created again.
fn look_up_after(e: &Error) -> bool {
    e.kind() == ErrorKind::Conflict || may_have_made_it(e)
}

/// Whether the create behind this error may have made the resource itself.
fn may_have_made_it(e: &Error) -> bool {
    e.may_have_been_applied() || e.is_accepted()
}

// ------------------------------------------------------------------ shared steps

/// Create-or-get by name, safe under concurrency: looks the resource up,
/// creates it if missing, and when the create fails in a way that may mean it
/// exists after all (a 409 from another caller's create, or an answer lost to
/// the network) looks it up again instead of sending the create twice. Returns
/// it and whether this call created it. After a lost answer that is a best
/// guess: the resource found then counts as this call's (the lookup before
/// found none), though another caller may have made it in between. An error
/// from `create` that already names the workflow is returned as it is.
async fn create_or_get<T, Find, FindFut, Create, CreateFut>(workflow: &str, what: &str, find: Find, create: Create) -> Result<(T, bool)>
where
    Find: Fn() -> FindFut,
    FindFut: std::future::Future<Output = Result<Option<T>>>,
    Create: FnOnce() -> CreateFut,
    CreateFut: std::future::Future<Output = Result<T>>,
{
    if let Some(found) = find().await.map_err(step(workflow, &format!("looking the {what} up")))? {
        return Ok((found, false));
    }
    let labeled = format!("{workflow}: ");
    let creating = |e: Error| if e.message().starts_with(&labeled) { e } else { step(workflow, &format!("creating the {what}"))(e) };
    match create().await {
        Ok(resource) => Ok((resource, true)),
        Err(e) if look_up_after(&e) => {
            let again = format!("looking the {what} up after the create failed ({})", e.message());
            match find().await.map_err(step(workflow, &again))? {
                Some(found) => Ok((found, may_have_made_it(&e))),
                None => Err(creating(e)),
            }
        }
        Err(e) => Err(creating(e)),
    }
}

impl Client {
    /// Workflows wait for what they start, whatever the client's switch.
    fn waiting(&self) -> Client {
        if self.waits_for_operations() {
            self.clone()
        } else {
            self.with_wait(true)
        }
    }

    /// The live branch of that name, if the project has one.
    async fn branch_named(&self, project_id: &str, name: &str) -> Result<Option<Branch>> {
        use futures::TryStreamExt;
        let query = ListProjectBranchesQuery { search: Some(name.to_string()), ..Default::default() };
        let mut stream = self.branches().iter(project_id, &query);
        while let Some(b) = stream.try_next().await? {
            if b.name == name {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    async fn default_branch(&self, workflow: &str, project_id: &str) -> Result<Branch> {
        use futures::TryStreamExt;
        let branches: Vec<Branch> =
            self.branches().iter(project_id, &Default::default()).try_collect().await.map_err(step(workflow, "listing the branches"))?;
        let count = branches.len();
        branches.into_iter().find(|b| b.default == Some(true)).ok_or_else(|| {
            invalid(
                workflow,
                format_args!("project {project_id:?} has no default branch (of its {count} branches, none is marked default)"),
            )
        })
    }

    async fn branch(&self, workflow: &str, project_id: &str, branch_id: &str) -> Result<Branch> {
        Ok(self.branches().get(project_id, branch_id).await.map_err(step(workflow, "reading the branch"))?.branch)
    }

    /// A branch that is not ready yet, once the operations still running on it
    /// (one another caller started, or one a client without waiting left) are
    /// done, read again.
    async fn settled(&self, workflow: &str, branch: Branch) -> Result<Branch> {
        if branch.current_state == "ready" {
            return Ok(branch);
        }
        match self.wait_for_branch(workflow, &branch.project_id, &branch.id).await? {
            true => self.branch(workflow, &branch.project_id, &branch.id).await,
            false => Ok(branch),
        }
    }

    /// Waits for the operations running on a branch; whether there were any.
    /// Only the project's newest 100 operations are looked at: a running one
    /// is among the newest, and paging the whole history would cost more than
    /// the wait.
    async fn wait_for_branch(&self, workflow: &str, project_id: &str, branch_id: &str) -> Result<bool> {
        let query = ListProjectOperationsQuery { limit: Some(100), ..Default::default() };
        let ops = self.operations().list(project_id, &query).await.map_err(step(workflow, "listing the branch's operations"))?;
        let running: Vec<Operation> = ops
            .operations
            .into_iter()
            .filter(|o| o.branch_id.as_deref() == Some(branch_id))
            .filter(|o| matches!(o.status, OperationStatus::Scheduling | OperationStatus::Running | OperationStatus::Cancelling))
            .collect();
        if running.is_empty() {
            return Ok(false);
        }
        self.wait_for_operations(&running).await.map_err(step(workflow, "waiting for the branch's operations"))?;
        Ok(true)
    }

    /// The database of that name on a branch, else its only one; an error
    /// lists the branch's databases when it has no such one, or several.
    async fn database(&self, workflow: &str, project_id: &str, branch_id: &str, name: Option<&str>) -> Result<Database> {
        let databases =
            self.databases().list(project_id, branch_id).await.map_err(step(workflow, "listing the branch's databases"))?.databases;
        let listed = || names(databases.iter().map(|d| d.name.as_str()));
        let found = match name {
            Some(name) => databases.iter().find(|d| d.name == name).ok_or_else(|| {
                invalid(workflow, format_args!("branch {branch_id:?} has no database {name:?} (its databases: {})", listed()))
            })?,
            None => match databases.as_slice() {
                [only] => only,
                [] => {
                    return Err(invalid(
                        workflow,
                        format_args!("branch {branch_id:?} has no database: create one first (databases.ensure)"),
                    ))
                }
                _ => {
                    return Err(invalid(
                        workflow,
                        format_args!("branch {branch_id:?} has {} databases ({}): pass `database`", databases.len(), listed()),
                    ))
                }
            },
        };
        Ok(found.clone())
    }

    /// The database and role a connection uses: as given, else the only one,
    /// else the given database's owner.
    async fn pick_database_and_role(
        &self,
        workflow: &str,
        project_id: &str,
        branch_id: &str,
        database: Option<&str>,
        role: Option<&str>,
    ) -> Result<(String, String)> {
        let db = self.database(workflow, project_id, branch_id, database).await?;
        let roles = self.roles().list(project_id, branch_id).await.map_err(step(workflow, "listing the branch's roles"))?.roles;
        let role_names = || names(roles.iter().map(|r| r.name.as_str()));
        let role = match role {
            Some(name) => match roles.iter().any(|r| r.name == name) {
                true => name.to_string(),
                false => {
                    return Err(invalid(workflow, format_args!("branch {branch_id:?} has no role {name:?} (its roles: {})", role_names())))
                }
            },
            None => match roles.as_slice() {
                [only] => only.name.clone(),
                [] => return Err(invalid(workflow, format_args!("branch {branch_id:?} has no role: create one first (roles.ensure)"))),
                _ if database.is_some() && roles.iter().any(|r| r.name == db.owner_name) => db.owner_name.clone(),
                _ => {
                    return Err(invalid(
                        workflow,
                        format_args!("branch {branch_id:?} has {} roles ({}): pass `role`", roles.len(), role_names()),
                    ))
                }
            },
        };
        Ok((db.name.clone(), role))
    }

    /// The name of a branch's only role, else an error listing its roles.
    async fn only_role(&self, workflow: &str, project_id: &str, branch_id: &str) -> Result<String> {
        let roles = self.roles().list(project_id, branch_id).await.map_err(step(workflow, "listing the branch's roles"))?.roles;
        match roles.as_slice() {
            [only] => Ok(only.name.clone()),
            [] => Err(invalid(
                workflow,
                format_args!("branch {branch_id:?} has no role to own the database: create one first (roles.ensure)"),
            )),
            _ => Err(invalid(
                workflow,
                format_args!(
                    "branch {branch_id:?} has {} roles ({}): pass `owner_name`",
                    roles.len(),
                    names(roles.iter().map(|r| r.name.as_str()))
                ),
            )),
        }
    }

    /// The read-write endpoint of a branch.
    async fn read_write_endpoint(&self, workflow: &str, project_id: &str, branch_id: &str) -> Result<Endpoint> {
        let endpoints = self
            .branches()
            .list_endpoints(project_id, branch_id)
            .await
            .map_err(step(workflow, "listing the branch's endpoints"))?
            .endpoints;
        endpoints.into_iter().find(|e| e.r#type == EndpointType::ReadWrite).ok_or_else(|| {
            invalid(
                workflow,
                format_args!(
                    "branch {branch_id:?} has no read-write endpoint to connect to (create one, or use branches.create_and_connect)"
                ),
            )
        })
    }

    /// The URI of a database and role (`(database, role)`) through an endpoint.
    async fn uri(
        &self,
        workflow: &str,
        project_id: &str,
        endpoint: &Endpoint,
        (database, role): (&str, &str),
        pooled: bool,
    ) -> Result<String> {
        let query = GetConnectionUriQuery {
            branch_id: Some(endpoint.branch_id.clone()),
            endpoint_id: Some(endpoint.id.clone()),
            database_name: database.to_string(),
            role_name: role.to_string(),
            pooled: Some(pooled),
        };
        Ok(self.projects().get_connection_uri(project_id, &query).await.map_err(step(workflow, "getting the connection URI"))?.uri)
    }

    // -------------------------------------------------------------- workflows

    /// The connection URI of a branch's database for a role: the project's
    /// default branch when none is given; the branch's only database and only
    /// role when it has one of each (else the given database's owner); the
    /// pooled host unless `pooled` is false. An ambiguous choice or a name that
    /// does not exist is an `InvalidArgument` error listing the choices.
    pub async fn connection_string(&self, project_id: &str, options: &ConnectionStringOptions) -> Result<String> {
        const W: &str = "connection_string";
        let branch_id = match &options.branch_id {
            Some(b) => b.clone(),
            None => self.default_branch(W, project_id).await?.id,
        };
        let (database, role) =
            self.pick_database_and_role(W, project_id, &branch_id, options.database.as_deref(), options.role.as_deref()).await?;
        let endpoint = self.read_write_endpoint(W, project_id, &branch_id).await?;
        self.uri(W, project_id, &endpoint, (&database, &role), options.pooled.unwrap_or(true)).await
    }

    /// Runs a workflow of `spec/workflows.yaml` by its id (`branches.ensure`,
    /// `connection_string`) with its arguments as a JSON object (absent or
    /// `null` = the default); returns its result as JSON text. An unknown id,
    /// an unknown argument, a missing one or one of the wrong type is an
    /// `InvalidArgument` error before any request.
    pub async fn workflow(&self, id: &str, args: Bytes) -> Result<Bytes> {
        let info = WORKFLOWS.iter().find(|w| w.id == id).ok_or_else(|| {
            Error::invalid(format!(
                "no workflow {} in neonkit (there are: {})",
                crate::error::quote(id),
                WORKFLOWS.iter().map(|w| w.id).collect::<Vec<_>>().join(", ")
            ))
        })?;
        let args = checked_args(info, &args)?;
        let out = match info.id {
            "connection_string" => {
                let (project_id, o): (String, ConnectionStringOptions) = with_options(info, args)?;
                to_json(&self.connection_string(&project_id, &o).await?)
            }
            "projects.create_and_connect" => {
                let mut args = args;
                let body: ProjectCreateRequest = match args.remove("body") {
                    Some(b) => decode(info, "body", b)?,
                    None => ProjectCreateRequest::default(),
                };
                let o: ProjectConnectOptions = decode(info, "options", Value::Object(args))?;
                to_json(&self.projects().create_and_connect(&body, &o).await?)
            }
            "branches.create_and_connect" => {
                let (project_id, o): (String, BranchConnectOptions) = with_options(info, args)?;
                to_json(&self.branches().create_and_connect(&project_id, &o).await?)
            }
            "branches.ensure" => {
                let ((project_id, name), o): ((String, String), EnsureBranchOptions) = with_options(info, args)?;
                to_json(&self.branches().ensure(&project_id, &name, &o).await?)
            }
            "branches.get_default" => {
                let project_id: String = positional(info, args)?;
                to_json(&self.branches().get_default(&project_id).await?)
            }
            "branches.reset_from_parent" => {
                let ((project_id, branch_id), o): ((String, String), ResetFromParentOptions) = with_options(info, args)?;
                to_json(&self.branches().reset_from_parent(&project_id, &branch_id, &o).await?)
            }
            "branches.compare_schema" => {
                let ((project_id, branch_id), o): ((String, String), CompareSchemaOptions) = with_options(info, args)?;
                to_json(&self.branches().compare_schema(&project_id, &branch_id, &o).await?)
            }
            "databases.ensure" => {
                let ((project_id, branch_id, name), o): ((String, String, String), EnsureDatabaseOptions) = with_options(info, args)?;
                to_json(&self.databases().ensure(&project_id, &branch_id, &name, &o).await?)
            }
            "roles.ensure" => {
                let (project_id, branch_id, name): (String, String, String) = positional(info, args)?;
                to_json(&self.roles().ensure(&project_id, &branch_id, &name).await?)
            }
            "snapshots.commit_restore" => {
                let ((project_id, branch_id), o): ((String, String), CommitRestoreOptions) = with_options(info, args)?;
                to_json(&self.snapshots().commit_restore(&project_id, &branch_id, &o).await?)
            }
            "snapshots.abort_restore" => {
                let (project_id, branch_id): (String, String) = positional(info, args)?;
                to_json(&self.snapshots().abort_restore(&project_id, &branch_id).await?)
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Runtime,
                    format!("workflow {other} is in spec/workflows.yaml but neonkit has no implementation of it"),
                ))
            }
        };
        Ok(out)
    }
}

// ------------------------------------------------------------------ arguments

/// The arguments as an object, each checked against the workflow's table: no
/// unknown name, every required one, each of its kind; `null`s dropped.
fn checked_args(info: &WorkflowInfo, args: &[u8]) -> Result<serde_json::Map<String, Value>> {
    let value: Value = if args.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(args).map_err(|e| Error::invalid(format!("{}: the arguments are not valid JSON: {e}", info.id)))?
    };
    let Value::Object(mut map) = value else {
        return Err(Error::invalid(format!("{}: the arguments must be a JSON object", info.id)));
    };
    map.retain(|_, v| !v.is_null());
    for name in map.keys() {
        if !info.params.iter().any(|p| p.name == name) {
            return Err(Error::invalid(format!(
                "{} has no argument {} (it takes: {})",
                info.id,
                crate::error::quote(name),
                info.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            )));
        }
    }
    for p in info.params {
        match map.get(p.name) {
            None if p.required => return Err(Error::invalid(format!("{}: {} is required", info.id, p.name))),
            None => {}
            Some(v) => {
                let ok = match p.kind {
                    ArgKind::Str => v.is_string(),
                    ArgKind::Bool => v.is_boolean(),
                    ArgKind::Object => v.is_object(),
                };
                if !ok {
                    return Err(Error::invalid(format!("{}: {}: expected {}, got {}", info.id, p.name, p.kind.expected(), kind_of(v))));
                }
                if p.kind == ArgKind::Str && v.as_str() == Some("") && p.required {
                    return Err(Error::invalid(format!("{}: {} must not be empty", info.id, p.name)));
                }
            }
        }
    }
    Ok(map)
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn decode<T: DeserializeOwned>(info: &WorkflowInfo, what: &str, v: Value) -> Result<T> {
    let text = serde_json::to_vec(&v).expect("a JSON value serializes");
    // The field's path when it is of the wrong type (`body: project.name: expected a string, got 123`).
    crate::shape::check_body::<T>(&text).map_err(|e| Error::invalid(format!("{}: {what}: {e}", info.id)))?;
    serde_json::from_slice(&text)
        .map_err(|e| Error::invalid(format!("{}: {what}: {}", info.id, crate::error::scrub_decode_message(&e.to_string()))))
}

/// The required arguments of a workflow without options: one string, or a
/// tuple of them in the table's order.
fn positional<P: DeserializeOwned>(info: &WorkflowInfo, args: serde_json::Map<String, Value>) -> Result<P> {
    let (p, rest) = take_positional(info, args)?;
    debug_assert!(rest.is_empty(), "checked_args admits only the table's arguments");
    Ok(p)
}

/// The required arguments (as [`positional`]) and the options struct from the rest.
fn with_options<P: DeserializeOwned, O: DeserializeOwned>(info: &WorkflowInfo, args: serde_json::Map<String, Value>) -> Result<(P, O)> {
    let (p, rest) = take_positional(info, args)?;
    Ok((p, decode(info, "options", Value::Object(rest))?))
}

fn take_positional<P: DeserializeOwned>(
    info: &WorkflowInfo,
    mut args: serde_json::Map<String, Value>,
) -> Result<(P, serde_json::Map<String, Value>)> {
    let mut required: Vec<Value> = info.params.iter().filter(|p| p.required).filter_map(|p| args.remove(p.name)).collect();
    let value = match required.len() {
        1 => required.pop().expect("one"),
        _ => Value::Array(required),
    };
    Ok((decode(info, "arguments", value)?, args))
}

fn to_json<T: Serialize + ?Sized>(v: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(v).expect("a model serializes"))
}

// ------------------------------------------------------------------ namespaces

impl Projects<'_> {
    /// Creates a project, waits until it is ready, and returns it with its
    /// default branch, read-write endpoint, database, role and connection string.
    pub async fn create_and_connect(&self, body: &ProjectCreateRequest, options: &ProjectConnectOptions) -> Result<ProjectConnection> {
        const W: &str = "projects.create_and_connect";
        let c = self.client.waiting();
        let created = c.projects().create(body).await.map_err(step(W, "creating the project"))?;
        let project_id = created.project.id.clone();
        // The steps after the create say that the project exists.
        let after = format!("{W} (the project {project_id:?} was created)");
        let missing = |what: &str| {
            Error::new(ErrorKind::Decode, format!("{after}: the API's answer to createProject has no {what}"))
                .with_operation("createProject")
        };
        let endpoint = created
            .endpoints
            .iter()
            .find(|e| e.r#type == EndpointType::ReadWrite)
            .cloned()
            .ok_or_else(|| missing("read-write endpoint"))?;
        let database = created.databases.first().ok_or_else(|| missing("database"))?;
        let role = match created.roles.iter().find(|r| r.name == database.owner_name).or(created.roles.first()) {
            Some(r) => r.name.clone(),
            None => return Err(missing("role")),
        };
        let uri = c.uri(&after, &project_id, &endpoint, (&database.name, &role), options.pooled.unwrap_or(true)).await?;
        let branch = c.settled(&after, created.branch.clone()).await?;
        let project = c.projects().get(&project_id).await.map_err(step(&after, "reading the project"))?.project;
        Ok(ProjectConnection {
            project,
            branch,
            endpoint,
            database_name: database.name.clone(),
            role_name: role,
            connection_string: uri,
            extra: Default::default(),
        })
    }
}

impl Branches<'_> {
    /// Creates a branch with a read-write endpoint (unless `compute` is false),
    /// waits until it is ready, and returns it with that endpoint and its
    /// connection string.
    pub async fn create_and_connect(&self, project_id: &str, options: &BranchConnectOptions) -> Result<BranchConnection> {
        const W: &str = "branches.create_and_connect";
        let compute = options.compute.unwrap_or(true);
        if !compute {
            for (given, name) in
                [(options.endpoint.is_some(), "endpoint"), (options.database.is_some(), "database"), (options.role.is_some(), "role")]
            {
                if given {
                    return Err(invalid(
                        W,
                        format_args!("`{name}` was given with `compute` false: a branch without compute has no endpoint to connect to"),
                    ));
                }
            }
        }
        if let Some(extra) = options.endpoint.as_ref().map(|e| &e.extra).filter(|x| !x.is_empty()) {
            return Err(invalid(
                W,
                format_args!(
                    "endpoint: no setting {} (it takes autoscaling_limit_min_cu, autoscaling_limit_max_cu, suspend_timeout_seconds)",
                    names(extra.keys().map(String::as_str))
                ),
            ));
        }
        let c = self.client.waiting();
        // A database or role that the new branch would not have is refused before it is made.
        if options.database.is_some() || options.role.is_some() {
            let parent = match &options.parent_id {
                Some(p) => p.clone(),
                None => c.default_branch(W, project_id).await?.id,
            };
            c.pick_database_and_role(W, project_id, &parent, options.database.as_deref(), options.role.as_deref()).await?;
        }
        let endpoints = compute.then(|| {
            let s = options.endpoint.clone().unwrap_or_default();
            vec![BranchCreateRequestEndpointOptions {
                r#type: EndpointType::ReadWrite,
                autoscaling_limit_min_cu: s.autoscaling_limit_min_cu,
                autoscaling_limit_max_cu: s.autoscaling_limit_max_cu,
                suspend_timeout_seconds: s.suspend_timeout_seconds,
                ..Default::default()
            }]
        });
        let body = CreateProjectBranchRequest {
            branch: Some(CreateProjectBranchRequestBranch {
                name: options.name.clone(),
                parent_id: options.parent_id.clone(),
                ..Default::default()
            }),
            endpoints,
            ..Default::default()
        };
        let created = c.branches().create(project_id, Some(&body)).await.map_err(step(W, "creating the branch"))?;
        let branch_id = created.branch.id.clone();
        // The steps after the create say that the branch exists.
        let after = format!("{W} (the branch {branch_id:?} was created)");
        let branch = c.settled(&after, created.branch).await?;
        if !compute {
            return Ok(BranchConnection { branch, endpoint: None, connection_string: None, extra: Default::default() });
        }
        let endpoint = match created.endpoints.into_iter().find(|e| e.r#type == EndpointType::ReadWrite) {
            Some(e) => e,
            None => c.read_write_endpoint(&after, project_id, &branch_id).await?,
        };
        let (database, role) =
            c.pick_database_and_role(&after, project_id, &branch_id, options.database.as_deref(), options.role.as_deref()).await?;
        let uri = c.uri(&after, project_id, &endpoint, (&database, &role), options.pooled.unwrap_or(true)).await?;
        Ok(BranchConnection { branch, endpoint: Some(endpoint), connection_string: Some(uri), extra: Default::default() })
    }

    /// The branch of that name, created (and waited for) if the project has
    /// none; safe under concurrency (see `spec/workflows.yaml`).
    pub async fn ensure(&self, project_id: &str, name: &str, options: &EnsureBranchOptions) -> Result<EnsuredBranch> {
        const W: &str = "branches.ensure";
        if name.is_empty() {
            return Err(invalid(W, "the branch name must not be empty"));
        }
        let c = self.client.waiting();
        let body = CreateProjectBranchRequest {
            branch: Some(CreateProjectBranchRequestBranch {
                name: Some(name.to_string()),
                parent_id: options.parent_id.clone(),
                ..Default::default()
            }),
            endpoints: options
                .compute
                .unwrap_or(false)
                .then(|| vec![BranchCreateRequestEndpointOptions { r#type: EndpointType::ReadWrite, ..Default::default() }]),
            ..Default::default()
        };
        let (branch, created) = create_or_get(
            W,
            "branch",
            || c.branch_named(project_id, name),
            || async { Ok(c.branches().create(project_id, Some(&body)).await?.branch) },
        )
        .await?;
        Ok(EnsuredBranch { branch: c.settled(W, branch).await?, created, extra: Default::default() })
    }

    /// The project's default branch (by its `default` flag, not its name).
    pub async fn get_default(&self, project_id: &str) -> Result<Branch> {
        self.client.default_branch("branches.get_default", project_id).await
    }

    /// Resets a branch to its parent's current state (the API's
    /// restoreProjectBranch from the parent's head) and waits until it is done.
    pub async fn reset_from_parent(&self, project_id: &str, branch_id: &str, options: &ResetFromParentOptions) -> Result<Branch> {
        const W: &str = "branches.reset_from_parent";
        let c = self.client.waiting();
        let branch = c.branch(W, project_id, branch_id).await?;
        let Some(parent_id) = branch.parent_id.clone() else {
            return Err(invalid(
                W,
                format_args!("branch {branch_id:?} ({:?}) has no parent to reset from (it is a root branch)", branch.name),
            ));
        };
        let body = BranchRestoreRequest {
            source_branch_id: parent_id,
            preserve_under_name: options.preserve_under_name.clone(),
            ..Default::default()
        };
        let done = c.branches().restore(project_id, branch_id, &body).await.map_err(step(W, "restoring the branch from its parent"))?;
        c.settled(W, done.branch).await
    }

    /// The schema difference of a database between a branch and another (by
    /// default its parent).
    pub async fn compare_schema(
        &self,
        project_id: &str,
        branch_id: &str,
        options: &CompareSchemaOptions,
    ) -> Result<BranchSchemaCompareResponse> {
        const W: &str = "branches.compare_schema";
        let c = self.client;
        let base = match &options.base_branch_id {
            Some(b) => b.clone(),
            None => {
                let branch = c.branch(W, project_id, branch_id).await?;
                branch
                    .parent_id
                    .ok_or_else(|| invalid(W, format_args!("branch {branch_id:?} has no parent to compare with: pass `base_branch_id`")))?
            }
        };
        let database = match &options.database {
            Some(d) => d.clone(),
            None => c.database(W, project_id, branch_id, None).await?.name,
        };
        let query = GetProjectBranchSchemaComparisonQuery { base_branch_id: Some(base), db_name: database, ..Default::default() };
        c.branches().get_schema_comparison(project_id, branch_id, &query).await.map_err(step(W, "comparing the schemas"))
    }
}

impl Databases<'_> {
    /// The database of that name on a branch, created (and waited for) if it is
    /// missing; safe under concurrency like [`Branches::ensure`].
    pub async fn ensure(&self, project_id: &str, branch_id: &str, name: &str, options: &EnsureDatabaseOptions) -> Result<EnsuredDatabase> {
        const W: &str = "databases.ensure";
        let c = self.client.waiting();
        let find = || async {
            match c.databases().get(project_id, branch_id, name).await {
                Ok(d) => Ok(Some(d.database)),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        };
        let create = || async {
            let owner = match &options.owner_name {
                Some(o) => o.clone(),
                None => c.only_role(W, project_id, branch_id).await?,
            };
            let body = DatabaseCreateRequest {
                database: DatabaseCreateRequestDatabase { name: name.to_string(), owner_name: owner, ..Default::default() },
                ..Default::default()
            };
            Ok(c.databases().create(project_id, branch_id, &body).await?.database)
        };
        let (database, created) = create_or_get(W, "database", find, create).await?;
        // A database found by a lookup may still be applying (another caller's
        // create, or this call's own whose answer was lost): the next change to
        // the branch would be refused while it runs.
        c.wait_for_branch(W, project_id, branch_id).await?;
        Ok(EnsuredDatabase { database, created, extra: Default::default() })
    }
}

impl Roles<'_> {
    /// The role of that name on a branch, created (and waited for) if it is
    /// missing; safe under concurrency like [`Branches::ensure`]. The password
    /// comes only with a role this call creates, and not even then when the
    /// create's answer was lost and the role was found by a lookup (`created`
    /// true, `password` absent): reset it with the API's resetProjectBranchRolePassword.
    pub async fn ensure(&self, project_id: &str, branch_id: &str, name: &str) -> Result<EnsuredRole> {
        const W: &str = "roles.ensure";
        let c = self.client.waiting();
        let find = || async {
            match c.roles().get(project_id, branch_id, name).await {
                Ok(r) => Ok(Some(r.role)),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        };
        let body = RoleCreateRequest { role: RoleCreateRequestRole { name: name.to_string(), ..Default::default() }, ..Default::default() };
        let create = || async { Ok(c.roles().create(project_id, branch_id, &body).await?.role) };
        let (role, created) = create_or_get(W, "role", find, create).await?;
        c.wait_for_branch(W, project_id, branch_id).await?;
        Ok(EnsuredRole { role, created, extra: Default::default() })
    }
}

impl Snapshots<'_> {
    /// The restored branch of a restore made with `finalize_restore` false, or
    /// an error saying what it is instead.
    async fn unfinalized(&self, workflow: &str, project_id: &str, branch_id: &str) -> Result<Branch> {
        let c = self.client;
        // The restore may still be running when it was started without waiting.
        let mut branch = c.settled(workflow, c.branch(workflow, project_id, branch_id).await?).await?;
        if branch.restore_status.as_deref() == Some("detaching") {
            // A one-time optimisation a restored (or finalized) branch may go
            // through, after which it is back in its state: wait it out once.
            c.wait_for_branch(workflow, project_id, branch_id).await?;
            branch = c.branch(workflow, project_id, branch_id).await?;
        }
        match branch.restore_status.as_deref() {
            Some("detaching") => Err(Error::new(
                ErrorKind::Conflict,
                format!(
                    "{workflow}: branch {branch_id:?} ({:?}) is still detaching (a one-time step after a restore, after which it is back in its restored or finalized state): try again once it is done",
                    branch.name
                ),
            )
            .with_operation("getProjectBranch")),
            Some("restored") if branch.default == Some(true) => Err(invalid(
                workflow,
                format_args!("branch {branch_id:?} ({:?}) is the project's default branch, not a restore's preview", branch.name),
            )),
            Some("restored") => Ok(branch),
            status => Err(invalid(
                workflow,
                format_args!(
                    "branch {branch_id:?} ({:?}) is not an un-finalized restore (its restore_status is {}): only a branch that snapshots.restore made with finalize_restore false can be committed or aborted",
                    branch.name,
                    status.map(|s| format!("{s:?}")).unwrap_or_else(|| "absent".into())
                ),
            )),
        }
    }

    /// Finalizes a snapshot restore made with `finalize_restore` false after its
    /// preview (the API's finalizeRestoreBranch), waits, and returns the
    /// restored branch, which now has the replaced branch's name and computes.
    pub async fn commit_restore(&self, project_id: &str, branch_id: &str, options: &CommitRestoreOptions) -> Result<Branch> {
        const W: &str = "snapshots.commit_restore";
        let c = self.client.waiting();
        c.snapshots().unfinalized(W, project_id, branch_id).await?;
        let body = FinalizeRestoreBranchRequest { name: options.old_branch_name.clone(), ..Default::default() };
        c.branches().finalize_restore(project_id, branch_id, Some(&body)).await.map_err(step(W, "finalizing the restore"))?;
        let branch = c.branch(W, project_id, branch_id).await?;
        c.settled(W, branch).await
    }

    /// Drops a snapshot restore made with `finalize_restore` false after its
    /// preview: deletes the restored branch (and waits); returns it as it was.
    /// The API has no conditional delete: a commit of the same restore by
    /// another caller between this call's check and its delete is not seen.
    pub async fn abort_restore(&self, project_id: &str, branch_id: &str) -> Result<Branch> {
        const W: &str = "snapshots.abort_restore";
        let c = self.client.waiting();
        let branch = c.snapshots().unfinalized(W, project_id, branch_id).await?;
        c.branches().delete(project_id, branch_id).await.map_err(step(W, "deleting the restored branch"))?;
        Ok(branch)
    }
}

// ------------------------------------------------------------------ blocking

impl crate::blocking::Client {
    /// [`Client::connection_string`], blocking.
    pub fn connection_string(&self, project_id: &str, options: &ConnectionStringOptions) -> Result<String> {
        self.block_on(self.inner().connection_string(project_id, options))
    }

    /// [`Client::workflow`], blocking.
    pub fn workflow(&self, id: &str, args: Bytes) -> Result<Bytes> {
        self.block_on(self.inner().workflow(id, args))
    }
}

/// The blocking twin of each workflow method: the async one, run on the calling thread.
macro_rules! blocking {
    ($ns:ident . $getter:ident { $(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)* }) => {
        impl crate::resources::blocking::$ns<'_> {
            $(
                #[doc = concat!("[`", stringify!($ns), "::", stringify!($name), "`], blocking.")]
                pub fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
                    self.client.block_on(self.client.inner().$getter().$name($($arg),*))
                }
            )*
        }
    };
}

blocking!(Projects.projects {
    fn create_and_connect(body: &ProjectCreateRequest, options: &ProjectConnectOptions) -> ProjectConnection;
});
blocking!(Branches.branches {
    fn create_and_connect(project_id: &str, options: &BranchConnectOptions) -> BranchConnection;
    fn ensure(project_id: &str, name: &str, options: &EnsureBranchOptions) -> EnsuredBranch;
    fn get_default(project_id: &str) -> Branch;
    fn reset_from_parent(project_id: &str, branch_id: &str, options: &ResetFromParentOptions) -> Branch;
    fn compare_schema(project_id: &str, branch_id: &str, options: &CompareSchemaOptions) -> BranchSchemaCompareResponse;
});
blocking!(Databases.databases {
    fn ensure(project_id: &str, branch_id: &str, name: &str, options: &EnsureDatabaseOptions) -> EnsuredDatabase;
});
blocking!(Roles.roles {
    fn ensure(project_id: &str, branch_id: &str, name: &str) -> EnsuredRole;
});
blocking!(Snapshots.snapshots {
    fn commit_restore(project_id: &str, branch_id: &str, options: &CommitRestoreOptions) -> Branch;
    fn abort_restore(project_id: &str, branch_id: &str) -> Branch;
});
