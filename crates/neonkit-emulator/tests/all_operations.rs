//! Every one of the spec's operations answers its success status for a well-formed
//! request, with a body that validates against the spec's response schema.

use neonkit_emulator::spec::{spec, Op};
use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

struct Ctx {
    client: reqwest::Client,
    base: String,
    key: String,
    ids: HashMap<&'static str, String>,
}

impl Ctx {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.base, path);
        let mut rb = self.client.request(method.parse().unwrap(), url).bearer_auth(&self.key);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Values for path parameters, by name; `victim` resources for deletes.
fn path_value(ctx: &Ctx, op: &Op, name: &str) -> String {
    let del = op.method == "DELETE";
    let key = match (name, del) {
        ("branch_id", true) if op.operation_id == "deleteProjectBranch" => "victim_branch",
        ("branch_id", _) if op.operation_id == "recoverProjectBranch" => "victim_branch",
        ("member_id", _) if op.operation_id == "removeOrganizationMember" => "other_member_id",
        // the caller's own project role is not lowered (that needs a confirmation flag)
        ("member_id", _) if op.operation_id.contains("ProjectMemberRole") => "other_member_id",
        ("branch_id", _) if op.operation_id == "sendNeonAuthEmailProviderTest" => "auth_branch",
        ("branch_id", _) if op.operation_id == "finalizeRestoreBranch" => "restored_branch",
        ("endpoint_id", true) => "victim_endpoint",
        ("database_name", true) if op.operation_id == "deleteProjectBranchDatabase" => "victim_db",
        ("role_name", true) => "victim_role",
        ("key_id", true) if op.operation_id == "revokeOrgApiKey" => "org_key_id",
        ("key_id", _) if op.operation_id.contains("Org") => "org_key_id",
        ("source_org_id", _) => "org_id",
        (n, _) => match n {
            "project_id" | "branch_id" | "endpoint_id" | "database_name" | "role_name" | "org_id" | "operation_id" | "key_id"
            | "member_id" | "snapshot_id" | "permission_id" | "jwks_id" => n,
            _ => "",
        },
    };
    if let Some(v) = ctx.ids.get(key) {
        return v.clone();
    }
    // long-tail families: fixed names that their creators use too
    match name {
        "bucket_name" => "assets".into(),
        "object_key" => "file.txt".into(),
        "slug" => "hello".into(),
        "token_id" => ctx.ids.get("token_id").cloned().unwrap_or_else(|| "tok-1".into()),
        "auth_user_id" => ctx.ids.get("auth_user_id").cloned().unwrap_or_else(|| "user-1".into()),
        "oauth_provider_id" => "google".into(),
        "vpc_endpoint_id" => "vpce-1234567890abcdef0".into(),
        "region_id" => "aws-us-east-2".into(),
        "request_id" => ctx.ids.get("transfer_request_id").cloned().unwrap_or_else(|| "req-1".into()),
        "auth_provider" => "stack".into(),
        "trigger_id" => ctx.ids["trigger_id"].clone(),
        "domain" => "app.example.com".into(),
        "field_name" => "severity_text".into(),
        other => panic!("no value for path parameter {other} of {}", op.operation_id),
    }
}

fn query_value(ctx: &Ctx, name: &str, schema: &Value) -> Option<String> {
    Some(match name {
        "database_name" | "db_name" => "neondb".into(),
        "role_name" => "neondb_owner".into(),
        "org_id" => ctx.ids["org_id"].clone(),
        "from" => "2025-01-01T00:00:00Z".into(),
        "to" => "2025-01-02T00:00:00Z".into(),
        "granularity" => "daily".into(),
        "metrics" => "active_time_seconds".into(),
        "key" => "file.txt".into(),
        "prefix" => "dir/".into(),
        "project_ids" => ctx.ids["project_id"].clone(),
        _ => {
            let v = spec().synth_minimal(schema);
            match v {
                Value::String(s) => s,
                Value::Array(_) => return None,
                other => other.to_string(),
            }
        }
    })
}

fn body_for(ctx: &Ctx, op: &Op) -> Option<Value> {
    let s = spec();
    let over = match op.operation_id.as_str() {
        "createProject" => Some(json!({"project": {"name": "second"}})),
        "createProjectBranch" => Some(json!({"branch": {"name": "feature"}, "endpoints": [{"type": "read_write"}]})),
        "createProjectBranchDatabase" => Some(json!({"database": {"name": "appdb", "owner_name": "neondb_owner"}})),
        "updateProjectBranchDatabase" => Some(json!({"database": {"owner_name": "neondb_owner"}})),
        "createProjectBranchRole" => Some(json!({"role": {"name": "app_user"}})),
        "createProjectEndpoint" => Some(json!({"endpoint": {"branch_id": ctx.ids["victim_branch"], "type": "read_only"}})),
        "updateProjectEndpoint" => Some(json!({"endpoint": {"autoscaling_limit_max_cu": 4}})),
        // the default branch from its own past: that needs a point in time and a name for what it was
        "restoreProjectBranch" => Some(json!({
            "source_branch_id": ctx.ids["branch_id"], "source_lsn": "0/1", "preserve_under_name": "before-restore",
        })),
        "updateProjectBranch" => Some(json!({"branch": {"protected": false}})),
        "createApiKey" => Some(json!({"key_name": "ci"})),
        "createOrgApiKey" => Some(json!({"key_name": "org-ci"})),
        "grantPermissionToProject" => Some(json!({"email": "friend@example.com"})),
        "transferProjectsFromOrgToOrg" | "transferProjectsFromUserToOrg" => {
            Some(json!({"destination_org_id": ctx.ids["org_id"], "project_ids": [ctx.ids["project_id"]]}))
        }
        "createOrganizationInvitations" => Some(json!({"invitations": [{"email": "new@example.com", "role": "member"}]})),
        "updateOrganizationMember" => Some(json!({"role": "admin"})),
        "restoreSnapshot" => Some(json!({"name": "from-snapshot"})),
        "createProjectBranchBucket" => Some(json!({"name": "assets2"})),
        "createProjectBranchTrigger" => {
            Some(json!({"type": "schedule", "function_slug": "hello", "name": "nightly", "schedule": {"cron": "0 3 * * *"}}))
        }
        "registerProjectBranchCustomDomain" => Some(json!({"domain": "www.example.com", "entity_type": "function", "entity_id": "hello"})),
        "queryProjectBranchLogs" => Some(json!({"since": "1h", "limit": 5})),
        "createNeonAuthIntegration" => {
            Some(json!({"auth_provider": "stack", "project_id": ctx.ids["project_id"], "branch_id": ctx.ids["victim_branch"]}))
        }
        _ => None,
    };
    if over.is_some() {
        return over;
    }
    let schema = op.body_schema.as_ref()?;
    if op.body_content_type.as_deref() != Some("application/json") {
        return None;
    }
    let mut v = s.synth_minimal(schema);
    // friendlier values for names the long tail keys on
    for (k, val) in [("slug", "hello"), ("name", "hello")] {
        if v.get(k).map(|x| x.is_string()).unwrap_or(false) {
            v[k] = json!(val);
        }
    }
    Some(v)
}

fn rank(op: &Op) -> (u8, usize, String) {
    let id = op.operation_id.as_str();
    let r = match (op.method.as_str(), id) {
        (_, "deleteProject") => 9,
        (_, "recoverProject") => 10,
        (_, "recoverProjectBranch") => 8,
        ("POST" | "PUT", _) => 1,
        ("GET", _) => 2,
        ("PATCH", _) => 3,
        ("DELETE", _) => 5,
        _ => 4,
    };
    // deeper deletes first
    let depth = if r == 5 { 100 - op.path.matches('/').count() } else { 0 };
    (r, depth, id.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_its_success_status_with_a_spec_valid_body() {
    let emu = Emulator::start(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await.unwrap();
    let mut ctx =
        Ctx { client: reqwest::Client::new(), base: emu.base_url().to_string(), key: emu.api_key().to_string(), ids: HashMap::new() };

    // Fixtures.
    let (st, p) = ctx.call("POST", "/projects", Some(json!({"project": {"name": "fixtures"}}))).await;
    assert_eq!(st, 201, "{p}");
    let pid = p["project"]["id"].as_str().unwrap().to_string();
    ctx.ids.insert("project_id", pid.clone());
    ctx.ids.insert("branch_id", p["branch"]["id"].as_str().unwrap().into());
    ctx.ids.insert("endpoint_id", p["endpoints"][0]["id"].as_str().unwrap().into());
    ctx.ids.insert("database_name", "neondb".into());
    ctx.ids.insert("role_name", "neondb_owner".into());
    ctx.ids.insert("operation_id", p["operations"][0]["id"].as_str().unwrap().into());
    ctx.ids.insert("org_id", p["project"]["org_id"].as_str().unwrap().into());
    let (_, b) = ctx.call("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "victim"}}))).await;
    let vb = b["branch"]["id"].as_str().unwrap().to_string();
    ctx.ids.insert("victim_branch", vb.clone());
    let (_, e) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/endpoints"),
            Some(json!({"endpoint": {"branch_id": p["branch"]["id"], "type": "read_only"}})),
        )
        .await;
    ctx.ids.insert("victim_endpoint", e["endpoint"]["id"].as_str().unwrap().into());
    let bid = ctx.ids["branch_id"].clone();
    let (st, _) = ctx.call("POST", &format!("/projects/{pid}/branches/{bid}/roles"), Some(json!({"role": {"name": "victim_role"}}))).await;
    assert_eq!(st, 201);
    ctx.ids.insert("victim_role", "victim_role".into());
    let (st, _) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/branches/{bid}/databases"),
            Some(json!({"database": {"name": "victim_db", "owner_name": "neondb_owner"}})),
        )
        .await;
    assert_eq!(st, 201);
    ctx.ids.insert("victim_db", "victim_db".into());
    let (_, k) = ctx.call("POST", "/api_keys", Some(json!({"key_name": "fixture"}))).await;
    ctx.ids.insert("key_id", k["id"].to_string());
    let org = ctx.ids["org_id"].clone();
    let (_, k) = ctx.call("POST", &format!("/organizations/{org}/api_keys"), Some(json!({"key_name": "fixture"}))).await;
    ctx.ids.insert("org_key_id", k["id"].to_string());
    let (_, m) = ctx.call("GET", &format!("/organizations/{org}/members"), None).await;
    for m in m["members"].as_array().unwrap() {
        let key = if m["user"]["email"] == "dev@neonkit.invalid" { "member_id" } else { "other_member_id" };
        ctx.ids.insert(key, m["member"]["id"].as_str().unwrap().into());
    }
    let (_, sn) = ctx.call("POST", &format!("/projects/{pid}/branches/{bid}/snapshot"), None).await;
    let snapshot_id = sn["snapshot"]["id"].as_str().unwrap().to_string();
    ctx.ids.insert("snapshot_id", snapshot_id.clone());
    // a restore awaiting its finalization, of a branch of its own (the default keeps its name)
    let (_, rb) = ctx.call("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "restore-target"}}))).await;
    let target = rb["branch"]["id"].as_str().unwrap().to_string();
    let (st, rs) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/snapshots/{snapshot_id}/restore"),
            Some(json!({"name": "preview", "target_branch_id": target})),
        )
        .await;
    assert_eq!(st, 200, "{rs}");
    ctx.ids.insert("restored_branch", rs["branch"]["id"].as_str().unwrap().into());
    let (_, perm) = ctx.call("POST", &format!("/projects/{pid}/permissions"), Some(json!({"email": "a@example.com"}))).await;
    ctx.ids.insert("permission_id", perm["id"].as_str().unwrap().into());
    let (_, j) = ctx
        .call("POST", &format!("/projects/{pid}/jwks"), Some(json!({"jwks_url": "https://example.com/jwks", "provider_name": "clerk"})))
        .await;
    ctx.ids.insert("jwks_id", j["jwks"]["id"].as_str().unwrap().into());
    let (_, tr) = ctx.call("POST", &format!("/projects/{pid}/transfer_requests"), Some(json!({}))).await;
    if let Some(id) = tr["id"].as_str() {
        ctx.ids.insert("transfer_request_id", id.into());
    }
    let (_, c) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/branches/{bid}/credentials"),
            Some(spec().synth_minimal(spec().op("createCredential").unwrap().body_schema.as_ref().unwrap())),
        )
        .await;
    if let Some(id) = c.get("token_id").and_then(|x| x.as_str()) {
        ctx.ids.insert("token_id", id.into());
    }

    // a bucket with an object uploaded through a presigned URL
    let (st, _) = ctx.call("POST", &format!("/projects/{pid}/branches/{bid}/buckets"), Some(json!({"name": "assets"}))).await;
    assert_eq!(st, 201);
    let (st, ps) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/branches/{bid}/buckets/assets/objects/file.txt/presign"),
            Some(json!({"operation": "upload"})),
        )
        .await;
    assert_eq!(st, 200, "{ps}");
    let put = ctx.client.put(ps["url"].as_str().unwrap()).body("hello").send().await.unwrap();
    assert_eq!(put.status().as_u16(), 200);

    // a function with a trigger and a custom domain
    let form = reqwest::multipart::Form::new()
        .text("runtime", "nodejs24")
        .part("zip", reqwest::multipart::Part::bytes(b"export default {}".to_vec()).file_name("bundle.zip"));
    let resp = ctx
        .client
        .post(format!("{}/projects/{pid}/branches/{bid}/functions/hello/deployments", ctx.base))
        .bearer_auth(&ctx.key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let (st, t) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/branches/{bid}/triggers"),
            Some(json!({"type": "schedule", "function_slug": "hello", "name": "fixture", "schedule": {"cron": "*/5 * * * *"}})),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    ctx.ids.insert("trigger_id", t["trigger"]["trigger_id"].as_str().unwrap().into());
    let (st, d) = ctx
        .call(
            "POST",
            &format!("/projects/{pid}/branches/{bid}/custom-domains"),
            Some(json!({"domain": "App.Example.com.", "entity_type": "function", "entity_id": "hello"})),
        )
        .await;
    assert_eq!(st, 201, "{d}");
    // a branch with Neon Auth (Better Auth) and a custom SMTP provider
    let (_, b) = ctx.call("POST", &format!("/projects/{pid}/branches"), Some(json!({"branch": {"name": "auth"}}))).await;
    let ab = b["branch"]["id"].as_str().unwrap().to_string();
    ctx.ids.insert("auth_branch", ab.clone());
    let (st, _) = ctx.call("POST", &format!("/projects/{pid}/branches/{ab}/auth"), Some(json!({"auth_provider": "better_auth"}))).await;
    assert_eq!(st, 201);
    let smtp = json!({"type": "standard", "host": "smtp.example.com", "port": 587, "username": "mailer", "password": "hunter2",
                      "sender_email": "auth@example.com", "sender_name": "Example"});
    let (st, e) = ctx.call("PATCH", &format!("/projects/{pid}/branches/{ab}/auth/email_provider"), Some(smtp)).await;
    assert_eq!(st, 200, "{e}");

    let mut ops: Vec<&Op> = spec().ops.iter().collect();
    ops.sort_by_key(|o| rank(o));
    let mut failures = Vec::new();
    for op in &ops {
        let mut path = String::new();
        for seg in op.path.split('/').filter(|s| !s.is_empty()) {
            path.push('/');
            if seg.starts_with('{') {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                path.push_str(&enc(&path_value(&ctx, op, name)));
            } else {
                path.push_str(seg);
            }
        }
        let mut qs = Vec::new();
        for p in op.params.iter().filter(|p| p.location == "query" && p.required) {
            if let Some(v) = query_value(&ctx, &p.name, &p.schema) {
                qs.push(format!("{}={}", p.name, enc(&v)));
            }
        }
        if !qs.is_empty() {
            path = format!("{path}?{}", qs.join("&"));
        }
        let (status, body) = if op.body_content_type.as_deref() == Some("multipart/form-data") {
            let form = reqwest::multipart::Form::new()
                .text("runtime", "nodejs24")
                .part("zip", reqwest::multipart::Part::bytes(b"export default {}".to_vec()).file_name("bundle.zip"));
            let resp = ctx.client.post(format!("{}{}", ctx.base, path)).bearer_auth(&ctx.key).multipart(form).send().await.unwrap();
            let st = resp.status().as_u16();
            (st, serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null))
        } else {
            ctx.call(&op.method, &path, body_for(&ctx, op)).await
        };
        if op.operation_id == "createBranchNeonAuthNewUser" {
            if let Some(id) = body["id"].as_str() {
                ctx.ids.insert("auth_user_id", id.to_string());
            }
        }
        if status != op.success_status {
            failures.push(format!("{} {} {path}: status {status} (want {}): {body}", op.operation_id, op.method, op.success_status));
            continue;
        }
        if let Some(schema) = &op.success_schema {
            if op.success_content_type.as_deref() == Some("application/json") {
                if let Err(e) = spec().validate(schema, &body) {
                    failures.push(format!("{}: body does not match the spec: {e}: {body}", op.operation_id));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} operations failed:\n{}", failures.len(), ops.len(), failures.join("\n"));
    // the vendored document's 163 and the overlay's 17
    assert_eq!(ops.len(), 180);
    for op in &ops {
        assert!(emu.request_count(&op.operation_id) >= 1, "{} was never requested", op.operation_id);
    }
}

/// Unknown projects are 404s whose bodies match what the operation declares for 404
/// (its own schema where it has one, else Neon's general error).
#[tokio::test]
async fn unknown_project_errors_match_the_declared_error_schemas() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let ctx = Ctx { client: reqwest::Client::new(), base: emu.base_url().to_string(), key: emu.api_key().to_string(), ids: HashMap::new() };
    let s = spec();
    let general = s.schema("GeneralError").clone();
    let mut checked = 0;
    for op in s.ops.iter().filter(|o| o.path.starts_with("/projects/{project_id}")) {
        let mut path = String::new();
        for seg in op.path.split('/').filter(|x| !x.is_empty()) {
            path.push('/');
            path.push_str(if seg.starts_with('{') { "missing-project-00000000" } else { seg });
        }
        let mut qs = Vec::new();
        for p in op.params.iter().filter(|p| p.location == "query" && p.required) {
            qs.push(format!("{}=x", p.name));
        }
        if !qs.is_empty() {
            path = format!("{path}?{}", qs.join("&"));
        }
        let body =
            op.body_schema.as_ref().filter(|_| op.body_content_type.as_deref() == Some("application/json")).map(|b| s.synth_minimal(b));
        let (status, v) = ctx.call(&op.method, &path, body).await;
        assert!(status == 404 || status == 400, "{}: {status} {v}", op.operation_id);
        let schema = op.error_schemas.iter().find(|(c, _)| *c == status).map(|(_, x)| x.clone()).unwrap_or(general.clone());
        s.validate(&schema, &v).unwrap_or_else(|e| panic!("{}: {e}: {v}", op.operation_id));
        assert!(v["request_id"].is_string());
        checked += 1;
    }
    assert!(checked > 100);
    let (st, v) = ctx.call("GET", "/projects/missing-project-00000000/branches/br-x-1/storage", None).await;
    assert_eq!(st, 404);
    assert!(v["reason"].is_string(), "{v}");
}
