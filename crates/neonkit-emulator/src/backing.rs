//! What is behind the API: the handlers keep the API's state (`state::Store`) and tell
//! the [`Backing`] what changed in the data behind it, through this one interface.
//!
//! Two implementations: [`InMemory`] (the default: nothing is behind the API, every
//! change is a no-op and the connection URIs name Neon-shaped `ep-….<region>.aws.neon.tech`
//! hosts with `sslmode=require`) and the PostgreSQL [`crate::pg::Cluster`] of
//! `--postgres` (its `impl Backing` is at the end of `pg.rs`): real roles and databases,
//! per branch (or snapshot) under physical names, and URIs that connect.
//!
//! `owner_id` is the branch (or snapshot) id whose databases and roles are meant: each
//! has its own. The methods are called while a handler holds the state lock, before it
//! changes the state, so a failure (a `500 PostgreSQL: …`) leaves the state as it was.

use crate::pg::PgError;
use crate::server::Inner;
use crate::state::{Database, Endpoint, Role};
use serde_json::{json, Value};

pub(crate) type Res<T> = Result<T, PgError>;

/// The data behind the API.
pub(crate) trait Backing {
    /// A role of a branch, with its password (or NOLOGIN).
    fn create_role(&self, owner_id: &str, role: &Role) -> Res<()>;
    /// The role's password (`role.password`) is its new one.
    fn set_password(&self, owner_id: &str, role: &Role) -> Res<()>;
    /// Drops a role; what it owned goes to the database's owner.
    fn drop_role(&self, owner_id: &str, name: &str) -> Res<()>;
    /// A database of a branch, owned by the branch's role `db.owner_name`.
    fn create_database(&self, owner_id: &str, db: &Database) -> Res<()>;
    fn drop_database(&self, owner_id: &str, name: &str) -> Res<()>;
    /// updateProjectBranchDatabase: a new name and/or owner.
    fn alter_database(&self, owner_id: &str, name: &str, new_name: Option<&str>, new_owner: Option<&str>) -> Res<()>;
    /// Copies `from_id`'s databases `dbs` (as of now) to `to_id`, with `to_id`'s roles
    /// `to_roles` (created here) owning what `from_roles` of the same names owned:
    /// branch creation, snapshots and restores.
    fn copy(&self, from_id: &str, dbs: &[Database], from_roles: &[Role], to_id: &str, to_roles: &[Role]) -> Res<()>;
    /// Empties every table of the databases (a `schema-only` branch).
    fn empty_tables(&self, owner_id: &str, dbs: &[Database]) -> Res<()>;
    /// Drops the databases, then the roles (hard deletes, snapshot deletes, restores).
    fn drop_all(&self, owner_id: &str, dbs: &[Database], roles: &[Role]) -> Res<()>;
    /// Closed (`open = false`, a soft delete), the databases refuse connections and the
    /// roles cannot log in; opened again on recovery.
    fn set_open(&self, owner_id: &str, dbs: &[Database], roles: &[Role], open: bool) -> Res<()>;
    /// The real `pg_dump --schema-only` of a database (no owners, privileges, comments
    /// or blank lines), or None when nothing real is behind the API (the handlers then
    /// answer from the state).
    fn schema_dump(&self, owner_id: &str, db: &str) -> Res<Option<String>>;
    /// Removes every role and database made behind the API (the emulator's reset).
    fn clear(&self);
    /// The connection URI of `role` to `db` through `ep` (its branch's data), pooled or not.
    fn connection_uri(&self, role: &Role, db: &str, ep: &Endpoint, pooled: bool) -> String;
    /// `connection_parameters` of a `connection_uris` item: database, password, role,
    /// host, pooler_host.
    fn connection_parameters(&self, role: &Role, db: &str, ep: &Endpoint) -> Value;

    /// An item of `connection_uris` (createProject, createProjectBranch).
    fn connection_details(&self, role: &Role, db: &str, ep: &Endpoint) -> Value {
        json!({
            "connection_uri": self.connection_uri(role, db, ep, false),
            "connection_parameters": self.connection_parameters(role, db, ep),
        })
    }
}

/// Nothing behind the API (the default): the state is all there is.
pub(crate) struct InMemory;

impl Backing for InMemory {
    fn create_role(&self, _: &str, _: &Role) -> Res<()> {
        Ok(())
    }
    fn set_password(&self, _: &str, _: &Role) -> Res<()> {
        Ok(())
    }
    fn drop_role(&self, _: &str, _: &str) -> Res<()> {
        Ok(())
    }
    fn create_database(&self, _: &str, _: &Database) -> Res<()> {
        Ok(())
    }
    fn drop_database(&self, _: &str, _: &str) -> Res<()> {
        Ok(())
    }
    fn alter_database(&self, _: &str, _: &str, _: Option<&str>, _: Option<&str>) -> Res<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &[Database], _: &[Role], _: &str, _: &[Role]) -> Res<()> {
        Ok(())
    }
    fn empty_tables(&self, _: &str, _: &[Database]) -> Res<()> {
        Ok(())
    }
    fn drop_all(&self, _: &str, _: &[Database], _: &[Role]) -> Res<()> {
        Ok(())
    }
    fn set_open(&self, _: &str, _: &[Database], _: &[Role], _: bool) -> Res<()> {
        Ok(())
    }
    fn schema_dump(&self, _: &str, _: &str) -> Res<Option<String>> {
        Ok(None)
    }
    fn clear(&self) {}
    fn connection_uri(&self, role: &Role, db: &str, ep: &Endpoint, pooled: bool) -> String {
        let host = if pooled { ep.pooler_host() } else { ep.host() };
        format!("postgresql://{}:{}@{}/{}?sslmode=require", role.name, role.password, host, db)
    }
    fn connection_parameters(&self, role: &Role, db: &str, ep: &Endpoint) -> Value {
        json!({
            "database": db,
            "password": role.password,
            "role": role.name,
            "host": ep.host(),
            "pooler_host": ep.pooler_host(),
        })
    }
}

impl Inner {
    /// What backs the API: the PostgreSQL of `--postgres`, else [`InMemory`].
    pub(crate) fn backing(&self) -> &dyn Backing {
        match &self.pg {
            Some(c) => &**c,
            None => &InMemory,
        }
    }
}

/// A URI's user, password or database, percent-encoded.
pub(crate) fn enc(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'_').remove(b'-').remove(b'.').remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}
