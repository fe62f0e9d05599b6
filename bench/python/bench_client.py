"""One benchmark figure for one Python client, printed as a JSON line.

    python bench_client.py CLIENT OP CONCURRENCY (SECONDS | --calls N) BASE_URL API_KEY PROJECT_ID

CLIENT: neonkit-sync, neonkit-async, neon-api, requests, httpx. OP: get | list.
Blocking clients run CONCURRENCY threads; async ones CONCURRENCY tasks.
"""

import asyncio
import json
import sys
import threading
import time


def make_sync(client, base_url, api_key, project_id):
    if client == "neonkit-sync":
        import neonkit

        c = neonkit.NeonClient(api_key=api_key, base_url=base_url)
        return {
            "get": lambda: c.projects.get(project_id).project.id,
            "list": lambda: len(c.projects.list(limit=400).projects),
        }
    if client == "neon-api":
        from neon_api import NeonAPI

        c = NeonAPI(api_key=api_key, base_url=base_url + "/")
        return {
            "get": lambda: c.project(project_id).project.id,
            "list": lambda: len(c.projects(limit=400).projects),
        }
    if client == "requests":
        import requests

        s = requests.Session()
        h = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        return {
            "get": lambda: s.get(f"{base_url}/projects/{project_id}", headers=h).json()["project"]["id"],
            "list": lambda: len(s.get(f"{base_url}/projects?limit=400", headers=h).json()["projects"]),
        }
    if client == "httpx":
        import httpx

        s = httpx.Client(headers={"Authorization": f"Bearer {api_key}"})
        return {
            "get": lambda: s.get(f"{base_url}/projects/{project_id}").json()["project"]["id"],
            "list": lambda: len(s.get(f"{base_url}/projects?limit=400").json()["projects"]),
        }
    raise SystemExit(f"unknown client {client}")


def make_async(client, base_url, api_key, project_id):
    if client == "neonkit-async":
        import neonkit

        c = neonkit.AsyncNeonClient(api_key=api_key, base_url=base_url)

        async def get():
            return (await c.projects.get(project_id)).project.id

        async def lst():
            return len((await c.projects.list(limit=400)).projects)

        return {"get": get, "list": lst}
    raise SystemExit(f"unknown async client {client}")


def main():
    client, op, conc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if sys.argv[4] == "--calls":
        budget, seconds = int(sys.argv[5]), None
        rest = sys.argv[6:]
    else:
        budget, seconds = None, float(sys.argv[4])
        rest = sys.argv[5:]
    base_url, api_key, project_id = rest
    count = 0
    lock = threading.Lock()
    # The clock starts once the client exists: import time is measured apart.
    if client.endswith("-async"):
        fn = make_async(client, base_url, api_key, project_id)[op]
    else:
        fn = make_sync(client, base_url, api_key, project_id)[op]
    start = time.perf_counter()
    deadline = start + seconds if seconds else None

    def take():
        nonlocal count
        with lock:
            if budget is not None and count >= budget:
                return False
            if deadline is not None and time.perf_counter() >= deadline:
                return False
            count += 1
            return True

    if client.endswith("-async"):

        async def worker():
            while take():
                assert await fn()

        async def run():
            await asyncio.gather(*(worker() for _ in range(conc)))

        asyncio.run(run())
    else:

        def worker():
            while take():
                assert fn()

        threads = [threading.Thread(target=worker) for _ in range(conc)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"calls": count, "seconds": elapsed}))


if __name__ == "__main__":
    main()
