//! Storage buckets per branch and their objects: listing pages with `next_cursor`;
//! uploads and downloads go through presigned URLs that point back at the emulator's
//! `/_emulator/storage/…`.

use crate::handlers::{bad, branch_of, conflict, not_found, ok, project, s, Reply, Req, R};
use crate::state::{BucketRec, Store};
use crate::util::rfc3339;
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) fn buckets(st: &mut Store, r: &Req) -> R {
    {
        let p = project(st, r)?;
        branch_of(p, r.pp("branch_id"))?;
    }
    let (pid, bid) = (r.pp("project_id").to_string(), r.pp("branch_id").to_string());
    let list = st.buckets.entry(format!("{pid}/{bid}")).or_default();
    let op = r.op.operation_id.as_str();
    match op {
        "createProjectBranchBucket" => {
            let name = s(&r.body, "name").unwrap_or_default().to_string();
            if list.iter().any(|b| b.name == name) {
                return Err(conflict(format!("bucket {name:?} already exists")));
            }
            let b = BucketRec {
                name,
                access_level: s(&r.body, "access_level").unwrap_or("private").to_string(),
                created_at: crate::clock::now(),
                objects: Default::default(),
            };
            let v = b.render();
            list.push(b);
            return ok(json!({"bucket": v}));
        }
        "listProjectBranchBuckets" => return ok(json!({"buckets": list.iter().map(|b| b.render()).collect::<Vec<_>>()})),
        _ => {}
    }
    let name = r.pp("bucket_name").to_string();
    let Some(idx) = list.iter().position(|b| b.name == name) else {
        return Err(not_found(&format!("bucket {name:?}")));
    };
    if op == "deleteProjectBranchBucket" {
        list.remove(idx);
        return Ok(Reply::Empty(None));
    }
    let bucket = &mut list[idx];
    match op {
        "listProjectBranchBucketObjects" => {
            let prefix = r.q("prefix").unwrap_or("").to_string();
            let delimiter = r.q("delimiter").filter(|d| !d.is_empty());
            let limit = r.q_int("limit").unwrap_or(1000).max(1) as usize;
            let cursor = r.q("cursor").filter(|c| !c.is_empty());
            // entries in key order: objects, and folders collapsed at the delimiter
            let mut entries: Vec<(String, Option<Value>)> = Vec::new();
            for (key, (data, modified)) in bucket.objects.range(prefix.clone()..) {
                if !key.starts_with(&prefix) {
                    break;
                }
                if let Some(d) = delimiter {
                    if let Some(i) = key[prefix.len()..].find(d) {
                        let folder = key[..prefix.len() + i + d.len()].to_string();
                        if entries.last().map(|(k, v)| v.is_none() && *k == folder).unwrap_or(false) {
                            continue;
                        }
                        entries.push((folder, None));
                        continue;
                    }
                }
                entries.push((
                    key.clone(),
                    Some(json!({"key": key, "size": data.len(), "last_modified": rfc3339(*modified), "etag": format!("\"{:x}\"", data.len() * 2654435761 % 4294967291)})),
                ));
            }
            let start = match cursor {
                Some(c) => entries.iter().position(|(k, _)| k.as_str() > c).unwrap_or(entries.len()),
                None => 0,
            };
            let page: Vec<&(String, Option<Value>)> = entries.iter().skip(start).take(limit).collect();
            let truncated = start + page.len() < entries.len();
            let mut out = json!({
                "folders": page.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k.clone()).collect::<Vec<_>>(),
                "objects": page.iter().filter_map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                "prefix": prefix,
                "is_truncated": truncated,
            });
            if truncated {
                out["next_cursor"] = json!(page.last().unwrap().0);
            }
            ok(out)
        }
        "deleteProjectBranchBucketObject" => {
            let key = r.pp("object_key");
            bucket.objects.remove(key).ok_or_else(|| not_found(&format!("object {key:?}")))?;
            Ok(Reply::Empty(None))
        }
        "getProjectBranchBucketObject" => {
            let key = r.pp("object_key");
            let (data, _) = bucket.objects.get(key).ok_or_else(|| not_found(&format!("object {key:?}")))?;
            Ok(Reply::Bytes("application/octet-stream", data.clone()))
        }
        "deleteProjectBranchBucketObjectsByPrefix" => {
            let prefix = r.q("prefix").unwrap_or_default();
            if !prefix.ends_with('/') {
                return Err(bad("prefix must end with '/'"));
            }
            let before = bucket.objects.len();
            bucket.objects.retain(|k, _| !k.starts_with(prefix));
            ok(json!({"deleted": before - bucket.objects.len()}))
        }
        _ => {
            // presign
            let key = r.pp("object_key").to_string();
            let upload = s(&r.body, "operation") == Some("upload");
            if !upload && !bucket.objects.contains_key(&key) {
                return Err(not_found(&format!("object {key:?}")));
            }
            let enc = |x: &str| percent_encoding::utf8_percent_encode(x, percent_encoding::NON_ALPHANUMERIC).to_string();
            let url = format!("http://{}/_emulator/storage/{}/{}/{}/{}", r.host, enc(&pid), enc(&bid), enc(&name), enc(&key));
            let secs = r.body.get("expires_in_seconds").and_then(|x| x.as_i64()).unwrap_or(3600).max(1) as u64;
            let mut headers = json!({});
            if let (true, Some(ct)) = (upload, s(&r.body, "content_type")) {
                headers["Content-Type"] = json!(ct);
            }
            ok(json!({
                "url": url,
                "method": if upload { "PUT" } else { "GET" },
                "headers": headers,
                "expires_at": rfc3339(crate::clock::now() + Duration::from_secs(secs)),
            }))
        }
    }
}
