//! The overlay's families (project members, credential reveal/rotate, branch logs,
//! triggers, custom domains, the Neon Auth email provider test) over real HTTP,
//! every success body checked against the merged spec.

use neonkit_emulator::spec::spec;
use neonkit_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

struct T {
    emu: Emulator,
    http: reqwest::Client,
}

impl T {
    async fn new() -> T {
        let emu = Emulator::start(EmulatorConfig { operation_duration: Duration::ZERO, ..Default::default() }).await.unwrap();
        T { emu, http: reqwest::Client::new() }
    }
    /// A request for `op`; a success must carry the op's status and a spec-valid body,
    /// an error must match the op's declared error shape.
    async fn op(&self, op: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let o = spec().op(op).unwrap_or_else(|| panic!("no operation {op}"));
        let mut rb = self.http.request(o.method.parse().unwrap(), format!("{}{path}", self.emu.base_url())).bearer_auth(self.emu.api_key());
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            assert_eq!(status, o.success_status, "{op} {path}: {v}");
            if let Some(schema) = &o.success_schema {
                spec().validate(schema, &v).unwrap_or_else(|e| panic!("{op}: {e}: {v}"));
            }
        } else {
            let schema = o.error_schemas.iter().find(|(c, _)| *c == status).map(|(_, s)| s.clone());
            let schema = schema.unwrap_or_else(|| spec().schema("GeneralError").clone());
            spec().validate(&schema, &v).unwrap_or_else(|e| panic!("{op} error {status}: {e}: {v}"));
        }
        (status, v)
    }
    /// A project: its id and default branch id.
    async fn project(&self, name: &str) -> (String, String) {
        let (s, v) = self.op("createProject", "/projects", Some(json!({"project": {"name": name}}))).await;
        assert_eq!(s, 201, "{v}");
        (v["project"]["id"].as_str().unwrap().into(), v["branch"]["id"].as_str().unwrap().into())
    }
    async fn branch(&self, pid: &str, name: &str, parent: Option<&str>) -> String {
        let mut b = json!({"branch": {"name": name}});
        if let Some(p) = parent {
            b["branch"]["parent_id"] = json!(p);
        }
        let (s, v) = self.op("createProjectBranch", &format!("/projects/{pid}/branches"), Some(b)).await;
        assert_eq!(s, 201, "{v}");
        v["branch"]["id"].as_str().unwrap().into()
    }
    async fn deploy_function(&self, pid: &str, bid: &str, slug: &str) {
        let form = reqwest::multipart::Form::new()
            .text("runtime", "nodejs24")
            .part("zip", reqwest::multipart::Part::bytes(b"PK".to_vec()).file_name("f.zip"));
        let url = format!("{}/projects/{pid}/branches/{bid}/functions/{slug}/deployments", self.emu.base_url());
        let r = self.http.post(url).bearer_auth(self.emu.api_key()).multipart(form).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
}

// ------------------------------------------------------------------ members

fn member<'a>(list: &'a Value, email: &str) -> &'a Value {
    list["project_members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap_or_else(|| panic!("no {email} in {list}"))
}

#[tokio::test]
async fn project_members_roles_pagination_and_the_self_demotion_and_lockout_flags() {
    let t = T::new().await;
    let (pid, _) = t.project("members").await;
    let base = format!("/projects/{pid}/members");
    let (s, l) = t.op("listProjectMembers", &base, None).await;
    assert_eq!(s, 200);
    assert_eq!(l["project_members"].as_array().unwrap().len(), 2);
    let me = member(&l, "dev@neonkit.invalid").clone();
    assert_eq!(me["org_role"], "admin");
    assert_eq!(me["explicit_project_permission"], "ADMIN");
    assert_eq!(me["effective_project_permission"], "ADMIN");
    assert_eq!(me["project_role"], "admin");
    assert_eq!(me["grant_source"], "explicit");
    let other = member(&l, "colleague@neonkit.invalid").clone();
    assert_eq!(other["org_role"], "member");
    assert_eq!(other["org_default_project_permission"], "VIEWER");
    assert_eq!(other["effective_project_permission"], "VIEWER");
    assert_eq!(other["grant_source"], "org_role_default");
    assert!(other.get("explicit_project_permission").is_none());
    let (my_id, other_id) = (me["member_id"].as_str().unwrap().to_string(), other["member_id"].as_str().unwrap().to_string());

    // pages of one, `pagination.next` as the cursor; the last page's cursor gives an empty page
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (s, page) = t.op("listProjectMembers", &format!("{base}?limit=1{q}"), None).await;
        assert_eq!(s, 200);
        let items = page["project_members"].as_array().unwrap();
        if items.is_empty() {
            assert!(page["pagination"].get("next").is_none());
            break;
        }
        assert_eq!(items.len(), 1);
        seen.push(items[0]["member_id"].as_str().unwrap().to_string());
        cursor = Some(page["pagination"]["next"].as_str().unwrap().to_string());
        assert!(seen.len() <= 2, "the walk does not end");
    }
    assert_eq!(seen.len(), 2);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 2);

    // someone else's role: set, then set lower (a rotation hint), then removed
    let (s, v) = t.op("setProjectMemberRole", &format!("{base}/{other_id}/role"), Some(json!({"role": "editor"}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["project_id"], pid.as_str());
    assert_eq!(v["explicit_project_permission"], "EDITOR");
    assert_eq!(v["effective_project_permission"], "EDITOR");
    assert_eq!(v["credential_rotation_recommended"], false);
    let (_, l) = t.op("listProjectMembers", &base, None).await;
    assert_eq!(member(&l, "colleague@neonkit.invalid")["grant_source"], "explicit");
    let (_, v) = t.op("setProjectMemberRole", &format!("{base}/{other_id}/role"), Some(json!({"role": "viewer"}))).await;
    assert_eq!(v["effective_project_permission"], "VIEWER");
    assert_eq!(v["credential_rotation_recommended"], true);
    let (s, v) = t.op("removeProjectMemberRole", &format!("{base}/{other_id}/role"), None).await;
    assert_eq!(s, 200);
    assert!(v.get("explicit_project_permission").is_none());
    // idempotent: removing again is a no-op
    assert_eq!(t.op("removeProjectMemberRole", &format!("{base}/{other_id}/role"), None).await.0, 200);

    // unknown member
    let unknown = "00000000-0000-4000-8000-00000000abcd";
    assert_eq!(t.op("setProjectMemberRole", &format!("{base}/{unknown}/role"), Some(json!({"role": "viewer"}))).await.0, 404);
    assert_eq!(t.op("removeProjectMemberRole", &format!("{base}/{unknown}/role"), None).await.0, 404);

    // your own role: the same again needs no flag; lower does
    assert_eq!(t.op("setProjectMemberRole", &format!("{base}/{my_id}/role"), Some(json!({"role": "admin"}))).await.0, 200);
    let (s, e) = t.op("setProjectMemberRole", &format!("{base}/{my_id}/role"), Some(json!({"role": "viewer"}))).await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(e["code"], "self_demotion_not_confirmed");
    assert!(e["message"].as_str().unwrap().contains("confirm_self_demotion=true"), "{e}");
    let (s, e) =
        t.op("setProjectMemberRole", &format!("{base}/{my_id}/role?confirm_self_demotion=false"), Some(json!({"role": "editor"}))).await;
    assert_eq!(s, 400, "{e}");
    let (s, e) = t.op("removeProjectMemberRole", &format!("{base}/{my_id}/role"), None).await;
    assert_eq!(s, 400, "{e}");
    assert_eq!(e["code"], "self_lockout_not_confirmed");
    assert!(e["message"].as_str().unwrap().contains("confirm_self_lockout=true"), "{e}");
    // nothing changed
    let (_, l) = t.op("listProjectMembers", &base, None).await;
    assert_eq!(member(&l, "dev@neonkit.invalid")["effective_project_permission"], "ADMIN");

    // with the flag: demoted (the org role's EDITOR still applies), and no longer managing members
    let (s, v) =
        t.op("setProjectMemberRole", &format!("{base}/{my_id}/role?confirm_self_demotion=true"), Some(json!({"role": "viewer"}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["explicit_project_permission"], "VIEWER");
    assert_eq!(v["effective_project_permission"], "EDITOR");
    assert_eq!(v["org_api_key_rotation_recommended"], true);
    let (s, e) = t.op("setProjectMemberRole", &format!("{base}/{other_id}/role"), Some(json!({"role": "admin"}))).await;
    assert_eq!(s, 403, "{e}");
    let (_, l) = t.op("listProjectMembers", &base, None).await;
    assert_eq!(l["project_members"].as_array().unwrap().len(), 2, "members with access are still listed");

    // lockout with the flag, on another project
    let (pid2, _) = t.project("lockout").await;
    let base2 = format!("/projects/{pid2}/members");
    let (s, v) = t.op("removeProjectMemberRole", &format!("{base2}/{my_id}/role?confirm_self_lockout=true"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["effective_project_permission"], "EDITOR");
    let (_, l) = t.op("listProjectMembers", &base2, None).await;
    let me2 = member(&l, "dev@neonkit.invalid");
    assert_eq!(me2["grant_source"], "org_role_default");
    assert!(me2.get("explicit_project_permission").is_none());
    // the first project is untouched by the second's grants
    let (_, l) = t.op("listProjectMembers", &base, None).await;
    assert_eq!(member(&l, "dev@neonkit.invalid")["explicit_project_permission"], "VIEWER");
    assert_eq!(t.op("listProjectMembers", "/projects/no-such-project-1/members", None).await.0, 404);
}

// ------------------------------------------------------------------ credentials

#[tokio::test]
async fn credentials_reveal_rotate_and_the_old_secret_is_gone() {
    let t = T::new().await;
    let (pid, bid) = t.project("creds").await;
    let other_branch = t.branch(&pid, "other", None).await;
    let base = format!("/projects/{pid}/branches/{bid}/credentials");
    let body = json!({"name": "ci", "scopes": ["storage:read", "storage:write"], "principal_type": "user"});
    let (s, c) = t.op("createCredential", &base, Some(body)).await;
    assert_eq!(s, 201, "{c}");
    let tok = c["token_id"].as_str().unwrap().to_string();
    assert!(tok.starts_with("nak_live_") && tok.len() == 9 + 32, "{tok}");
    assert_eq!(c["token_id_short"].as_str().unwrap(), &tok[9..21]);
    assert!(c["s3_secret_access_key"].as_str().unwrap().starts_with("nsk_live_"));
    let (old_token, old_s3) = (c["api_token"].as_str().unwrap().to_string(), c["s3_secret_access_key"].as_str().unwrap().to_string());

    let (s, r) = t.op("revealCredential", &format!("{base}/{tok}/reveal"), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r, json!({"token_id": tok, "api_token": old_token, "s3_secret_access_key": old_s3}));
    // reveal is scoped by project: another branch of the project authorizes it too
    let (s, r2) = t.op("revealCredential", &format!("/projects/{pid}/branches/{other_branch}/credentials/{tok}/reveal"), None).await;
    assert_eq!(s, 200);
    assert_eq!(r2, r);

    let (s, rot) = t.op("rotateCredential", &format!("{base}/{tok}/rotate"), None).await;
    assert_eq!(s, 200, "{rot}");
    assert_eq!(rot["token_id"], tok.as_str());
    assert_eq!(rot["branch_id"], bid.as_str());
    assert_eq!(rot["principal_type"], "user");
    assert_eq!(rot["name"], "ci");
    assert_eq!(rot["scopes"], json!(["storage:read", "storage:write"]));
    assert_eq!(rot["created_at"], c["created_at"]);
    let (new_token, new_s3) = (rot["api_token"].as_str().unwrap().to_string(), rot["s3_secret_access_key"].as_str().unwrap().to_string());
    assert_ne!(new_token, old_token);
    assert_ne!(new_s3, old_s3);
    let (_, r) = t.op("revealCredential", &format!("{base}/{tok}/reveal"), None).await;
    assert_eq!(r["api_token"], new_token.as_str());
    assert_eq!(r["s3_secret_access_key"], new_s3.as_str());
    // rotating again supersedes the previous replacement
    let (_, rot2) = t.op("rotateCredential", &format!("{base}/{tok}/rotate"), None).await;
    assert_ne!(rot2["api_token"], new_token.as_str());
    let (_, r) = t.op("revealCredential", &format!("{base}/{tok}/reveal"), None).await;
    assert_eq!(r["api_token"], rot2["api_token"]);
    // the listing never carries a secret
    let (_, l) = t.op("listCredentials", &base, None).await;
    let listed = l.to_string();
    for secret in [&old_token, &old_s3, &new_token, &new_s3] {
        assert!(!listed.contains(secret.as_str()));
    }

    // unknown tokens, another project, revoked credentials: 404
    assert_eq!(t.op("revealCredential", &format!("{base}/nak_live_00000000000000000000000000000000/reveal"), None).await.0, 404);
    assert_eq!(t.op("rotateCredential", &format!("{base}/nak_live_00000000000000000000000000000000/rotate"), None).await.0, 404);
    let (pid2, bid2) = t.project("elsewhere").await;
    assert_eq!(t.op("revealCredential", &format!("/projects/{pid2}/branches/{bid2}/credentials/{tok}/reveal"), None).await.0, 404);
    assert_eq!(t.op("revealCredential", &format!("/projects/{pid}/branches/br-missing-1/credentials/{tok}/reveal"), None).await.0, 404);
    assert_eq!(t.op("revokeCredential", &format!("{base}/{tok}"), None).await.0, 204);
    assert_eq!(t.op("revealCredential", &format!("{base}/{tok}/reveal"), None).await.0, 404);
    assert_eq!(t.op("rotateCredential", &format!("{base}/{tok}/rotate"), None).await.0, 404);

    // no secret reached the branch's log
    let (_, logs) =
        t.op("queryProjectBranchLogs", &format!("/projects/{pid}/branches/{bid}/logs/query"), Some(json!({"limit": 1000}))).await;
    assert!(logs["logs"].as_array().unwrap().len() >= 8, "{logs}");
    let text = logs.to_string();
    for secret in [&old_token, &old_s3, &new_token, &new_s3, &rot2["api_token"].as_str().unwrap().to_string()] {
        assert!(!text.contains(secret.as_str()), "a secret is in the log");
    }
}

// ------------------------------------------------------------------ logs

#[tokio::test]
async fn branch_logs_record_requests_and_the_body_cursor_walks_every_page() {
    let t = T::new().await;
    let (pid, bid) = t.project("logs").await;
    let other = t.branch(&pid, "quiet", None).await;
    let b = format!("/projects/{pid}/branches/{bid}");
    let q = format!("{b}/logs/query");
    // nothing yet on the fresh branch
    let (_, v) = t.op("queryProjectBranchLogs", &format!("/projects/{pid}/branches/{other}/logs/query"), Some(json!({}))).await;
    assert_eq!(v["logs"], json!([]));
    assert_eq!(v["is_truncated"], false);
    let (_, f) = t.op("listProjectBranchLogFields", &format!("/projects/{pid}/branches/{other}/logs/fields"), None).await;
    assert_eq!(f["fields"], json!([]));

    for _ in 0..7 {
        assert_eq!(t.op("getProjectBranch", &b, None).await.0, 200);
    }
    assert_eq!(t.op("getProjectBranchDatabase", &format!("{b}/databases/nope"), None).await.0, 404);
    assert_eq!(t.op("listProjectBranchRoles", &format!("{b}/roles"), None).await.0, 200);
    let total = 9;

    // the walk: pages of 2, the cursor in the body, while is_truncated
    let mut body = json!({"limit": 2});
    let mut got: Vec<Value> = Vec::new();
    let mut pages = 0;
    loop {
        let (s, page) = t.op("queryProjectBranchLogs", &q, Some(body.clone())).await;
        assert_eq!(s, 200, "{page}");
        pages += 1;
        let items = page["logs"].as_array().unwrap();
        assert!(items.len() <= 2);
        got.extend(items.iter().cloned());
        // requests during the walk (this one included) do not join it
        assert_eq!(t.op("getProjectBranch", &b, None).await.0, 200);
        if page["is_truncated"] == false {
            assert_eq!(page["next_cursor"], "");
            break;
        }
        let c = page["next_cursor"].as_str().unwrap();
        assert!(!c.is_empty());
        body["cursor"] = json!(c);
        assert!(pages < 20, "the walk does not end");
    }
    assert_eq!(pages, 5);
    assert_eq!(got.len(), total);
    let ids: HashSet<String> = got.iter().map(|l| l["attributes"]["neon.request_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), total, "no line twice");
    let stamps: Vec<&str> = got.iter().map(|l| l["timestamp"].as_str().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "newest first: {stamps:?}");
    let newest = &got[0];
    assert_eq!(newest["scope_name"], "listProjectBranchRoles");
    assert_eq!(newest["attributes"]["http.request.method"], "GET");
    assert_eq!(newest["attributes"]["url.path"], format!("/api/v2{b}/roles"));
    assert_eq!(newest["attributes"]["http.response.status_code"], 200);
    assert_eq!(newest["severity_text"], "INFO");
    assert_eq!(newest["source"], "pg_endpoint");
    let notfound = &got[1];
    assert_eq!(notfound["scope_name"], "getProjectBranchDatabase");
    assert_eq!(notfound["severity_text"], "WARN");
    assert_eq!(notfound["severity_number"], 13);
    assert!(notfound["message"].as_str().unwrap().contains(" 404 "), "{notfound}");
    // the other branch logged only its own creation... which is not a request on it
    let (_, v) = t.op("queryProjectBranchLogs", &format!("/projects/{pid}/branches/{other}/logs/query"), Some(json!({}))).await;
    assert_eq!(v["logs"], json!([]));

    // ascending, all in one page
    let (_, asc) = t.op("queryProjectBranchLogs", &q, Some(json!({"sort_order": "asc", "limit": 1000}))).await;
    let asc = asc["logs"].as_array().unwrap();
    assert_eq!(asc.len(), total + pages);
    assert_eq!(asc[0]["scope_name"], "getProjectBranch");
    // filters
    let count = |v: &Value| v["logs"].as_array().unwrap().len();
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"minimum_severity": "warn"}))).await;
    assert_eq!(count(&v), 1);
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"severity_text": "INFO", "limit": 1000}))).await;
    assert_eq!(count(&v), total + pages - 1);
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"body_contains": "/roles"}))).await;
    assert_eq!(count(&v), 1);
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"source": "storage"}))).await;
    assert_eq!(count(&v), 0);
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"scope_name": "getProjectBranchDatabase"}))).await;
    assert_eq!(count(&v), 1);
    let trace = got[0]["trace_id"].as_str().unwrap();
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"trace_id": trace}))).await;
    assert_eq!(count(&v), 1);
    let (_, v) =
        t.op("queryProjectBranchLogs", &q, Some(json!({"logql": "{scope_name=\"getProjectBranch\"} != \" 404 \"", "limit": 1000}))).await;
    assert_eq!(count(&v), 7 + pages);
    let (_, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"since": "10m", "end_time": "2020-01-01T00:00:00Z"}))).await;
    assert_eq!(count(&v), 0, "a window in the past");
    let (_, v) =
        t.op("queryProjectBranchLogs", &q, Some(json!({"start_time": "2020-01-01T00:00:00Z", "end_time": "2020-01-05T00:00:00Z"}))).await;
    assert_eq!(count(&v), 0);

    // rejected queries: 400 with the reason
    let reason = |v: &Value| v["reason"].as_str().unwrap().to_string();
    let bad = [
        (json!({"since": "1h", "start_time": "2025-01-01T00:00:00Z"}), "conflicting_time_range"),
        (json!({"since": "8d"}), "time_range_too_large"),
        (json!({"start_time": "2025-01-01T00:00:00Z", "end_time": "2025-02-01T00:00:00Z"}), "time_range_too_large"),
        (json!({"start_time": "2025-01-02T00:00:00Z", "end_time": "2025-01-01T00:00:00Z"}), "invalid_time_range"),
        (json!({"since": "an hour"}), "invalid_time_range"),
        (json!({"start_time": "yesterday"}), "invalid_time_range"),
        (json!({"cursor": "not-a-cursor"}), "invalid_cursor"),
        (json!({"logql": "{source=\"function\"}", "source": "function"}), "conflicting_filters"),
        (json!({"logql": "sum(rate({source=\"function\"}[5m]))"}), "invalid_logql"),
        (json!({"trace_id": trace.to_uppercase()}), "invalid_logql"),
    ];
    for (body, want) in bad {
        let (s, v) = t.op("queryProjectBranchLogs", &q, Some(body.clone())).await;
        assert_eq!(s, 400, "{body}: {v}");
        assert_eq!(reason(&v), want, "{body}: {v}");
        assert!(v["request_id"].is_string());
    }
    // a cursor belongs to its query: other filters make it invalid
    let (_, first) = t.op("queryProjectBranchLogs", &q, Some(json!({"limit": 1}))).await;
    let c = first["next_cursor"].as_str().unwrap();
    let (s, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"limit": 1, "cursor": c, "source": "function"}))).await;
    assert_eq!((s, reason(&v)), (400, "invalid_cursor".to_string()));
    // ... but the page size may change
    let (s, v) = t.op("queryProjectBranchLogs", &q, Some(json!({"limit": 3, "cursor": c}))).await;
    assert_eq!(s, 200);
    assert_eq!(count(&v), 3);
    // unknown branch: 404 with its reason
    let (s, v) = t.op("queryProjectBranchLogs", &format!("/projects/{pid}/branches/br-missing-1/logs/query"), Some(json!({}))).await;
    assert_eq!((s, reason(&v)), (404, "branch_not_found".to_string()));
    let (s, _) = t.op("listProjectBranchLogFields", &format!("/projects/{pid}/branches/br-missing-1/logs/fields"), None).await;
    assert_eq!(s, 404);

    // fields and their values
    let (_, f) = t.op("listProjectBranchLogFields", &format!("{b}/logs/fields"), None).await;
    let fields: Vec<&str> = f["fields"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    for want in ["source", "severity_text", "scope_name", "http.response.status_code"] {
        assert!(fields.contains(&want), "{fields:?}");
    }
    let values = |field: &str, q: &str| format!("{b}/logs/fields/{field}/values{q}");
    let (_, v) = t.op("listProjectBranchLogFieldValues", &values("http.response.status_code", ""), None).await;
    assert_eq!(v, json!({"values": ["200", "404"], "is_truncated": false}));
    let (_, v) = t.op("listProjectBranchLogFieldValues", &values("severity_text", "?limit=1"), None).await;
    assert_eq!(v, json!({"values": ["INFO"], "is_truncated": true}));
    let (_, v) = t.op("listProjectBranchLogFieldValues", &values("scope_name", "?source=storage&since=1h"), None).await;
    assert_eq!(v, json!({"values": [], "is_truncated": false}));
    let (s, v) = t.op("listProjectBranchLogFieldValues", &values("password", ""), None).await;
    assert_eq!((s, reason(&v)), (400, "unknown_field".to_string()));
    let (s, v) = t.op("listProjectBranchLogFieldValues", &values("source", "?since=1h&start_time=2025-01-01T00:00:00Z"), None).await;
    assert_eq!((s, reason(&v)), (400, "conflicting_time_range".to_string()));
}

// ------------------------------------------------------------------ triggers

#[tokio::test]
async fn triggers_crud_both_kinds_and_inheritance() {
    let t = T::new().await;
    let (pid, bid) = t.project("triggers").await;
    let base = format!("/projects/{pid}/branches/{bid}/triggers");
    let (s, l) = t.op("listProjectBranchTriggers", &base, None).await;
    assert_eq!((s, l), (200, json!({"triggers": []})));
    let nightly = json!({"type": "schedule", "function_slug": "report", "name": "nightly", "schedule": {"cron": "0 3 * * *"}});
    let (s, v) = t.op("createProjectBranchTrigger", &base, Some(nightly.clone())).await;
    assert_eq!(s, 201, "{v}");
    let sched = v["trigger"].clone();
    let sid = sched["trigger_id"].as_str().unwrap().to_string();
    assert!(sid.starts_with("trg_"), "{sid}");
    assert_eq!(sched["enabled"], true);
    assert_eq!(sched["version"], 1);
    assert_eq!(sched["function_path"], "/");
    assert_eq!(sched["inherited"], false);
    assert!(sched["next_run_at"].as_str().unwrap().ends_with("T03:00:00Z"), "{sched}");
    let upload = json!({"type": "storage_object_created", "function_slug": "thumbs", "name": "on-upload", "function_path": "/hook",
                        "enabled": false, "storage_object_created": {"bucket_name": "images", "prefix": ""}});
    let (s, v) = t.op("createProjectBranchTrigger", &base, Some(upload)).await;
    assert_eq!(s, 201, "{v}");
    let obj = v["trigger"].clone();
    let oid = obj["trigger_id"].as_str().unwrap().to_string();
    assert_eq!(obj["storage_object_created"], json!({"bucket_name": "images"}), "a match-all prefix is left out");
    assert!(obj.get("next_run_at").is_none());
    assert_eq!(obj["enabled"], false);

    // names are unique on the branch; crons are checked
    assert_eq!(t.op("createProjectBranchTrigger", &base, Some(nightly.clone())).await.0, 409);
    let mut bad = nightly.clone();
    bad["name"] = json!("broken");
    bad["schedule"]["cron"] = json!("every day");
    assert_eq!(t.op("createProjectBranchTrigger", &base, Some(bad)).await.0, 400);
    assert_eq!(t.op("createProjectBranchTrigger", &base, Some(json!({"type": "webhook", "function_slug": "x", "name": "y"}))).await.0, 400);

    let (_, l) = t.op("listProjectBranchTriggers", &base, None).await;
    let ids: Vec<&str> = l["triggers"].as_array().unwrap().iter().map(|x| x["trigger_id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ordered by trigger_id");
    assert_eq!(ids.len(), 2);
    let (s, g) = t.op("getProjectBranchTrigger", &format!("{base}/{sid}"), None).await;
    assert_eq!((s, &g["trigger"]["name"]), (200, &json!("nightly")));

    // updates: the kind must match; a schedule change bumps the version and the next run
    let (s, v) = t
        .op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "schedule", "schedule": {"cron": "30 4 * * *"}})))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["trigger"]["version"], 2);
    assert!(v["trigger"]["next_run_at"].as_str().unwrap().ends_with("T04:30:00Z"));
    assert_eq!(v["trigger"]["name"], "nightly");
    let (s, _) = t
        .op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "storage_object_created", "enabled": true})))
        .await;
    assert_eq!(s, 400);
    let (_, v) = t.op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "schedule", "enabled": false}))).await;
    assert_eq!(v["trigger"]["version"], 3);
    assert_eq!(v["trigger"]["next_run_at"], Value::Null);
    let (_, v) = t.op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "schedule", "enabled": true}))).await;
    assert!(v["trigger"]["next_run_at"].is_string());
    let (s, _) = t.op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "schedule", "name": "on-upload"}))).await;
    assert_eq!(s, 409, "a name taken by the other trigger");
    let (_, v) = t
        .op(
            "updateProjectBranchTrigger",
            &format!("{base}/{oid}"),
            Some(json!({"type": "storage_object_created", "storage_object_created": {"bucket_name": "images", "prefix": "raw/"}})),
        )
        .await;
    assert_eq!(v["trigger"]["storage_object_created"]["prefix"], "raw/");

    // a child branch inherits both, disabled, with the same ids
    let child = t.branch(&pid, "child", Some(&bid)).await;
    let cbase = format!("/projects/{pid}/branches/{child}/triggers");
    let (_, l) = t.op("listProjectBranchTriggers", &cbase, None).await;
    let inherited = l["triggers"].as_array().unwrap();
    assert_eq!(inherited.len(), 2);
    for tr in inherited {
        assert_eq!(tr["inherited"], true);
        assert_eq!(tr["enabled"], false);
    }
    let s_child = inherited.iter().find(|x| x["trigger_id"] == sid.as_str()).unwrap();
    assert_eq!(s_child["next_run_at"], Value::Null);
    assert_eq!(t.op("createProjectBranchTrigger", &cbase, Some(nightly.clone())).await.0, 409, "inherited names count");
    // enabling it on the child writes a shadow there; the parent's stays as it was
    let (_, v) = t.op("updateProjectBranchTrigger", &format!("{cbase}/{sid}"), Some(json!({"type": "schedule", "enabled": true}))).await;
    assert_eq!(v["trigger"]["trigger_id"], sid.as_str());
    assert_eq!(v["trigger"]["inherited"], false);
    assert_eq!(v["trigger"]["enabled"], true);
    let (_, v) =
        t.op("updateProjectBranchTrigger", &format!("{base}/{sid}"), Some(json!({"type": "schedule", "function_path": "/parent"}))).await;
    assert_eq!(v["trigger"]["function_path"], "/parent");
    let (_, g) = t.op("getProjectBranchTrigger", &format!("{cbase}/{sid}"), None).await;
    assert_eq!(g["trigger"]["function_path"], "/", "the child's shadow is its own");
    // deleting an inherited trigger on the child hides it there only
    assert_eq!(t.op("deleteProjectBranchTrigger", &format!("{cbase}/{oid}"), None).await.0, 204);
    assert_eq!(t.op("getProjectBranchTrigger", &format!("{cbase}/{oid}"), None).await.0, 404);
    assert_eq!(t.op("getProjectBranchTrigger", &format!("{base}/{oid}"), None).await.0, 200);
    let (_, l) = t.op("listProjectBranchTriggers", &cbase, None).await;
    assert_eq!(l["triggers"].as_array().unwrap().len(), 1);
    // deleting the shadow leaves a tombstone too: the parent's does not come back
    assert_eq!(t.op("deleteProjectBranchTrigger", &format!("{cbase}/{sid}"), None).await.0, 204);
    let (_, l) = t.op("listProjectBranchTriggers", &cbase, None).await;
    assert_eq!(l["triggers"], json!([]));

    // unknown ids
    for op in ["getProjectBranchTrigger", "deleteProjectBranchTrigger"] {
        assert_eq!(t.op(op, &format!("{base}/trg_000000000000000000000000"), None).await.0, 404);
    }
    assert_eq!(t.op("updateProjectBranchTrigger", &format!("{base}/trg_0"), Some(json!({"type": "schedule"}))).await.0, 404);
    assert_eq!(t.op("deleteProjectBranchTrigger", &format!("{base}/{sid}"), None).await.0, 204);
    assert_eq!(t.op("getProjectBranchTrigger", &format!("{base}/{sid}"), None).await.0, 404);
    assert_eq!(t.op("listProjectBranchTriggers", &format!("/projects/{pid}/branches/br-missing-1/triggers"), None).await.0, 404);
}

// ------------------------------------------------------------------ custom domains

#[tokio::test]
async fn custom_domains_register_conflict_paginate_delete() {
    let t = T::new().await;
    let (pid, bid) = t.project("domains").await;
    let other = t.branch(&pid, "other", None).await;
    t.deploy_function(&pid, &bid, "web").await;
    t.deploy_function(&pid, &bid, "api").await;
    t.deploy_function(&pid, &other, "web").await;
    let base = format!("/projects/{pid}/branches/{bid}/custom-domains");
    let reg = |d: &str, slug: &str| json!({"domain": d, "entity_type": "function", "entity_id": slug});
    let (s, v) = t.op("registerProjectBranchCustomDomain", &base, Some(reg("Dashboard.Acme.com.", "web"))).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["domain"], "dashboard.acme.com");
    assert_eq!(v["entity_id"], "web");
    assert_eq!(v["status"], "pending");
    assert_eq!(v["cname_target"], "custom-domains.us-east-2.aws.neon.tech");
    // the same domain for the same function again: idempotent
    let (s, again) = t.op("registerProjectBranchCustomDomain", &base, Some(reg("dashboard.acme.com", "web"))).await;
    assert_eq!((s, &again), (201, &v));
    // anything else holding it: 409
    assert_eq!(t.op("registerProjectBranchCustomDomain", &base, Some(reg("dashboard.acme.com", "api"))).await.0, 409);
    let obase = format!("/projects/{pid}/branches/{other}/custom-domains");
    let (s, e) = t.op("registerProjectBranchCustomDomain", &obase, Some(reg("DASHBOARD.acme.com", "web"))).await;
    assert_eq!(s, 409);
    assert!(!e["message"].as_str().unwrap().contains(&bid), "no detail about the owner");
    // rejected: other entity types, missing functions, Neon's own and malformed names
    let (s, e) = t
        .op("registerProjectBranchCustomDomain", &base, Some(json!({"domain": "a.acme.com", "entity_type": "bucket", "entity_id": "x"})))
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_entity_type")));
    assert_eq!(t.op("registerProjectBranchCustomDomain", &base, Some(reg("b.acme.com", "missing"))).await.0, 404);
    for d in ["app.neon.tech", "localhost", "acme", "bad_name.acme.com", "-x.acme.com"] {
        assert_eq!(t.op("registerProjectBranchCustomDomain", &base, Some(reg(d, "web"))).await.0, 400, "{d}");
    }

    for d in ["b.acme.com", "c.acme.com"] {
        assert_eq!(t.op("registerProjectBranchCustomDomain", &base, Some(reg(d, "api"))).await.0, 201);
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..5 {
        let (s, page) = t.op("listProjectBranchCustomDomains", &format!("{base}?limit=2{cursor}"), None).await;
        assert_eq!(s, 200);
        let items = page["custom_domains"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(items.iter().map(|d| d["domain"].as_str().unwrap().to_string()));
        cursor = format!("&cursor={}", page["pagination"]["next"].as_str().unwrap());
    }
    assert_eq!(seen, ["b.acme.com", "c.acme.com", "dashboard.acme.com"]);
    assert_eq!(t.op("listProjectBranchCustomDomains", &format!("{base}?limit=0"), None).await.0, 400);
    let (_, l) = t.op("listProjectBranchCustomDomains", &obase, None).await;
    assert_eq!(l["custom_domains"], json!([]));

    // delete, case-insensitively; twice is a 404; the domain is free again
    assert_eq!(t.op("deleteProjectBranchCustomDomain", &format!("{base}/DASHBOARD.ACME.COM"), None).await.0, 204);
    assert_eq!(t.op("deleteProjectBranchCustomDomain", &format!("{base}/dashboard.acme.com"), None).await.0, 404);
    assert_eq!(t.op("registerProjectBranchCustomDomain", &obase, Some(reg("dashboard.acme.com", "web"))).await.0, 201);
    let (_, l) = t.op("listProjectBranchCustomDomains", &base, None).await;
    assert_eq!(l["custom_domains"].as_array().unwrap().len(), 2);
}

// ------------------------------------------------------------------ Neon Auth email

#[tokio::test]
async fn neon_auth_email_provider_save_and_test() {
    let t = T::new().await;
    let (pid, bid) = t.project("email").await;
    let b = format!("/projects/{pid}/branches/{bid}/auth");
    let test = json!({"recipient_email": "me@example.com"});
    let (s, e) = t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(test.clone())).await;
    assert_eq!(s, 400, "no Neon Auth yet: {e}");
    assert_eq!(t.op("createNeonAuth", &b, Some(json!({"auth_provider": "better_auth"}))).await.0, 201);
    let (_, g) = t.op("getNeonAuthEmailProvider", &format!("{b}/email_provider"), None).await;
    assert_eq!(g["type"], "shared");
    let (s, e) = t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(test.clone())).await;
    assert_eq!(s, 400, "the shared provider: {e}");

    let smtp = json!({"type": "standard", "host": "smtp.example.com", "port": 587, "username": "mailer", "password": "s3cr3t-pw",
                      "sender_email": "auth@example.com", "sender_name": "Example"});
    // an SMTP server needs a host name, a port, a username, a password, a sender
    for (field, value) in
        [("host", json!("")), ("port", json!(0)), ("username", json!("")), ("password", json!("")), ("sender_email", json!("x"))]
    {
        let mut broken = smtp.clone();
        broken[field] = value;
        assert_eq!(t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(broken)).await.0, 400, "{field}");
    }
    let mut untyped = smtp.clone();
    untyped.as_object_mut().unwrap().remove("type");
    assert_eq!(
        t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(untyped)).await.0,
        400,
        "matches both alternatives"
    );
    let (_, g) = t.op("getNeonAuthEmailProvider", &format!("{b}/email_provider"), None).await;
    assert_eq!(g["type"], "shared", "nothing was saved");
    let (s, v) = t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(smtp.clone())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["password"], "", "an update answers with the password redacted");
    assert_eq!(v["host"], "smtp.example.com");
    let (_, g) = t.op("getNeonAuthEmailProvider", &format!("{b}/email_provider"), None).await;
    assert_eq!(g["type"], "standard");
    assert_eq!(g["password"], "s3cr3t-pw");
    // an empty password keeps the stored one
    let mut keep = smtp.clone();
    keep["password"] = json!("");
    keep["sender_name"] = json!("Renamed");
    t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(keep)).await;
    let (_, g) = t.op("getNeonAuthEmailProvider", &format!("{b}/email_provider"), None).await;
    assert_eq!((g["password"].as_str(), g["sender_name"].as_str()), (Some("s3cr3t-pw"), Some("Renamed")));
    // the deprecated project-level server is the default branch's
    let (_, g) = t.op("getNeonAuthEmailServer", &format!("/projects/{pid}/auth/email_server"), None).await;
    assert_eq!(g["host"], "smtp.example.com");

    let (s, v) = t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(test.clone())).await;
    assert_eq!((s, v), (200, json!({"success": true})));
    let mut unreachable = smtp.clone();
    unreachable["host"] = json!("smtp.example.invalid");
    t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(unreachable)).await;
    let (s, v) = t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(test.clone())).await;
    assert_eq!(s, 200);
    assert_eq!(v["success"], false);
    let msg = v["error_message"].as_str().unwrap();
    assert!(msg.contains("smtp.example.invalid") && !msg.contains("s3cr3t-pw"), "{msg}");
    assert_eq!(
        t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(json!({"recipient_email": "nope"}))).await.0,
        400
    );
    // back to shared
    let (_, v) = t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(json!({"type": "shared"}))).await;
    assert_eq!(v["type"], "shared");
    assert_eq!(t.op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(test)).await.0, 400);
    // no password in the branch's log
    let (_, logs) =
        t.op("queryProjectBranchLogs", &format!("/projects/{pid}/branches/{bid}/logs/query"), Some(json!({"limit": 1000}))).await;
    assert!(!logs.to_string().contains("s3cr3t-pw"));
}

/// A `Stack Auth` integration is not Better Auth: the test send is refused.
#[tokio::test]
async fn neon_auth_email_test_needs_better_auth() {
    let t = T::new().await;
    let (pid, bid) = t.project("stack").await;
    let b = format!("/projects/{pid}/branches/{bid}/auth");
    assert_eq!(t.op("createNeonAuth", &b, Some(json!({"auth_provider": "stack"}))).await.0, 201);
    let smtp = json!({"type": "standard", "host": "smtp.example.com", "port": 587, "username": "u", "password": "p",
                      "sender_email": "a@example.com", "sender_name": "A"});
    t.op("updateNeonAuthEmailProvider", &format!("{b}/email_provider"), Some(smtp)).await;
    let (s, e) = t
        .op("sendNeonAuthEmailProviderTest", &format!("{b}/email_provider/test"), Some(json!({"recipient_email": "me@example.com"})))
        .await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("Better Auth"), "{e}");
}
