"""The API through httpx against a live uvicorn server on a free local port, on SQLite and PostgreSQL:
every endpoint, the one error shape (pinned), writes refused without the token and with a wrong one,
writes with it (articles as JSON, form and file, merges and splits, an extraction job to the end),
the body size limit, the security headers, and `parley serve` itself."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from parley.api import create_app
from parley.store import open_store
from parley.store.migrations import LATEST

TOKEN = "test-token-1234"
both = pytest.mark.parametrize("ledger_url", ["sqlite", "pg"], indirect=True)


def _error(r: httpx.Response, code: str, status: int) -> dict:
    """The one error shape, exactly: {"ok": false, "error": {"code", "message"}, "status"}."""
    body = r.json()
    assert r.status_code == status, r.text
    assert set(body) == {"ok", "error", "status"} and body["ok"] is False and body["status"] == status
    assert set(body["error"]) == {"code", "message"} and body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and len(body["error"]["message"]) > 10
    assert r.headers["content-type"].startswith("application/json")
    return body


@pytest.fixture
def api(live_server, ledger_url):
    return httpx.Client(base_url=live_server.start(create_app(ledger_url, token=TOKEN)), timeout=30)


@both
def test_every_read_endpoint_answers_from_the_kept_ledger(api, ledger_url):
    ov = api.get("/api/v1/overview").json()
    assert ov["articles"] == 5 and ov["positions"] == 9 and ov["actors"] >= 3
    assert {p["actor"] for p in ov["new_red_lines"]} == {"Lena Marsh", "Omar Vey"}
    assert ("Lena Marsh", "talks", "oppose", "conditional") in {
        (s["actor"], s["issue"], s["before"], s["after"]) for s in ov["latest_shifts"]}
    assert ov["matrix_issues"] and {c["issue"] for c in ov["matrix"]} <= set(ov["matrix_issues"])
    stats = api.get("/api/v1/stats").json()
    assert stats["schema_version"] == LATEST and stats["ledger"][0]["points"] == 9

    actors = api.get("/api/v1/actors").json()
    marsh = next(a for a in actors["items"] if a["name"] == "Lena Marsh")
    assert marsh["side"] == "Osvania" and "Osvanian President Lena Marsh" in marsh["aliases"]
    assert [a["name"] for a in api.get("/api/v1/actors", params={"q": "vey"}).json()["items"]] == ["Omar Vey"]
    one = api.get(f"/api/v1/actors/{marsh['id']}").json()
    assert one["timeline_total"] == 5 and one["timeline"][-1]["date"] is None          # undated last
    assert {i["issue"] for i in one["issues"]} == {"talks", "ceasefire", "trade"}
    assert one["side_evidence"] and one["side_evidence"][0]["side"] == "Osvania"
    tl = api.get(f"/api/v1/actors/{marsh['id']}/timeline", params={"issue": "talks"}).json()
    assert [p["stance"] for p in tl["items"]] == ["oppose", "conditional", "support"]
    fz = api.get("/api/v1/actors/resolve", params={"name": "Lena Marhs"}).json()
    assert fz["how"] == "fuzzy" and fz["actors"][0]["name"] == "Lena Marsh" and "closest spelling" in fz["notice"]

    page = api.get("/api/v1/positions", params={"actor": "Marsh", "order": "oldest"}).json()
    assert page["actor_match"] and len(page["items"]) == 5
    assert all(p["actor"] == "Lena Marsh" for p in page["items"]) and page["items"][-1]["date"] is None
    assert [p["issue"] for p in api.get("/api/v1/positions", params={"red_line": "true"}).json()["items"]] \
        == ["territory", "talks"]
    cond = api.get("/api/v1/positions", params={"conditional": "true", "stance": "conditional"}).json()["items"]
    assert {p["actor"] for p in cond} == {"Lena Marsh", "Omar Vey"}
    dated = api.get("/api/v1/positions", params={"since": "2025-02-01", "until": "2025-03-31"}).json()["items"]
    assert dated and all("2025-02-01" <= p["date"] <= "2025-03-31" for p in dated)
    # cursor pages: every position once, in order, whatever the page size
    everything = api.get("/api/v1/positions", params={"limit": 500}).json()["items"]
    got, cursor = [], None
    while True:
        pg = api.get("/api/v1/positions", params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        got += [p["id"] for p in pg["items"]]
        cursor = pg["next_cursor"]
        if not cursor:
            break
    assert got == [p["id"] for p in everything] and len(got) == 9
    # downloads
    r = api.get("/api/v1/positions", params={"format": "csv", "issue": "ceasefire"})
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 4 and {x["canonical_actor"] for x in rows} == {"Lena Marsh", "Omar Vey", "Teral"}
    r = api.get("/api/v1/positions", params={"format": "jsonl"})
    assert [json.loads(x)["id"] for x in r.text.splitlines()] == [p["id"] for p in everything]

    arts = api.get("/api/v1/articles", params={"limit": 2}).json()
    assert len(arts["items"]) == 2 and arts["next_cursor"]
    rest = api.get("/api/v1/articles", params={"limit": 50, "cursor": arts["next_cursor"]}).json()["items"]
    assert len(rest) == 3 and rest[-1]["date"] is None
    hit = api.get("/api/v1/articles", params={"q": "basin"}).json()["items"]
    assert hit and all("[[" in h["snippet"] for h in hit)
    art = api.get(f"/api/v1/articles/{hit[0]['id'][:8]}").json()
    for p in art["positions"]:
        assert art["text"][p["evidence"]["start"]:p["evidence"]["end"]] == p["evidence"]["text"]
    pos = api.get(f"/api/v1/positions/{art['positions'][0]['id'][:6]}").json()
    assert pos["id"] == art["positions"][0]["id"] and pos["actor_id"]

    sh = api.get("/api/v1/shifts", params={"actor": "Lena Marsh"}).json()["items"]
    assert sh and sh[0]["evidence_after"]["text"]
    cmp_ = api.get("/api/v1/compare", params={"a": "Osvania", "b": "Teral"}).json()
    assert cmp_["a"] == "Osvania" and {ic["issue"] for ic in cmp_["issues"]} >= {"ceasefire", "talks"}
    cease = next(ic for ic in cmp_["issues"] if ic["issue"] == "ceasefire")
    assert cease["common_ground"] and cmp_["notes"]
    md = api.get("/api/v1/report").text
    assert md.startswith("# Parley briefing") and "[^1]:" in md
    r = api.get("/api/v1/report", params={"format": "html"})
    csp = r.headers["content-security-policy"]
    assert r.headers["content-type"].startswith("text/html") and "'sha256-" in csp and "unsafe-inline" not in csp
    issues = api.get("/api/v1/issues").json()["items"]
    assert issues[0]["issue"] == "ceasefire" and issues[0]["positions"] == 4
    talks = api.get("/api/v1/issues/talks").json()
    assert talks["actors"][0]["name"] == "Lena Marsh" and talks["actors"][0]["latest_stance"] == "conditional"
    s = api.get("/api/v1/search", params={"q": "ceasefire"}).json()
    assert {h["kind"] for h in s["hits"]} == {"article", "evidence"}
    runs = api.get("/api/v1/runs").json()
    assert runs == {"jobs": [], "runs": []}


@both
def test_one_error_shape_everywhere(api):
    _error(api.get("/api/v1/positions", params={"since": "yesterday"}), "E701", 400)
    _error(api.get("/api/v1/positions", params={"limit": 0}), "E701", 400)
    _error(api.get("/api/v1/positions", params={"stance": "maybe"}), "E701", 400)
    _error(api.get("/api/v1/positions", params={"since": "2025-03-01", "until": "2025-01-01"}), "E509", 400)
    _error(api.get("/api/v1/positions", params={"cursor": "not-a-cursor"}), "E701", 400)
    _error(api.get("/api/v1/positions", params={"actor": "Nobody Atall"}), "E501", 404)
    _error(api.get("/api/v1/positions", params={"taxonomy": "labour"}), "E222", 400)
    _error(api.get("/api/v1/positions", params={"issue": "a\x00b"}), "E701", 400)
    _error(api.get("/api/v1/articles/ffffffffffffffff"), "E203", 404)
    _error(api.get("/api/v1/actors/999999"), "E501", 404)
    _error(api.get("/api/v1/actors/not-a-number"), "E701", 400)
    _error(api.get("/api/v1/issues/no-such-issue"), "E715", 404)
    _error(api.get("/api/v1/jobs/abc"), "E710", 404)
    _error(api.get("/api/v1/compare", params={"a": "Lena Marsh", "b": "Osvania"}), "E508", 400)
    _error(api.get("/api/v1/nothing-here"), "E707", 404)
    _error(api.delete("/api/v1/articles"), "E708", 405)
    _error(api.post("/api/v1/articles", content=b"x", headers={"Authorization": f"Bearer {TOKEN}",
                                                                "Content-Type": "text/plain"}), "E709", 415)
    # a dashboard page asked for as HTML gets the same code and message as a page
    r = api.get("/actors/999999", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "E501" in r.text and r.headers["content-type"].startswith("text/html")


def test_writes_are_refused_without_the_token_and_with_a_wrong_one(live_server, ledger_url):
    ro = httpx.Client(base_url=live_server.start(create_app(ledger_url, token="")), timeout=30)
    rw = httpx.Client(base_url=live_server.start(create_app(ledger_url, token=TOKEN)), timeout=30)
    writes = [("post", "/api/v1/articles", {"json": {"text": "Title\nSomeone said something new."}}),
              ("post", "/api/v1/actors/merge", {"json": {"a": "Lena Marsh", "b": "Omar Vey"}}),
              ("post", "/api/v1/actors/split", {"json": {"a": "Lena Marsh", "b": "Marsh"}}),
              ("post", "/api/v1/runs", {"json": {}})]
    for method, path, kw in writes:
        _error(getattr(ro, method)(path, **kw), "E702", 403)
        _error(getattr(ro, method)(path, headers={"Authorization": f"Bearer {TOKEN}"}, **kw), "E702", 403)
        r = getattr(rw, method)(path, **kw)
        _error(r, "E703", 401)
        assert r.headers["www-authenticate"] == "Bearer"
        _error(getattr(rw, method)(path, headers={"Authorization": "Bearer wrong-token"}, **kw), "E704", 403)
        _error(getattr(rw, method)(path, headers={"Authorization": f"Basic {TOKEN}"}, **kw), "E703", 401)
    # the dashboard's form too, and nothing was written
    _error(ro.post("/ingest", data={"text": "x"}), "E702", 403)
    _error(rw.post("/ingest", data={"text": "x"}), "E705", 403)
    with open_store(ledger_url) as s:
        assert s.count_articles() == 5 and s.actor_links() == [] and s.runs() == []


@both
def test_writes_with_the_token(api, ledger_url, tmp_path):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = api.post("/api/v1/articles", headers=auth, json={
        "title": "Teral offers a swap", "published": "2025-05-05", "source": "Ardel Post",
        "text": "Teral Chancellor Omar Vey said Teral would release the prisoners if Osvania did the same."})
    assert r.status_code == 201 and r.json()["inserted"] == 1 and r.json()["articles"][0]["status"] == "inserted"
    again = api.post("/api/v1/articles", headers=auth, json={
        "text": "Teral Chancellor Omar Vey said Teral would release the prisoners if Osvania did the same.",
        "title": "Teral offers a swap"})
    assert again.status_code == 201 and again.json()["articles"][0]["status"] == "duplicate"
    page = b"<html><head><title>Harbour vote</title></head><body><article><h1>Harbour vote</h1><p>" + \
        b"The harbour council said it supports the new berth plan after a long debate. " * 6 + b"</p></article></body></html>"
    r = api.post("/api/v1/articles", headers=auth, files={"file": ("vote.html", page, "text/html")})
    assert r.status_code == 201 and r.json()["articles"][0]["title"] == "Harbour vote"
    r = api.post("/api/v1/articles", headers=auth, data={"text": "Form post\nA plain form can add an article too."})
    assert r.status_code == 201 and r.json()["inserted"] == 1
    _error(api.post("/api/v1/articles", headers=auth, json={"title": "no text"}), "E713", 400)
    _error(api.post("/api/v1/articles", headers=auth, json={"url": "file:///etc/passwd"}), "E701", 400)
    _error(api.post("/api/v1/articles", headers=auth, json={"text": 12}), "E701", 400)
    with open_store(ledger_url) as s:
        assert s.count_articles() == 8
    # curation
    ids = {a["name"]: a["id"] for a in api.get("/api/v1/actors").json()["items"]}
    r = api.post("/api/v1/actors/merge", headers=auth, json={"a": "Omar Vey", "b": "Teral"})
    assert r.status_code == 200 and r.json()["action"] == "merged"
    vey = api.get(f"/api/v1/actors/{ids['Omar Vey']}").json()
    assert vey["mentions"] == 4 and "Teral" in vey["aliases"]
    r = api.post("/api/v1/actors/split", headers=auth, json={"a": "Omar Vey", "b": "Teral"})
    assert r.json()["action"] == "split"
    assert api.get(f"/api/v1/actors/{ids['Omar Vey']}").json()["mentions"] == 3
    _error(api.post("/api/v1/actors/merge", headers=auth, json={"a": "Nobody Here", "b": "Teral"}), "E501", 404)
    _error(api.post("/api/v1/actors/merge", headers=auth, json={"a": "", "b": "Teral"}), "E701", 400)
    _error(api.post("/api/v1/runs", headers=auth, json={"extractor": "oracle"}), "E304", 400)


def test_an_extraction_job_runs_in_the_background_with_progress(live_server, ledger_url):
    api = httpx.Client(base_url=live_server.start(create_app(ledger_url, token=TOKEN)), timeout=60)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    text = ("Osvanian President Lena Marsh said on Monday that Osvania would support a ceasefire only if Teral "
            "withdrew its troops from the basin. Teral Chancellor Omar Vey rejected any talks on the basin.")
    r = api.post("/api/v1/articles", headers=auth, json={"title": "Marsh sets terms", "text": text,
                                                         "published": "2025-06-01", "extract": True})
    assert r.status_code == 201 and r.json()["job"]["status"] in ("queued", "running")
    job_id = r.json()["job"]["id"]
    _error(api.post("/api/v1/runs", headers=auth, json={}), "E711", 409)
    deadline = time.monotonic() + 240
    while True:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["status"] == "finished" and job["done"] == job["total"] >= 1 and job["run_id"], job
    with open_store(ledger_url) as s:
        assert s.runs()[0]["id"] == job["run_id"] and s.runs()[0]["status"] == "finished"
        stored = s.count_positions()
        assert job["positions"] == s.run_counts(job["run_id"])[1] >= 1   # the statements were found and stored
        assert s.ledger.count_pending("default") == 0            # the run kept the ledger up to date
    assert api.get("/api/v1/overview").json()["positions"] == stored
    runs = api.get("/api/v1/runs").json()
    assert runs["jobs"][0]["id"] == job_id and runs["runs"][0]["id"] == job["run_id"]
    # the job's page refreshes itself while it runs and says how it ended
    assert "finished" in api.get(f"/jobs/{job_id}").text


def test_request_bodies_over_the_limit_are_refused(live_server, ledger_url):
    api = httpx.Client(base_url=live_server.start(create_app(ledger_url, token=TOKEN, max_body=4096)), timeout=30)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    _error(api.post("/api/v1/articles", headers=auth, json={"text": "x" * 10_000}), "E706", 413)

    def chunks():                       # no Content-Length: counted as it streams
        for _ in range(10):
            yield b"a" * 1000

    r = api.post("/api/v1/articles", headers={**auth, "Content-Type": "application/json"}, content=chunks())
    _error(r, "E706", 413)
    _error(api.post("/api/v1/articles", headers=auth, files={"file": ("big.txt", b"x" * 20_000)}), "E706", 413)
    with open_store(ledger_url) as s:
        assert s.count_articles() == 5


def test_security_headers_on_every_response(api):
    for path in ("/", "/actors", "/api/v1/overview", "/api/v1/nothing", "/static/parley.css", "/openapi.json"):
        r = api.get(path)
        csp = r.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "no-referrer"
    assert api.get("/docs").status_code == 404          # no Swagger UI: it would load scripts from a CDN


def test_dashboard_sign_in_and_csrf_protected_ingest(api):
    def csrf(html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    form = api.get("/login")
    token = csrf(form.text)
    assert api.post("/login", data={"token": "wrong", "csrf": token}).status_code == 403
    _error(api.post("/login", data={"token": TOKEN, "csrf": "1.forged"}), "E705", 403)
    r = api.post("/login", data={"token": TOKEN, "csrf": token})
    assert r.status_code == 303 and "parley_session" in r.headers["set-cookie"]
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    page = api.get("/ingest")
    assert "disabled" not in page.text.split('<form class="ingest"')[1].split("</fieldset>")[0].split(">")[1]
    r = api.post("/ingest", data={"csrf": csrf(page.text), "title": "From the form",
                                  "text": "From the form\nThe council said it opposes the tunnel."})
    assert r.status_code == 200 and "Stored" in r.text and "From the form" in r.text
    # a token issued to another browser is refused
    other = httpx.Client(base_url=str(api.base_url), timeout=30)
    other_token = csrf(other.get("/login").text)
    _error(api.post("/ingest", data={"csrf": other_token, "text": "x\ny"}), "E705", 403)


def test_parley_serve_listens_on_loopback_and_serves_the_demo_pages(ledger_url, tmp_path):
    import socket

    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    exe = Path(sys.executable).with_name("parley")
    proc = subprocess.Popen([str(exe), "serve", "--db", ledger_url, "--port", str(port)], stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PARLEY_API_TOKEN": ""})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 200 and "Overview" in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/stats").json()["articles"] == 5
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"on http://127.0.0.1:{port}/" in err and "read-only" in err
    r = subprocess.run([str(exe), "serve", "--db", str(tmp_path / "missing.db")], capture_output=True, text=True)
    assert r.returncode == 1 and "E209" in r.stderr


def test_a_recent_value_is_answered_while_the_next_one_is_computed_in_the_background(tmp_path):
    import threading

    from parley.api.context import Context
    from parley.api.security import Security

    with open_store(str(tmp_path / "ctx.db")) as store:
        ctx = Context(store, Security(None))
        calls: list[int] = []
        release = threading.Event()

        def compute(slow: bool = False) -> int:
            calls.append(len(calls) + 1)
            if slow:
                assert release.wait(30)
            return len(calls)

        assert ctx.recent("n", ("v1",), 60.0, compute) == 1
        assert ctx.recent("n", ("v1",), 60.0, compute) == 1 and calls == [1]      # fresh: kept
        # older than max_age: the old value at once, one background refresh however many ask
        answers = [ctx.recent("n", ("v1",), 0.0, lambda: compute(slow=True)) for _ in range(5)]
        assert answers == [1] * 5
        release.set()
        deadline = time.monotonic() + 30
        while ctx.recent("n", ("v1",), 60.0, compute) != 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert calls == [1, 2]
        assert ctx.recent("n", ("v2",), 60.0, compute) == 3          # the ledger changed: computed now
        ctx.changed()                                                  # a write: nothing stale is kept
        assert ctx.recent("n", ("v2",), 60.0, compute) == 4
