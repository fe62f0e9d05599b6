//! The vendored OpenAPI document, parsed once per process: the operation table the
//! router is built from, a response synthesizer for the long tail of operations, and
//! a small JSON-schema validator (OpenAPI 3.0 subset) used for request bodies and by
//! the tests to check every response against the spec.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

const SPEC_YAML: &str = include_str!("../../../spec/generated/neon-openapi.yaml");

/// One query or path parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

/// One operation of the spec.
#[derive(Debug)]
pub struct Op {
    pub index: usize,
    pub operation_id: String,
    pub method: String,
    /// The OpenAPI path template, e.g. `/projects/{project_id}`.
    pub path: String,
    /// Names of the path parameters in order.
    pub path_params: Vec<String>,
    pub params: Vec<Param>,
    pub success_status: u16,
    /// Content type and schema of the success response, when it has a body.
    pub success_content_type: Option<String>,
    pub success_schema: Option<Value>,
    pub body_schema: Option<Value>,
    pub body_content_type: Option<String>,
    pub body_required: bool,
    pub deprecated: bool,
    pub tags: Vec<String>,
    /// Error statuses the operation declares with a schema other than GeneralError.
    pub error_schemas: Vec<(u16, Value)>,
}

pub struct Spec {
    pub root: Value,
    pub ops: Vec<Op>,
    by_id: HashMap<String, usize>,
    synth_cache: Vec<OnceLock<Option<Value>>>,
}

static SPEC: OnceLock<Spec> = OnceLock::new();

/// The parsed spec (parsed on first use).
pub fn spec() -> &'static Spec {
    SPEC.get_or_init(|| Spec::parse(SPEC_YAML))
}

fn yaml_to_json(v: serde_yaml::Value) -> Value {
    match v {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        serde_yaml::Value::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
                };
                out.insert(key, yaml_to_json(v));
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(t) => yaml_to_json(t.value),
    }
}

impl Spec {
    fn parse(text: &str) -> Spec {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("vendored spec parses");
        let root = yaml_to_json(yaml);
        let mut ops = Vec::new();
        let paths = root["paths"].as_object().expect("paths");
        for (path, item) in paths {
            let item = item.as_object().expect("path item");
            let path_level: Vec<Value> = item.get("parameters").and_then(|p| p.as_array()).cloned().unwrap_or_default();
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let operation_id = op["operationId"].as_str().expect("operationId").to_string();
                let mut params: Vec<Param> = Vec::new();
                let op_level: Vec<Value> = op.get("parameters").and_then(|p| p.as_array()).cloned().unwrap_or_default();
                for p in path_level.iter().chain(op_level.iter()) {
                    let p = deref_value(&root, p);
                    let name = p["name"].as_str().unwrap_or_default().to_string();
                    let location = p["in"].as_str().unwrap_or_default().to_string();
                    let param = Param {
                        required: p["required"].as_bool().unwrap_or(location == "path"),
                        schema: p.get("schema").cloned().unwrap_or(Value::Null),
                        name,
                        location,
                    };
                    if let Some(existing) = params.iter_mut().find(|x| x.name == param.name && x.location == param.location) {
                        *existing = param;
                    } else {
                        params.push(param);
                    }
                }
                let path_params: Vec<String> =
                    path.split('/').filter(|s| s.starts_with('{')).map(|s| s.trim_matches(|c| c == '{' || c == '}').to_string()).collect();
                let responses = op["responses"].as_object().expect("responses");
                let mut success: Vec<(u16, &Value)> = responses
                    .iter()
                    .filter_map(|(k, v)| k.parse::<u16>().ok().filter(|c| (200..300).contains(c)).map(|c| (c, v)))
                    .collect();
                success.sort_by_key(|(c, _)| *c);
                let (success_status, resp) = success.first().copied().expect("success response");
                let resp = deref_value(&root, resp);
                let (success_content_type, success_schema) = match resp.get("content").and_then(|c| c.as_object()) {
                    Some(c) if !c.is_empty() => {
                        let (ct, media) = c.iter().next().unwrap();
                        (Some(ct.clone()), media.get("schema").cloned())
                    }
                    _ => (None, None),
                };
                let (body_schema, body_content_type, body_required) = match op.get("requestBody") {
                    Some(rb) => {
                        let rb = deref_value(&root, rb);
                        let c = rb["content"].as_object();
                        let (ct, schema) = c
                            .and_then(|c| c.iter().next())
                            .map(|(ct, m)| (Some(ct.clone()), m.get("schema").cloned()))
                            .unwrap_or((None, None));
                        (schema, ct, rb["required"].as_bool().unwrap_or(false))
                    }
                    None => (None, None, false),
                };
                let mut error_schemas = Vec::new();
                for (k, v) in responses {
                    let Ok(code) = k.parse::<u16>() else { continue };
                    if code < 400 {
                        continue;
                    }
                    let v = deref_value(&root, v);
                    if let Some(sch) = v.pointer("/content/application~1json/schema") {
                        if sch.get("$ref").and_then(|r| r.as_str()) != Some("#/components/schemas/GeneralError") {
                            error_schemas.push((code, sch.clone()));
                        }
                    }
                }
                let tags =
                    op["tags"].as_array().map(|t| t.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
                ops.push(Op {
                    index: ops.len(),
                    operation_id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    path_params,
                    params,
                    success_status,
                    success_content_type,
                    success_schema,
                    body_schema,
                    body_content_type,
                    body_required,
                    deprecated: op["deprecated"].as_bool().unwrap_or(false),
                    tags,
                    error_schemas,
                });
            }
        }
        let by_id = ops.iter().map(|o| (o.operation_id.clone(), o.index)).collect();
        let synth_cache = ops.iter().map(|_| OnceLock::new()).collect();
        Spec { root, ops, by_id, synth_cache }
    }

    pub fn op(&self, operation_id: &str) -> Option<&Op> {
        self.by_id.get(operation_id).map(|i| &self.ops[*i])
    }

    pub fn index_of(&self, operation_id: &str) -> Option<usize> {
        self.by_id.get(operation_id).copied()
    }

    /// Follows `$ref`s until a concrete schema.
    pub fn deref<'a>(&'a self, v: &'a Value) -> &'a Value {
        deref_value(&self.root, v)
    }

    pub fn schema(&self, name: &str) -> &Value {
        &self.root["components"]["schemas"][name]
    }

    /// A synthesized success body for an operation (cached), or None when the
    /// success response has no body.
    pub fn synth_success(&self, op: &Op) -> Option<Value> {
        self.synth_cache[op.index].get_or_init(|| op.success_schema.as_ref().map(|s| self.synth(s, None, 0))).clone()
    }

    /// A minimal valid value: required properties only (request bodies in tests).
    pub fn synth_minimal(&self, schema: &Value) -> Value {
        self.synth(schema, None, 100)
    }

    /// Builds a value that validates against `schema`. Optional properties are filled
    /// at the top levels only; a `depth` of 100 or more means required ones only.
    pub fn synth(&self, schema: &Value, name: Option<&str>, depth: usize) -> Value {
        let s = self.deref(schema);
        if let Some(all) = s.get("allOf").and_then(|a| a.as_array()) {
            let mut out = Map::new();
            for part in all {
                if let Value::Object(m) = self.synth(part, name, depth) {
                    for (k, v) in m {
                        out.insert(k, v);
                    }
                }
            }
            // an allOf may also carry its own properties
            if let Value::Object(m) = self.synth_object(s, depth) {
                for (k, v) in m {
                    out.insert(k, v);
                }
            }
            return Value::Object(out);
        }
        if let Some(one) = s.get("oneOf").or_else(|| s.get("anyOf")).and_then(|a| a.as_array()) {
            let disc = s.pointer("/discriminator/propertyName").and_then(|p| p.as_str());
            let mapping = s.pointer("/discriminator/mapping").and_then(|m| m.as_object());
            let mut first = None;
            for alt in one {
                let mut v = self.synth(alt, name, depth);
                if let (Some(d), Some(m), Some(r)) = (disc, mapping, alt.get("$ref").and_then(|r| r.as_str())) {
                    if let Some((k, _)) = m.iter().find(|(_, t)| t.as_str() == Some(r)) {
                        if let Some(o) = v.as_object_mut() {
                            o.entry(d.to_string()).or_insert(Value::String(k.clone()));
                        }
                    }
                }
                let matches = one.iter().filter(|a| self.validate(a, &v).is_ok()).count();
                if matches == 1 || s.get("anyOf").is_some() {
                    return v;
                }
                first.get_or_insert(v);
            }
            return first.unwrap_or(Value::Null);
        }
        if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
            if let Some(first) = e.iter().find(|v| !v.is_null()) {
                return first.clone();
            }
        }
        let ty = s.get("type").and_then(|t| t.as_str()).unwrap_or(if s.get("properties").is_some() { "object" } else { "" });
        match ty {
            "object" => self.synth_object(s, depth),
            "array" => {
                let n = s.get("minItems").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
                let items = s.get("items").cloned().unwrap_or(Value::Null);
                Value::Array((0..n).map(|_| self.synth(&items, name, depth + 1)).collect())
            }
            "string" => synth_string(s, name),
            "integer" => {
                let min = s.get("minimum").and_then(|v| v.as_f64());
                let max = s.get("maximum").and_then(|v| v.as_f64());
                let mut v = s.get("default").and_then(|d| d.as_i64()).map(|d| d as f64).unwrap_or(0.0);
                if let Some(m) = min {
                    if v < m {
                        v = m.ceil();
                    }
                }
                if let Some(m) = max {
                    if v > m {
                        v = m.floor();
                    }
                }
                if name.map(|n| n == "id").unwrap_or(false) && v == 0.0 {
                    v = 1.0;
                }
                Value::from(v as i64)
            }
            "number" => {
                let min = s.get("minimum").and_then(|v| v.as_f64()).unwrap_or(0.0);
                let v = s.get("default").and_then(|d| d.as_f64()).unwrap_or(min).max(min);
                Value::from(v)
            }
            "boolean" => Value::Bool(s.get("default").and_then(|d| d.as_bool()).unwrap_or(false)),
            _ => {
                if s.get("nullable").and_then(|n| n.as_bool()).unwrap_or(false) {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                }
            }
        }
    }

    fn synth_object(&self, s: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> =
            s.get("required").and_then(|r| r.as_array()).map(|r| r.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        if let Some(props) = s.get("properties").and_then(|p| p.as_object()) {
            for (k, v) in props {
                let req = required.contains(&k.as_str());
                // Optional properties: filled near the top for realism, skipped deeper
                // (the spec has self-referencing shapes).
                if !req {
                    if depth >= 2 {
                        continue;
                    }
                    let d = self.deref(v);
                    if d.get("deprecated").and_then(|x| x.as_bool()).unwrap_or(false) {
                        continue;
                    }
                    if d.get("nullable").and_then(|x| x.as_bool()).unwrap_or(false) {
                        continue;
                    }
                }
                if depth > 12 && depth < 100 {
                    continue;
                }
                if depth > 140 {
                    continue;
                }
                out.insert(k.clone(), self.synth(v, Some(k), depth + 1));
            }
        }
        Value::Object(out)
    }

    // ---------------------------------------------------------------- validation

    /// Validates `value` against `schema`; returns the first problem found.
    pub fn validate(&self, schema: &Value, value: &Value) -> Result<(), String> {
        self.validate_at(schema, value, "$")
    }

    /// The properties `schema` requires at the top level (its `allOf` parts
    /// included) that the object `value` lacks, in the schema's order.
    pub fn missing_required(&self, schema: &Value, value: &Value) -> Vec<String> {
        let Some(obj) = value.as_object() else { return Vec::new() };
        let mut out: Vec<String> = Vec::new();
        self.required_of(schema, &mut |name| {
            if !obj.contains_key(name) && !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        });
        out
    }

    fn required_of(&self, schema: &Value, f: &mut dyn FnMut(&str)) {
        let s = self.deref(schema);
        if let Some(all) = s.get("allOf").and_then(|a| a.as_array()) {
            for part in all {
                self.required_of(part, f);
            }
        }
        for r in s.get("required").and_then(|r| r.as_array()).into_iter().flatten().filter_map(|r| r.as_str()) {
            f(r);
        }
    }

    /// [`Spec::validate`] with `at` the path of `value` in the messages.
    pub fn validate_at(&self, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
        let s = self.deref(schema);
        if !s.is_object() {
            return Ok(());
        }
        if value.is_null() {
            if s.get("nullable").and_then(|n| n.as_bool()).unwrap_or(false) {
                return Ok(());
            }
            // A nullable $ref'd schema inside allOf is handled by its parts.
            if s.get("type").is_none() && s.get("allOf").is_none() && s.get("properties").is_none() && s.get("enum").is_none() {
                return Ok(());
            }
            return Err(format!("{at}: null is not allowed"));
        }
        if let Some(all) = s.get("allOf").and_then(|a| a.as_array()) {
            for part in all {
                self.validate_at(part, value, at)?;
            }
        }
        // A discriminator whose property names a mapped schema picks that alternative
        // (two alternatives may both accept a value, e.g. the email server configs,
        // where `SharedEmailServer` accepts any standard one too).
        let picked = s
            .pointer("/discriminator/propertyName")
            .and_then(|p| p.as_str())
            .and_then(|p| value.get(p))
            .and_then(|t| t.as_str())
            .and_then(|t| s.pointer("/discriminator/mapping").and_then(|m| m.get(t)).and_then(|r| r.as_str()));
        if let Some(r) = picked {
            self.validate_at(&serde_json::json!({ "$ref": r }), value, at)?;
        } else if let Some(one) = s.get("oneOf").or_else(|| s.get("anyOf")).and_then(|a| a.as_array()) {
            let mut last = String::new();
            let mut matched = 0;
            for part in one {
                match self.validate_at(part, value, at) {
                    Ok(()) => matched += 1,
                    Err(e) => last = e,
                }
            }
            if matched == 0 {
                return Err(format!("{at}: matches no alternative ({last})"));
            }
            if matched > 1 && s.get("oneOf").is_some() {
                return Err(format!("{at}: matches more than one alternative of a oneOf"));
            }
        }
        if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
            if !e.contains(value) {
                return Err(format!("{at}: {value} is not one of {}", Value::Array(e.clone())));
            }
        }
        let ty = s.get("type").and_then(|t| t.as_str());
        let type_ok = match ty {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            // floats (including huge integers parsed as floats) are not integers
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => true,
        };
        if !type_ok {
            return Err(format!(
                "{at}: expected {} {}",
                if ty == Some("integer") || ty == Some("array") || ty == Some("object") { "an" } else { "a" },
                ty.unwrap_or("")
            ));
        }
        if let Some(n) = value.as_f64() {
            if let Some(min) = s.get("minimum").and_then(|m| m.as_f64()) {
                if n < min {
                    return Err(format!("{at}: {n} is less than the minimum {min}"));
                }
            }
            if let Some(max) = s.get("maximum").and_then(|m| m.as_f64()) {
                if n > max {
                    return Err(format!("{at}: {n} is greater than the maximum {max}"));
                }
            }
        }
        if let Some(st) = value.as_str() {
            let len = st.chars().count() as u64;
            if let Some(min) = s.get("minLength").and_then(|m| m.as_u64()) {
                if len < min {
                    return Err(format!("{at}: shorter than {min} characters"));
                }
            }
            if let Some(max) = s.get("maxLength").and_then(|m| m.as_u64()) {
                if len > max {
                    return Err(format!("{at}: longer than {max} characters"));
                }
            }
            if let Some(fmt) = s.get("format").and_then(|f| f.as_str()) {
                let ok = match fmt {
                    "date-time" => is_date_time(st),
                    "uuid" => uuid::Uuid::parse_str(st).is_ok(),
                    "email" => st.contains('@'),
                    _ => true,
                };
                if !ok {
                    return Err(format!("{at}: {st:?} is not a valid {fmt}"));
                }
            }
            if let Some(p) = s.get("pattern").and_then(|p| p.as_str()) {
                if !simple_pattern_ok(p, st) {
                    return Err(format!("{at}: {st:?} does not match {p}"));
                }
            }
        }
        if let Some(arr) = value.as_array() {
            if let Some(min) = s.get("minItems").and_then(|m| m.as_u64()) {
                if (arr.len() as u64) < min {
                    return Err(format!("{at}: fewer than {min} items"));
                }
            }
            if let Some(max) = s.get("maxItems").and_then(|m| m.as_u64()) {
                if (arr.len() as u64) > max {
                    return Err(format!("{at}: more than {max} items"));
                }
            }
            if let Some(items) = s.get("items") {
                for (i, item) in arr.iter().enumerate() {
                    self.validate_at(items, item, &format!("{at}[{i}]"))?;
                }
            }
        }
        if let Some(obj) = value.as_object() {
            if let Some(req) = s.get("required").and_then(|r| r.as_array()) {
                for r in req.iter().filter_map(|r| r.as_str()) {
                    if !obj.contains_key(r) {
                        return Err(format!("{at}: missing required property {r:?}"));
                    }
                }
            }
            let props = s.get("properties").and_then(|p| p.as_object());
            for (k, v) in obj {
                if let Some(ps) = props.and_then(|p| p.get(k)) {
                    self.validate_at(ps, v, &format!("{at}.{k}"))?;
                } else if let Some(ap) = s.get("additionalProperties") {
                    if ap.is_object() {
                        self.validate_at(ap, v, &format!("{at}.{k}"))?;
                    } else if ap == &Value::Bool(false) {
                        return Err(format!("{at}: unexpected property {k:?}"));
                    }
                }
            }
        }
        Ok(())
    }
}

fn deref_value<'a>(root: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match v.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => {
                let ptr = r.trim_start_matches('#');
                match root.pointer(ptr) {
                    Some(t) => v = t,
                    None => return v,
                }
            }
            None => return v,
        }
    }
    v
}

fn synth_string(s: &Value, name: Option<&str>) -> Value {
    let fmt = s.get("format").and_then(|f| f.as_str()).unwrap_or("");
    let v = match fmt {
        "date-time" => crate::util::now_rfc3339(),
        "uuid" => "00000000-0000-4000-8000-000000000000".to_string(),
        "email" => "user@example.com".to_string(),
        "uri" => "https://example.com".to_string(),
        "binary" => String::new(),
        "date" => "2025-01-01".to_string(),
        _ => {
            if let Some(d) = s.get("default").and_then(|d| d.as_str()) {
                d.to_string()
            } else {
                match name {
                    Some("region_id") => "aws-us-east-2".to_string(),
                    Some(n) if n.ends_with("_id") || n == "id" => "id-1".to_string(),
                    Some(n) => n.to_string(),
                    None => "value".to_string(),
                }
            }
        }
    };
    let min = s.get("minLength").and_then(|m| m.as_u64()).unwrap_or(0) as usize;
    let max = s.get("maxLength").and_then(|m| m.as_u64()).map(|m| m as usize);
    let mut v = v;
    while v.chars().count() < min {
        v.push('x');
    }
    if let Some(max) = max {
        if v.chars().count() > max {
            v = v.chars().take(max).collect();
        }
    }
    Value::String(v)
}

/// RFC 3339 date-time check (the shape, not the calendar).
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(|c| c.is_ascii_digit());
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (s.ends_with('Z') || s.ends_with('z') || s[19..].contains('+') || s[19..].contains('-'))
}

/// The spec only uses three patterns, all of the same family.
fn simple_pattern_ok(pattern: &str, s: &str) -> bool {
    match pattern {
        "^[a-z0-9-]{1,60}$" => is_id(s, 60),
        "^[a-z0-9]{1,20}$" => !s.is_empty() && s.len() <= 20 && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "^([a-z0-9-]{1,60}(,[a-z0-9-]{1,60}){0,99})?$" => s.is_empty() || s.split(',').count() <= 100 && s.split(',').all(|p| is_id(p, 60)),
        _ => true,
    }
}

pub fn is_id(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}
