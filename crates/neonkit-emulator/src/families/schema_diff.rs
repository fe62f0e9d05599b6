//! `getProjectBranchSchemaComparison`. With `--postgres` it is a unified diff of the
//! two branches' `pg_dump --schema-only` (owners, privileges, comments and blank
//! lines left out, since each branch has its own roles). Without a PostgreSQL behind it, a branch's
//! "schema" is what the emulator knows of it: one `CREATE DATABASE` line per
//! database and one `CREATE ROLE` line per role, sorted. The diff is a unified diff of
//! the base's lines against the branch's, empty when they are the same, so a client
//! can tell a branch that changed from one that did not.

use crate::handlers::{bad, branch_of, not_found, ok, project, ApiError, Req, R};
use crate::server::Inner;
use crate::state::{Branch, Store};
use serde_json::json;

pub(crate) fn compare(inner: &Inner, st: &Store, r: &Req) -> R {
    let p = project(st, r)?;
    let branch = branch_of(p, r.pp("branch_id"))?;
    let base_id = match r.q("base_branch_id").filter(|b| !b.is_empty()) {
        Some(b) => b,
        None => branch
            .parent_id
            .as_deref()
            .ok_or_else(|| bad(format!("branch {:?} has no parent to compare with; give base_branch_id", branch.id)))?,
    };
    let base = branch_of(p, base_id)?;
    // validation has made db_name present
    let db = r.q("db_name").unwrap_or_default();
    for b in [branch, base] {
        has_database(b, db)?;
    }
    let backing = inner.backing();
    if let (Some(old), Some(new)) = (backing.schema_dump(&base.id, db)?, backing.schema_dump(&branch.id, db)?) {
        return ok(json!({"diff": real_diff(db, base, branch, &old, &new)}));
    }
    ok(json!({"diff": unified_diff(db, base, branch)}))
}

fn has_database(b: &Branch, db: &str) -> Result<(), ApiError> {
    if b.databases.iter().any(|d| d.name == db) {
        Ok(())
    } else {
        Err(not_found(&format!("database {db:?} on branch {:?}", b.id)))
    }
}

fn schema_lines(b: &Branch) -> Vec<String> {
    let databases = b.databases.iter().map(|d| format!("CREATE DATABASE {} OWNER {};", d.name, d.owner_name));
    let roles = b.roles.iter().map(|r| format!("CREATE ROLE {};", r.name));
    let mut lines: Vec<String> = databases.chain(roles).collect();
    lines.sort();
    lines
}

/// `--- a/<db> (<base id>)`, `+++ b/<db> (<branch id>)`, one hunk over every line.
fn unified_diff(db: &str, base: &Branch, branch: &Branch) -> String {
    let (old, new) = (schema_lines(base), schema_lines(branch));
    if old == new {
        return String::new();
    }
    let mut out = format!("--- a/{db} ({})\n+++ b/{db} ({})\n@@ -1,{} +1,{} @@\n", base.id, branch.id, old.len(), new.len());
    // both are sorted: one merge walk gives the kept, removed and added lines in order
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let line = match (old.get(i), new.get(j)) {
            (Some(o), Some(n)) if o == n => {
                i += 1;
                j += 1;
                format!(" {o}")
            }
            (Some(o), Some(n)) if o < n => {
                i += 1;
                format!("-{o}")
            }
            (Some(o), None) => {
                i += 1;
                format!("-{o}")
            }
            (_, Some(n)) => {
                j += 1;
                format!("+{n}")
            }
            (None, None) => break,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A unified diff of two dumps (one hunk over every line, from a longest common
/// subsequence of lines), empty when they are the same.
fn real_diff(db: &str, base: &Branch, branch: &Branch, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut out = format!("--- a/{db} ({})\n+++ b/{db} ({})\n@@ -1,{n} +1,{m} @@\n", base.id, branch.id);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push_str(&format!(" {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+{}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{}\n", a[i]));
            i += 1;
        }
    }
    out
}
