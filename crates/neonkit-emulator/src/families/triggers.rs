//! Function triggers per branch, `schedule` (a numeric five-field cron in UTC) and
//! `storage_object_created` (one bucket, an optional key prefix), told apart by
//! `type`.
//!
//! A branch sees its own triggers and, inherited, those its ancestors see: an
//! inherited trigger keeps its project-wide id and configuration, is disabled on
//! the child, and an update there writes a branch-local shadow with the same id
//! (disabled unless the update enables it); deleting one there writes a tombstone so
//! that it does not reappear. `next_run_at` is the next occurrence of an enabled
//! schedule after now (null while disabled, or when the cron never fires);
//! `version` grows with every update that changes the configuration.

use super::hex;
use crate::handlers::{bad, branch_of, conflict, not_found, ok, project, rng, ApiError, Reply, Req, R};
use crate::server::Inner;
use crate::state::{Project, Store};
use crate::util;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn coll_key(pid: &str, bid: &str) -> String {
    format!("triggers:{pid}/{bid}")
}

/// The branch and its ancestors, the root first.
fn lineage(p: &Project, bid: &str) -> Vec<String> {
    let mut out = vec![bid.to_string()];
    let mut cur = bid.to_string();
    while let Some(parent) = p.branches.iter().find(|b| b.id == cur).and_then(|b| b.parent_id.clone()) {
        if out.contains(&parent) || out.len() > 1_000 {
            break;
        }
        out.push(parent.clone());
        cur = parent;
    }
    out.reverse();
    out
}

/// The triggers visible on `branches.last()` when its lineage is `branches`:
/// id → (stored configuration, inherited).
fn effective(st: &Store, pid: &str, branches: &[String]) -> BTreeMap<String, (Value, bool)> {
    let mut out = BTreeMap::new();
    let Some(me) = branches.last() else { return out };
    for b in branches {
        let Some(local) = st.collections.get(&coll_key(pid, b)) else { continue };
        for (id, v) in local {
            if v.get("tombstone").is_some() {
                out.remove(id);
            } else {
                out.insert(id.clone(), (v.clone(), b != me));
            }
        }
    }
    out
}

fn render(stored: &Value, inherited: bool) -> Value {
    let mut v = stored.clone();
    if inherited {
        v["enabled"] = json!(false);
    }
    v["inherited"] = json!(inherited);
    if v["type"] == "schedule" {
        let enabled = v["enabled"].as_bool().unwrap_or(false);
        let next = v["schedule"]["cron"]
            .as_str()
            .and_then(Cron::parse)
            .filter(|_| enabled)
            .and_then(|c| c.next_after(crate::clock::now()))
            .map(|t| json!(util::rfc3339(t)));
        v["next_run_at"] = next.unwrap_or(Value::Null);
    }
    v
}

/// Checks the parts of a trigger the spec's schema cannot: the cron and the prefix.
fn check(v: &Value) -> Result<(), ApiError> {
    if let Some(cron) = v.pointer("/schedule/cron") {
        let c = cron.as_str().unwrap_or_default();
        if Cron::parse(c).is_none() {
            return Err(bad(format!("schedule.cron: {c:?} is not a numeric five-field cron expression")));
        }
    }
    if let Some(p) = v.pointer("/storage_object_created/prefix").and_then(|p| p.as_str()) {
        if p.len() > 1024 {
            return Err(bad("storage_object_created.prefix: longer than 1024 bytes"));
        }
    }
    Ok(())
}

/// A match-all prefix is left out rather than sent empty.
fn normalize(v: &mut Value) {
    if let Some(o) = v.get_mut("storage_object_created").and_then(|s| s.as_object_mut()) {
        if o.get("prefix").and_then(|p| p.as_str()) == Some("") {
            o.remove("prefix");
        }
    }
}

fn name_taken(visible: &BTreeMap<String, (Value, bool)>, name: &str, except: Option<&str>) -> bool {
    visible.iter().any(|(id, (v, _))| Some(id.as_str()) != except && v["name"] == name)
}

pub(crate) fn handle(inner: &Inner, st: &mut Store, r: &Req) -> R {
    let p = project(st, r)?;
    let (pid, bid) = (p.id.clone(), r.pp("branch_id").to_string());
    branch_of(p, &bid)?;
    let branches = lineage(p, &bid);
    let visible = effective(st, &pid, &branches);
    let id = r.pp("trigger_id").to_string();
    match r.op.operation_id.as_str() {
        "listProjectBranchTriggers" => ok(json!({"triggers": visible.values().map(|(v, inh)| render(v, *inh)).collect::<Vec<_>>()})),
        "createProjectBranchTrigger" => {
            let b = &r.body;
            let name = b["name"].as_str().unwrap_or_default();
            if name_taken(&visible, name, None) {
                return Err(conflict(format!("a trigger named {name:?} already exists on this branch")));
            }
            let trigger_id = format!("trg_{}", hex(&mut *rng(inner), 24));
            let kind = b["type"].as_str().unwrap_or_default();
            let mut v = json!({
                "type": kind,
                "trigger_id": trigger_id,
                "function_slug": b["function_slug"],
                "name": name,
                "function_path": b.get("function_path").cloned().unwrap_or(json!("/")),
                "enabled": b.get("enabled").cloned().unwrap_or(json!(true)),
                "version": 1,
            });
            let config = if kind == "schedule" { "schedule" } else { "storage_object_created" };
            v[config] = b[config].clone();
            check(&v)?;
            normalize(&mut v);
            st.collections.entry(coll_key(&pid, &bid)).or_default().insert(trigger_id, v.clone());
            Ok(Reply::Json(None, json!({"trigger": render(&v, false)})))
        }
        op => {
            let Some((stored, inherited)) = visible.get(&id).cloned() else {
                return Err(not_found(&format!("trigger {id:?}")));
            };
            match op {
                "getProjectBranchTrigger" => ok(json!({"trigger": render(&stored, inherited)})),
                "updateProjectBranchTrigger" => {
                    let b = &r.body;
                    if b["type"] != stored["type"] {
                        return Err(bad(format!("type must be the trigger's own kind, {}", stored["type"])));
                    }
                    // an inherited trigger is disabled here until this branch enables it
                    let before = if inherited {
                        let mut v = stored.clone();
                        v["enabled"] = json!(false);
                        v
                    } else {
                        stored.clone()
                    };
                    let mut v = before.clone();
                    for k in ["function_slug", "name", "function_path", "schedule", "storage_object_created", "enabled"] {
                        if let Some(x) = b.get(k) {
                            if stored.get(k).is_some() || !matches!(k, "schedule" | "storage_object_created") {
                                v[k] = x.clone();
                            }
                        }
                    }
                    if let Some(n) = b.get("name").and_then(|n| n.as_str()) {
                        if name_taken(&visible, n, Some(&id)) {
                            return Err(conflict(format!("a trigger named {n:?} already exists on this branch")));
                        }
                    }
                    check(&v)?;
                    normalize(&mut v);
                    if v != before || inherited {
                        v["version"] = json!(stored["version"].as_i64().unwrap_or(1) + 1);
                    }
                    st.collections.entry(coll_key(&pid, &bid)).or_default().insert(id, v.clone());
                    ok(json!({"trigger": render(&v, false)}))
                }
                _ => {
                    let parent_sees = effective(st, &pid, &branches[..branches.len() - 1]).contains_key(&id);
                    let local = st.collections.entry(coll_key(&pid, &bid)).or_default();
                    if parent_sees {
                        local.insert(id, json!({"tombstone": true}));
                    } else {
                        local.remove(&id);
                    }
                    Ok(Reply::Empty(None))
                }
            }
        }
    }
}

// ------------------------------------------------------------------ cron

/// A numeric five-field cron expression: minute, hour, day of month, month, day of week.
#[derive(Debug)]
struct Cron {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    dom_any: bool,
    dow_any: bool,
}

/// One field: a list of `*`, `n`, `a-b`, each optionally `/step`; a bit per value.
fn field(s: &str, lo: u32, hi: u32) -> Option<(u64, bool)> {
    let mut mask = 0u64;
    for item in s.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, st)) => (r, st.parse::<u32>().ok().filter(|x| *x > 0)?),
            None => (item, 1),
        };
        let num = |x: &str| x.parse::<u32>().ok().filter(|v| (lo..=hi).contains(v));
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return None;
            }
            (a, b)
        } else {
            let a = num(range)?;
            // `a/step` runs from a to the end of the range
            (a, if item.contains('/') { hi } else { a })
        };
        let mut v = a;
        while v <= b {
            mask |= 1 << v;
            v += step;
        }
    }
    Some((mask, s == "*"))
}

impl Cron {
    fn parse(s: &str) -> Option<Cron> {
        let f: Vec<&str> = s.split_whitespace().collect();
        if f.len() != 5 {
            return None;
        }
        let (minute, _) = field(f[0], 0, 59)?;
        let (hour, _) = field(f[1], 0, 23)?;
        let (dom, dom_any) = field(f[2], 1, 31)?;
        let (month, _) = field(f[3], 1, 12)?;
        let (mut dow, dow_any) = field(f[4], 0, 7)?;
        if dow & (1 << 7) != 0 {
            dow |= 1; // 7 is Sunday too
        }
        Some(Cron { minute, hour, dom, month, dow, dom_any, dow_any })
    }

    fn day_matches(&self, dom: u32, dow: u32) -> bool {
        let d = self.dom & (1 << dom) != 0;
        let w = self.dow & (1 << dow) != 0;
        match (self.dom_any, self.dow_any) {
            (false, false) => d || w, // both restricted: either one, as cron has it
            _ => d && w,
        }
    }

    /// The first occurrence strictly after `t` (within five years).
    fn next_after(&self, t: SystemTime) -> Option<SystemTime> {
        let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
        let first = (secs / 60 + 1) * 60;
        let first_day = first.div_euclid(86_400);
        for day in first_day..first_day + 5 * 366 {
            // the first day starts at the next whole minute, the others at midnight
            let from_minute = if day == first_day { first.rem_euclid(86_400) / 60 } else { 0 };
            let (_, m, d) = util::civil_from_days(day);
            let dow = (day + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday
            if self.month & (1 << m) != 0 && self.day_matches(d, dow) {
                for mm in from_minute..1440 {
                    if self.hour & (1 << (mm / 60)) != 0 && self.minute & (1 << (mm % 60)) != 0 {
                        return Some(UNIX_EPOCH + Duration::from_secs((day * 86_400 + mm * 60) as u64));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        util::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn cron_next_occurrences() {
        let next = |c: &str, from: &str| Cron::parse(c).unwrap().next_after(at(from)).map(util::rfc3339);
        assert_eq!(next("*/15 * * * *", "2025-01-01T00:07:30Z").as_deref(), Some("2025-01-01T00:15:00Z"));
        assert_eq!(next("0 9 * * 1-5", "2025-01-03T10:00:00Z").as_deref(), Some("2025-01-06T09:00:00Z")); // Fri → Mon
        assert_eq!(next("30 2 1 * *", "2025-01-31T00:00:00Z").as_deref(), Some("2025-02-01T02:30:00Z"));
        assert_eq!(next("0 0 29 2 *", "2025-03-01T00:00:00Z").as_deref(), Some("2028-02-29T00:00:00Z"));
        assert_eq!(next("0 12 * * 7", "2025-01-01T00:00:00Z").as_deref(), Some("2025-01-05T12:00:00Z")); // a Sunday
        assert_eq!(next("0 0 30 2 *", "2025-01-01T00:00:00Z"), None);
        for bad in ["* * * *", "60 * * * *", "a * * * *", "*/0 * * * *", "5-1 * * * *", "@daily", "0 0 * JAN *"] {
            assert!(Cron::parse(bad).is_none(), "{bad}");
        }
    }
}
