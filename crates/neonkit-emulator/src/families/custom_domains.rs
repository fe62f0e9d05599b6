//! Custom domains per branch, pointed at a branch Function (`entity_type: function`,
//! `entity_id` its slug, which must exist on the branch). A domain is normalized
//! (lowercase, no trailing dot) and registered once across the emulator: the same
//! domain for the same function again is idempotent, for anything else a 409. No
//! DNS is ever checked, so a domain stays `pending` with its `cname_target`.

use super::{branch_key, pagination};
use crate::handlers::{bad, branch_of, conflict, next_page, not_found, ok, project, Reply, Req, R};
use crate::state::{proxy_host, Store};
use serde_json::{json, Value};

const PREFIX: &str = "custom_domains:";

/// Lowercase, without the trailing root dot.
fn normalize(d: &str) -> String {
    d.trim_end_matches('.').to_ascii_lowercase()
}

/// A DNS host name of two labels or more that Neon does not own.
fn check_domain(d: &str) -> Result<(), String> {
    if d.is_empty() || d.len() > 253 {
        return Err("a domain has 1 to 253 characters".into());
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return Err("a custom domain has at least two labels (e.g. dashboard.acme.com)".into());
    }
    for l in &labels {
        let ok_chars = l.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if l.is_empty() || l.len() > 63 || !ok_chars || l.starts_with('-') || l.ends_with('-') {
            return Err(format!("{l:?} is not a valid DNS label"));
        }
    }
    let managed = ["neon.tech", "neon.build", "neon.com", "neonauth.com"];
    let internal = ["localhost", "local", "internal", "localdomain"];
    if managed.iter().any(|m| d == *m || d.ends_with(&format!(".{m}"))) || internal.contains(labels.last().unwrap()) {
        return Err("Neon-managed and internal host names cannot be registered".into());
    }
    Ok(())
}

pub(crate) fn handle(st: &mut Store, r: &Req) -> R {
    let p = project(st, r)?;
    branch_of(p, r.pp("branch_id"))?;
    let region = p.region_id.clone();
    let key = format!("{PREFIX}{}", branch_key(r));
    match r.op.operation_id.as_str() {
        "listProjectBranchCustomDomains" => {
            let all: Vec<&Value> = st.collections.get(&key).map(|c| c.values().collect()).unwrap_or_default();
            let (page, next) = next_page(r, &all, |d| d["domain"].as_str().unwrap_or_default().to_string())?;
            ok(json!({"custom_domains": page, "pagination": pagination(next)}))
        }
        "registerProjectBranchCustomDomain" => {
            let b = &r.body;
            let domain = normalize(b["domain"].as_str().unwrap_or_default());
            check_domain(&domain).map_err(|m| bad(format!("domain: {m}")).with_code("invalid_domain"))?;
            let entity_type = b["entity_type"].as_str().unwrap_or_default();
            if entity_type != "function" {
                return Err(
                    bad(format!("entity_type {entity_type:?} is not supported (only \"function\")")).with_code("invalid_entity_type")
                );
            }
            let slug = b["entity_id"].as_str().unwrap_or_default();
            let functions = format!("functions:{}", branch_key(r));
            if !st.collections.get(&functions).is_some_and(|f| f.contains_key(slug)) {
                return Err(not_found(&format!("function {slug:?}")));
            }
            let owner = st.collections.iter().find(|(k, c)| k.starts_with(PREFIX) && c.contains_key(&domain));
            if let Some((owner_key, c)) = owner {
                let existing = &c[&domain];
                if *owner_key == key && existing["entity_type"] == entity_type && existing["entity_id"] == slug {
                    return Ok(Reply::Json(None, existing.clone()));
                }
                return Err(conflict(format!("the domain {domain:?} is already registered")));
            }
            let v = json!({
                "domain": domain,
                "entity_type": entity_type,
                "entity_id": slug,
                "cname_target": format!("custom-domains.{}", proxy_host(&region)),
                "status": "pending",
                "dns_status": "pending",
                "binding_status": "pending",
                "status_reason": "",
            });
            st.collections.entry(key).or_default().insert(domain, v.clone());
            Ok(Reply::Json(None, v))
        }
        _ => {
            let domain = normalize(r.pp("domain"));
            match st.collections.get_mut(&key).and_then(|c| c.remove(&domain)) {
                Some(_) => Ok(Reply::Empty(None)),
                None => Err(not_found(&format!("custom domain {domain:?}"))),
            }
        }
    }
}
