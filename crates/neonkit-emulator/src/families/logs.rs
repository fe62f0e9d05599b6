//! Branch logs. The emulator's branches run no services, so what a branch logs is
//! the API traffic aimed at it: every handled request with a `project_id` and a
//! `branch_id` in its path records one line on that branch (method, path, status,
//! operationId, request id; never a body, a query string or a header, so no secret
//! reaches a log line), the last [`MAX_PER_BRANCH`] per branch. Reading the logs
//! (the three operations here) records nothing, so a walk over the pages reads a
//! log that its own requests do not grow.
//!
//! `queryProjectBranchLogs` pages through its body: the request's `cursor` is the
//! response's `next_cursor`, sent while `is_truncated` is true. A cursor holds the
//! resolved time window, the newest line at the first page (later lines are not
//! part of that walk) and a fingerprint of the filters (another query's cursor is
//! `invalid_cursor`).

use crate::handlers::{bad, branch_of, ok, project, ApiError, Req, R};
use crate::spec::Op;
use crate::state::Store;
use crate::util;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lines kept per branch; older ones are dropped.
pub const MAX_PER_BRANCH: usize = 10_000;
/// At most this many records per response (the operation's description).
const MAX_PAGE: usize = 1_000;
const DEFAULT_PAGE: usize = 100;
/// The longest time range a query may span.
const MAX_RANGE: Duration = Duration::from_secs(7 * 86_400);
/// Distinct values a field-values lookup returns at most (its "scan cap").
const MAX_VALUES: usize = 1_000;
const SERVICE_NAME: &str = "neon-management-api";
const CURSOR_PREFIX: &str = "lgc_";

const READERS: [&str; 3] = ["queryProjectBranchLogs", "listProjectBranchLogFields", "listProjectBranchLogFieldValues"];

/// The low-cardinality fields whose values `listProjectBranchLogFieldValues` lists.
const FIELDS: [&str; 6] = ["source", "service_name", "scope_name", "severity_text", "http.request.method", "http.response.status_code"];

/// The branch a request is aimed at, and what its log line says about it.
pub struct Target {
    project_id: String,
    branch_id: String,
    entity_id: String,
    path: String,
}

#[derive(Clone, Debug)]
pub struct LogLine {
    seq: u64,
    at: SystemTime,
    method: &'static str,
    path: String,
    status: u16,
    operation_id: &'static str,
    request_id: String,
    source: &'static str,
    entity_id: String,
}

/// Every branch's lines, by `project_id/branch_id`.
#[derive(Default)]
pub struct LogStore {
    /// The last sequence number given out (across branches).
    seq: u64,
    by_branch: HashMap<String, VecDeque<LogLine>>,
}

impl LogStore {
    fn push(&mut self, key: String, mut line: LogLine) {
        self.seq += 1;
        line.seq = self.seq;
        let q = self.by_branch.entry(key).or_default();
        // timestamps never go backwards within a branch (seq order is time order)
        if let Some(last) = q.back() {
            line.at = line.at.max(last.at);
        }
        q.push_back(line);
        while q.len() > MAX_PER_BRANCH {
            q.pop_front();
        }
    }
}

/// The branch a request targets, if it names one in its path (log reads excepted).
pub fn target(op: &'static Op, path: &[(String, String)], uri_path: &str) -> Option<Target> {
    if READERS.contains(&op.operation_id.as_str()) {
        return None;
    }
    let get = |n: &str| path.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let project_id = get("project_id")?;
    let branch_id = get("branch_id")?;
    let entity_id = ["endpoint_id", "slug", "bucket_name"].iter().find_map(|n| get(n)).unwrap_or_else(|| branch_id.clone());
    Some(Target { project_id, branch_id, entity_id, path: uri_path.to_string() })
}

/// The Neon service a request's line is attributed to.
fn source_of(op: &Op) -> &'static str {
    let p = op.path.as_str();
    if p.contains("/buckets") || p.contains("/credentials") {
        "storage"
    } else if p.contains("/functions") || p.contains("/triggers") || p.contains("/custom-domains") {
        "function"
    } else {
        "pg_endpoint"
    }
}

/// Records one line for a handled request on its branch (when the branch exists).
pub fn record(st: &mut Store, op: &'static Op, t: Target, status: u16, request_id: &str) {
    let Some(p) = st.projects.get(&t.project_id) else { return };
    // deleted branches included: a delete's own line lands on the branch it deleted
    if !p.branches.iter().any(|b| b.id == t.branch_id) {
        return;
    }
    let line = LogLine {
        seq: 0,
        at: crate::clock::now(),
        method: method_name(&op.method),
        path: t.path,
        status,
        operation_id: op.operation_id.as_str(),
        request_id: request_id.to_string(),
        source: source_of(op),
        entity_id: t.entity_id,
    };
    st.logs.push(format!("{}/{}", t.project_id, t.branch_id), line);
}

fn method_name(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        _ => "OTHER",
    }
}

impl LogLine {
    fn severity(&self) -> (i64, &'static str) {
        match self.status {
            0..=399 => (9, "INFO"),
            400..=499 => (13, "WARN"),
            _ => (17, "ERROR"),
        }
    }
    fn message(&self) -> String {
        format!("{} {} {} ({})", self.method, self.path, self.status, self.operation_id)
    }
    /// The request id as a W3C trace id (32 lowercase hex digits), when it is a UUID.
    fn trace_id(&self) -> Option<String> {
        let t: String = self.request_id.chars().filter(|c| *c != '-').collect();
        (t.len() == 32 && t.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))).then_some(t)
    }
    fn field(&self, name: &str) -> Option<String> {
        Some(match name {
            "source" => self.source.to_string(),
            "service_name" => SERVICE_NAME.to_string(),
            "scope_name" => self.operation_id.to_string(),
            "severity_text" => self.severity().1.to_string(),
            "entity_id" => self.entity_id.clone(),
            "http.request.method" => self.method.to_string(),
            "http.response.status_code" => self.status.to_string(),
            _ => return None,
        })
    }
    /// The `ProjectBranchLogRecord` schema.
    fn render(&self, project_id: &str, branch_id: &str) -> Value {
        let (num, text) = self.severity();
        let mut v = json!({
            "timestamp": util::rfc3339_millis(self.at),
            "message": self.message(),
            "source": self.source,
            "entity_id": self.entity_id,
            "service_name": SERVICE_NAME,
            "scope_name": self.operation_id,
            "severity_number": num,
            "severity_text": text,
            "attributes": {
                "http.request.method": self.method,
                "url.path": self.path,
                "http.response.status_code": self.status,
                "neon.operation_id": self.operation_id,
                "neon.request_id": self.request_id,
                "neon.project_id": project_id,
                "neon.branch_id": branch_id,
            },
        });
        if let Some(t) = self.trace_id() {
            v["trace_id"] = json!(t);
        }
        v
    }
}

// ------------------------------------------------------------------ errors

/// The operations' 400 body: `ProjectBranchLogsInvalidQuery`, with its `reason`.
fn invalid(reason: &'static str, message: impl Into<String>) -> ApiError {
    bad(message).with_code(reason).with_field("reason", json!(reason))
}

/// Spec validation failures of the log operations carry the `reason` the field suggests.
pub fn on_invalid_request(op: &Op, e: ApiError) -> ApiError {
    if !READERS.contains(&op.operation_id.as_str()) || e.status != 400 {
        return e;
    }
    let m = e.message.as_str();
    let reason = if m.contains("cursor") {
        "invalid_cursor"
    } else if m.contains("logql") {
        "invalid_logql"
    } else if m.contains("since") || m.contains("start_time") || m.contains("end_time") {
        "invalid_time_range"
    } else {
        return e;
    };
    e.with_code(reason).with_field("reason", json!(reason))
}

fn not_available(e: ApiError) -> ApiError {
    e.with_field("reason", json!("branch_not_found"))
}

// ------------------------------------------------------------------ time window

/// `30m`, `6h`, `7d`, `500ms`, `10s`.
fn parse_duration(s: &str) -> Option<Duration> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    Some(Duration::from_millis(n.checked_mul(ms)?))
}

/// `[start, end)` from `since` / `start_time` / `end_time`, the default lookback when neither is given.
fn window(since: Option<&str>, start: Option<&str>, end: Option<&str>, default: Duration) -> Result<(SystemTime, SystemTime), ApiError> {
    if since.is_some() && start.is_some() {
        return Err(invalid("conflicting_time_range", "supply either since or start_time, not both"));
    }
    let time = |name: &str, v: &str| {
        util::parse_rfc3339(v).ok_or_else(|| invalid("invalid_time_range", format!("{name}: {v:?} is not an RFC 3339 date-time")))
    };
    let end = match end {
        Some(e) => time("end_time", e)?,
        None => crate::clock::now(),
    };
    let start = match (since, start) {
        (Some(d), _) => {
            let d = parse_duration(d).ok_or_else(|| {
                invalid("invalid_time_range", format!("since: {d:?} is not a duration (a count and one of ms, s, m, h, d)"))
            })?;
            if d > MAX_RANGE {
                return Err(invalid("time_range_too_large", "the time range spans more than seven days"));
            }
            end.checked_sub(d).unwrap_or(UNIX_EPOCH)
        }
        (None, Some(s)) => time("start_time", s)?,
        (None, None) => end.checked_sub(default).unwrap_or(UNIX_EPOCH),
    };
    if end <= start {
        return Err(invalid("invalid_time_range", "end_time must be after start_time"));
    }
    if end.duration_since(start).unwrap_or_default() > MAX_RANGE {
        return Err(invalid("time_range_too_large", "the time range spans more than seven days"));
    }
    Ok((start, end))
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// `t` in whole milliseconds, rounded up: a window's end must not drop the lines of
/// its last millisecond (a walk's high-water mark keeps later lines out).
fn millis_ceil(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_nanos().div_ceil(1_000_000) as u64).unwrap_or(0)
}

// ------------------------------------------------------------------ filters

const STRUCTURED: [&str; 7] = ["source", "service_name", "scope_name", "minimum_severity", "severity_text", "body_contains", "trace_id"];

fn severity_floor(s: &str) -> i64 {
    match s {
        "trace" => 1,
        "debug" => 5,
        "info" => 9,
        "warn" => 13,
        "error" => 17,
        _ => 21,
    }
}

/// The subset of LogQL the endpoint accepts: a stream selector of `=` / `!=`
/// matchers, then `|=` / `!=` line filters.
struct LogQl {
    matchers: Vec<(String, bool, String)>,
    line_filters: Vec<(bool, String)>,
}

fn parse_logql(src: &str) -> Result<LogQl, String> {
    let mut s = src.trim();
    s = s.strip_prefix('{').ok_or("a LogQL query starts with a stream selector {…}")?;
    let close = s.find('}').ok_or("the stream selector is not closed")?;
    let (sel, rest) = s.split_at(close);
    let mut matchers = Vec::new();
    let mut sel = sel.trim();
    while !sel.is_empty() {
        let name_end = sel.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(sel.len());
        let name = &sel[..name_end];
        if name.is_empty() {
            return Err(format!("expected a label name at {sel:?}"));
        }
        let after = sel[name_end..].trim_start();
        let (eq, after) = if let Some(a) = after.strip_prefix("!=") {
            (false, a)
        } else if after.starts_with("=~") || after.starts_with("!~") {
            return Err("regular-expression matchers are not accepted".into());
        } else if let Some(a) = after.strip_prefix('=') {
            (true, a)
        } else {
            return Err(format!("expected = or != after {name}"));
        };
        let (value, after) = quoted(after.trim_start())?;
        matchers.push((name.to_string(), eq, value));
        sel = after.trim_start();
        sel = sel.strip_prefix(',').map(str::trim_start).unwrap_or(sel);
        if !sel.is_empty() && matchers.len() > 64 {
            return Err("too many matchers".into());
        }
    }
    if matchers.is_empty() {
        return Err("the stream selector needs at least one matcher".into());
    }
    let mut rest = rest[1..].trim_start();
    let mut line_filters = Vec::new();
    while !rest.is_empty() {
        let (contains, after) = if let Some(a) = rest.strip_prefix("|=") {
            (true, a)
        } else if let Some(a) = rest.strip_prefix("!=") {
            (false, a)
        } else if rest.starts_with("|~") || rest.starts_with("!~") {
            return Err("regular-expression line filters are not accepted".into());
        } else if rest.starts_with('|') {
            return Err("parser stages and aggregations are not accepted".into());
        } else {
            return Err(format!("unexpected {rest:?}"));
        };
        let (text, after) = quoted(after.trim_start())?;
        line_filters.push((contains, text));
        rest = after.trim_start();
    }
    Ok(LogQl { matchers, line_filters })
}

/// A double-quoted string (with `\"` and `\\` escapes) and what follows it.
fn quoted(s: &str) -> Result<(String, &str), String> {
    let body = s.strip_prefix('"').ok_or_else(|| format!("expected a quoted string at {s:?}"))?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, e)) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err("unterminated string".into())
}

struct Filters {
    source: Option<String>,
    service_name: Option<String>,
    scope_name: Option<String>,
    min_severity: Option<i64>,
    severity_text: Option<String>,
    body_contains: Option<String>,
    trace_id: Option<String>,
    logql: Option<LogQl>,
}

impl Filters {
    fn parse(b: &Value) -> Result<Filters, ApiError> {
        let st = |k: &str| b.get(k).and_then(|v| v.as_str()).map(String::from);
        let logql = match st("logql") {
            Some(q) => {
                if STRUCTURED.iter().any(|k| b.get(*k).is_some_and(|v| !v.is_null())) {
                    return Err(invalid("conflicting_filters", "logql cannot be combined with structured filters"));
                }
                Some(parse_logql(&q).map_err(|e| invalid("invalid_logql", format!("logql: {e}")))?)
            }
            None => None,
        };
        let trace_id = st("trace_id");
        if let Some(t) = &trace_id {
            if t.len() != 32 || !t.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) {
                // the reason list has nothing closer: the filter is compiled into the backend's query
                return Err(invalid("invalid_logql", "trace_id must be 32 lowercase hex digits"));
            }
        }
        Ok(Filters {
            source: st("source"),
            service_name: st("service_name"),
            scope_name: st("scope_name"),
            min_severity: st("minimum_severity").map(|s| severity_floor(&s)),
            severity_text: st("severity_text"),
            body_contains: st("body_contains"),
            trace_id,
            logql,
        })
    }

    fn matches(&self, l: &LogLine) -> bool {
        let eq = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        if !eq(&self.source, l.source) || !eq(&self.service_name, SERVICE_NAME) || !eq(&self.scope_name, l.operation_id) {
            return false;
        }
        let (num, text) = l.severity();
        if self.min_severity.is_some_and(|m| num < m) || !eq(&self.severity_text, text) {
            return false;
        }
        if self.body_contains.as_deref().is_some_and(|s| !l.message().contains(s)) {
            return false;
        }
        if self.trace_id.is_some() && self.trace_id != l.trace_id() {
            return false;
        }
        if let Some(q) = &self.logql {
            // a label the line lacks is the empty string, as in Loki
            if !q.matchers.iter().all(|(name, want_eq, v)| (l.field(name).unwrap_or_default() == *v) == *want_eq) {
                return false;
            }
            let msg = l.message();
            if !q.line_filters.iter().all(|(contains, t)| msg.contains(t.as_str()) == *contains) {
                return false;
            }
        }
        true
    }
}

// ------------------------------------------------------------------ cursor

struct Cursor {
    last: u64,
    high_water: u64,
    start_ms: u64,
    end_ms: u64,
    fingerprint: u64,
}

/// The filters and window a cursor belongs to (the body without `cursor` and `limit`).
fn fingerprint(body: &Value, key: &str) -> u64 {
    let mut b = body.clone();
    if let Some(o) = b.as_object_mut() {
        o.remove("cursor");
        o.remove("limit");
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    b.to_string().hash(&mut h);
    h.finish()
}

impl Cursor {
    fn encode(&self) -> String {
        let plain = format!("{}.{}.{}.{}.{:016x}", self.last, self.high_water, self.start_ms, self.end_ms, self.fingerprint);
        let hex: String = plain.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{CURSOR_PREFIX}{hex}")
    }
    fn decode(s: &str) -> Option<Cursor> {
        let hex = s.strip_prefix(CURSOR_PREFIX)?;
        if hex.len() % 2 != 0 || hex.len() > 256 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
        let plain = String::from_utf8(bytes?).ok()?;
        let parts: Vec<&str> = plain.split('.').collect();
        if parts.len() != 5 {
            return None;
        }
        Some(Cursor {
            last: parts[0].parse().ok()?,
            high_water: parts[1].parse().ok()?,
            start_ms: parts[2].parse().ok()?,
            end_ms: parts[3].parse().ok()?,
            fingerprint: u64::from_str_radix(parts[4], 16).ok()?,
        })
    }
}

// ------------------------------------------------------------------ handlers

pub(crate) fn handle(st: &mut Store, r: &Req) -> R {
    let p = project(st, r).map_err(not_available)?;
    branch_of(p, r.pp("branch_id")).map_err(not_available)?;
    let (pid, bid) = (r.pp("project_id"), r.pp("branch_id"));
    let key = format!("{pid}/{bid}");
    let empty = VecDeque::new();
    let lines = st.logs.by_branch.get(&key).unwrap_or(&empty);
    match r.op.operation_id.as_str() {
        "queryProjectBranchLogs" => query(st.logs.seq, lines, r, &key),
        "listProjectBranchLogFields" => {
            let fields: Vec<&str> = FIELDS.iter().copied().filter(|f| lines.iter().any(|l| l.field(f).is_some())).collect();
            ok(json!({"fields": fields}))
        }
        _ => {
            let field = r.pp("field_name");
            if !FIELDS.contains(&field) || !lines.iter().any(|l| l.field(field).is_some()) {
                return Err(invalid("unknown_field", format!("{field:?} is not a log field of this branch")));
            }
            let (start, end) = window(r.q("since"), r.q("start_time"), r.q("end_time"), Duration::from_secs(6 * 3600))?;
            let source = r.q("source");
            let limit = r.q_int("limit").map(|l| l.max(1) as usize).unwrap_or(MAX_VALUES).min(MAX_VALUES);
            let values: BTreeSet<String> = lines
                .iter()
                .filter(|l| l.at >= start && l.at < end && source.is_none_or(|s| s == l.source))
                .filter_map(|l| l.field(field))
                .collect();
            let truncated = values.len() > limit;
            let values: Vec<String> = values.into_iter().take(limit).collect();
            ok(json!({"values": values, "is_truncated": truncated}))
        }
    }
}

fn query(high_water_now: u64, lines: &VecDeque<LogLine>, r: &Req, key: &str) -> R {
    let body = if r.body.is_object() { r.body.clone() } else { json!({}) };
    let str_of = |k: &str| body.get(k).and_then(|v| v.as_str());
    let filters = Filters::parse(&body)?;
    let (start, end) = window(str_of("since"), str_of("start_time"), str_of("end_time"), Duration::from_secs(3600))?;
    // whole milliseconds, as a cursor carries them: every page of a walk sees the same window
    let at_ms = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
    let (mut start, mut end) = (at_ms(millis(start)), at_ms(millis_ceil(end)));
    let fp = fingerprint(&body, key);
    let mut high_water = high_water_now;
    let mut after = None;
    if let Some(c) = str_of("cursor").filter(|c| !c.is_empty()) {
        let cur = Cursor::decode(c).ok_or_else(|| invalid("invalid_cursor", "the cursor is malformed"))?;
        if cur.fingerprint != fp {
            return Err(invalid(
                "invalid_cursor",
                "the cursor was issued for a different query; repeat the time range and every filter unchanged",
            ));
        }
        // the walk keeps the window and the lines of its first page
        start = at_ms(cur.start_ms);
        end = at_ms(cur.end_ms);
        high_water = cur.high_water;
        after = Some(cur.last);
    }
    let limit = body.get("limit").and_then(|v| v.as_u64()).map(|l| l.max(1) as usize).unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
    let asc = str_of("sort_order") == Some("asc");
    let candidates = lines.iter().filter(|l| l.seq <= high_water && l.at >= start && l.at < end && filters.matches(l));
    let ordered: Box<dyn Iterator<Item = &LogLine>> = if asc {
        Box::new(candidates.filter(|l| after.is_none_or(|a| l.seq > a)))
    } else {
        Box::new(candidates.rev().filter(|l| after.is_none_or(|a| l.seq < a)))
    };
    let mut page: Vec<&LogLine> = ordered.take(limit + 1).collect();
    let truncated = page.len() > limit;
    page.truncate(limit);
    let next_cursor = match (truncated, page.last()) {
        (true, Some(last)) => Cursor { last: last.seq, high_water, start_ms: millis(start), end_ms: millis(end), fingerprint: fp }.encode(),
        _ => String::new(),
    };
    let (pid, bid) = key.split_once('/').unwrap_or((key, ""));
    ok(json!({
        "logs": page.iter().map(|l| l.render(pid, bid)).collect::<Vec<_>>(),
        "is_truncated": truncated,
        "next_cursor": next_cursor,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(status: u16) -> LogLine {
        LogLine {
            seq: 0,
            at: crate::clock::now(),
            method: "GET",
            path: "/api/v2/projects/p/branches/b".into(),
            status,
            operation_id: "getProjectBranch",
            request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            source: "pg_endpoint",
            entity_id: "b".into(),
        }
    }

    #[test]
    fn keeps_the_last_lines_per_branch() {
        let mut s = LogStore::default();
        for _ in 0..MAX_PER_BRANCH + 5 {
            s.push("p/b".into(), line(200));
        }
        s.push("p/c".into(), line(200));
        let q = &s.by_branch["p/b"];
        assert_eq!(q.len(), MAX_PER_BRANCH);
        assert_eq!(q.front().unwrap().seq, 6);
        assert_eq!(s.by_branch["p/c"].len(), 1);
    }

    #[test]
    fn durations_windows_and_cursors() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("7d"), Some(MAX_RANGE));
        assert_eq!(parse_duration("1.5h"), None);
        assert_eq!(parse_duration("h"), None);
        let reason = |e: ApiError| e.fields["reason"].as_str().unwrap().to_string();
        assert_eq!(reason(window(Some("1h"), Some("2025-01-01T00:00:00Z"), None, MAX_RANGE).unwrap_err()), "conflicting_time_range");
        assert_eq!(reason(window(Some("8d"), None, None, MAX_RANGE).unwrap_err()), "time_range_too_large");
        assert_eq!(
            reason(window(None, Some("2025-01-02T00:00:00Z"), Some("2025-01-01T00:00:00Z"), MAX_RANGE).unwrap_err()),
            "invalid_time_range"
        );
        let c = Cursor { last: 7, high_water: 9, start_ms: 1, end_ms: 2, fingerprint: 0xabc };
        let d = Cursor::decode(&c.encode()).unwrap();
        assert_eq!((d.last, d.high_water, d.start_ms, d.end_ms, d.fingerprint), (7, 9, 1, 2, 0xabc));
        assert!(Cursor::decode("lgc_zz").is_none());
    }

    #[test]
    fn logql_subset() {
        let q = parse_logql(r#"{source="pg_endpoint", scope_name!="x"} |= "GET" != "500""#).unwrap();
        assert_eq!(q.matchers.len(), 2);
        assert_eq!(q.line_filters, vec![(true, "GET".to_string()), (false, "500".to_string())]);
        let f = Filters {
            source: None,
            service_name: None,
            scope_name: None,
            min_severity: None,
            severity_text: None,
            body_contains: None,
            trace_id: None,
            logql: Some(q),
        };
        assert!(f.matches(&line(200)));
        assert!(!f.matches(&line(500)));
        assert!(parse_logql(r#"{source=~"pg.*"}"#).is_err());
        assert!(parse_logql(r#"{source="x"} | json"#).is_err());
        assert!(parse_logql("{}").is_err());
        assert!(parse_logql("sum(rate({a=\"b\"}[1m]))").is_err());
    }
}
