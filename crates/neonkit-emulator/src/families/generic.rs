//! The spec-driven fallback for every operation without a hand-written family:
//! schema-valid synthesized bodies plus simple keyed state (collections by path,
//! singletons for configs), so create → get → list → delete round-trips and config
//! PATCH → GET hold.

use crate::handlers::{branch_of, conflict, not_found, ok, org_id_checked, project, rng, ApiError, Reply, Req, R};
use crate::server::Inner;
use crate::spec::{self, Op};
use crate::state::Store;
use crate::util;
use serde_json::{json, Map, Value};

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

pub(super) fn collect_props(s: &spec::Spec, sch: &Value) -> Map<String, Value> {
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

pub(crate) fn generic(inner: &Inner, st: &mut Store, r: &Req) -> R {
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
