"""Multipart request bodies (function deployments) and byte responses (bucket objects)."""

import urllib.request

from conftest import new_project


def test_function_deployment_is_multipart(neon):
    p = new_project(neon, "functions")
    pid, bid = p.project.id, p.branch.id
    body = {"zip": b"PK\x03\x04\xff", "runtime": "nodejs24", "environment": '{"TOKEN":"s3cr3t"}'}
    dep = neon.functions.create_deployment(pid, bid, "hello", body=body)
    assert dep.deployment.runtime == "nodejs24" and dep.deployment.id == 1
    f = neon.functions.get(pid, bid, "hello").function
    assert f.slug == "hello" and f.current_deployment.id == 1
    assert [x.slug for x in neon.functions.list(pid, bid).functions] == ["hello"]
    # The parts as keywords, as the body's fields are for a JSON body.
    again = neon.functions.create_deployment(pid, bid, "hello", zip=b"PK\x03\x04\x00", runtime="nodejs24")
    assert again.deployment.id == 2 and again.deployment.runtime == "nodejs24"
    assert neon.functions.get(pid, bid, "hello").function.current_deployment.id == 2


def test_bucket_objects_download_as_bytes(neon):
    p = new_project(neon, "buckets")
    pid, bid = p.project.id, p.branch.id
    neon.buckets.create(pid, bid, body={"name": "files"})
    raw = bytes([0, 159, 146, 150, 255]) * 100
    key = "dir/file name.bin"
    up = neon.buckets.presign_object(
        pid, bid, "files", key, body={"operation": "upload", "content_type": "application/octet-stream"}
    )
    assert up.method == "PUT"
    req = urllib.request.Request(up.url, data=raw, method="PUT", headers=dict(up.headers or {}))
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status in (200, 201, 204)
    got = neon.buckets.get_object(pid, bid, "files", key)
    assert isinstance(got, bytes) and got == raw
    keys = [o.key for o in neon.buckets.list_objects_iter(pid, bid, "files")]
    assert keys == [key]
    neon.buckets.delete_object(pid, bid, "files", key)
    assert list(neon.buckets.list_objects_iter(pid, bid, "files")) == []
