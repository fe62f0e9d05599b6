//! The account: the current user, the key's auth details and the active regions.

use crate::handlers::{ok, Req, R};
use crate::spec;
use crate::state::{DEFAULT_REGION, OWNER_ID, REGIONS, USER_EMAIL, USER_NAME};
use serde_json::json;

pub(crate) fn current_user(r: &Req) -> R {
    let s = spec::spec();
    let op = r.op;
    let mut v = s.synth_success(op).unwrap_or_else(|| json!({}));
    v["id"] = json!(OWNER_ID);
    v["email"] = json!(USER_EMAIL);
    v["login"] = json!("neonkit-dev");
    v["name"] = json!("Neonkit");
    v["last_name"] = json!("Developer");
    v["image"] = json!("");
    v["plan"] = json!("launch");
    v["projects_limit"] = json!(100);
    v["branches_limit"] = json!(5000);
    v["max_autoscaling_limit"] = json!(16);
    v["active_seconds_limit"] = json!(0);
    v["auth_accounts"] = json!([{
        "email": USER_EMAIL, "image": "", "login": "neonkit-dev", "name": USER_NAME, "provider": "github",
    }]);
    if s.validate(op.success_schema.as_ref().unwrap(), &v).is_err() {
        v = s.synth_success(op).unwrap_or_else(|| json!({}));
    }
    ok(v)
}

pub(crate) fn auth_details(r: &Req) -> R {
    ok(json!({
        "account_id": r.auth.org_id.clone().unwrap_or_else(|| OWNER_ID.to_string()),
        "auth_method": r.auth.method,
    }))
}

pub(crate) fn active_regions() -> R {
    ok(json!({"regions": REGIONS.iter().map(|(id, name, lat, long)| json!({
        "region_id": id, "name": name, "default": *id == DEFAULT_REGION, "geo_lat": lat, "geo_long": long,
    })).collect::<Vec<_>>()}))
}
