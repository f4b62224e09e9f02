"""Load on a real ``parley serve``: the requests the dashboard makes (its pages, and the API calls behind
them), from N concurrent clients, against a ledger of the corpus; latency p50/p95 per kind of request
and requests per second.

The server is started as its own process (``parley serve --db DB``); the clients are asyncio tasks of
this process (httpx), each sending its next request as soon as the last one is answered. The URLs are
drawn at random (``--seed``) from every actor, article, issue and pair of sides of the ledger, so that
the server's caches hold only what a real dashboard would repeat.

    python benchmarks/api_load.py --db /work/bench-10/corpus.db --clients 8 --seconds 60
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _urls(base: str, seed: int, mix: str) -> list[tuple[str, str]]:
    """(kind, path) of every kind of request the dashboard makes (every page, its stylesheet and icon, and
    every JSON call of the API: mix "dashboard"), or of the downloads (CSV/JSON Lines positions, the report
    as Markdown and HTML: mix "downloads"), drawn from the ledger."""
    c = httpx.Client(base_url=base, timeout=120)
    actors: list[dict] = []
    cursor = None
    while len(actors) < 400:
        page = c.get("/api/v1/actors", params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        actors += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    issues = [i["issue"] for i in c.get("/api/v1/issues").json()["items"]]
    arts: list[dict] = []
    cursor = None
    for _ in range(6):
        page = c.get("/api/v1/articles", params={"limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        arts += [a for a in page["items"] if a["positions"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    sides = [a["name"] for a in actors if a["side"] == a["name"]][:30]
    words = ["ceasefire", "sanctions", "talks", "nuclear", "\"red line\"", "withdraw*", "election", "trade"]
    rnd = random.Random(seed)
    out: list[tuple[str, str]] = []
    downloads: list[tuple[str, str]] = []
    for _ in range(400):
        a = rnd.choice(actors)
        art = rnd.choice(arts)
        iss = rnd.choice(issues)
        x, y = rnd.sample(sides, 2) if len(sides) >= 2 else (a["name"], rnd.choice(actors)["name"])
        out += [
            ("page /", "/"),
            ("page /actors/{id}", f"/actors/{a['id']}"),
            ("page /articles/{id}", f"/articles/{art['id']}"),
            ("page /issues/{issue}", f"/issues/{quote(iss, safe='')}"),
            ("page /compare", f"/compare?a={quote(x)}&b={quote(y)}"),
            ("page /actors", f"/actors?q={quote(a['name'][:4])}"),
            ("page /articles", "/articles"),
            ("page /search", f"/search?q={quote(rnd.choice(words + [a['name'].split()[-1]]))}"),
            ("api positions", f"/api/v1/positions?issue={quote(iss)}&red_line=true&limit=50"),
            ("api positions", f"/api/v1/positions?actor_id={a['id']}&limit=50"),
            ("api actors/{id}", f"/api/v1/actors/{a['id']}"),
            ("api timeline", f"/api/v1/actors/{a['id']}/timeline?limit=200"),
            ("api shifts", f"/api/v1/shifts?actor_id={a['id']}"),
            ("api overview", "/api/v1/overview"),
            ("api stats", "/api/v1/stats"),
            ("api articles/{id}", f"/api/v1/articles/{art['id']}"),
            ("page /issues", "/issues"),
            ("page /ingest", "/ingest"),
            ("page /login", "/login"),
            ("page /compare (form)", "/compare"),
            ("page /actors (all)", "/actors"),
            ("static css, icon", rnd.choice(["/static/parley.css", "/static/favicon.svg"])),
            ("api articles", "/api/v1/articles?limit=50"),
            ("api articles?q=", f"/api/v1/articles?q={quote(rnd.choice(words + [a['name'].split()[-1]]))}&limit=20"),
            ("api search", f"/api/v1/search?q={quote(rnd.choice(words + [a['name'].split()[-1]]))}"),
            ("api actors", f"/api/v1/actors?q={quote(a['name'][:4])}&limit=50"),
            ("api actors/resolve", f"/api/v1/actors/resolve?name={quote(a['name'])}"),
            ("api issues", "/api/v1/issues"),
            ("api issues/{issue}", f"/api/v1/issues/{quote(iss, safe='')}"),
            ("api compare", f"/api/v1/compare?a={quote(x)}&b={quote(y)}"),
            ("api runs", "/api/v1/runs"),
        ]
        downloads += [
            ("download positions csv", f"/api/v1/positions?issue={quote(iss)}&format=csv"),
            ("download positions jsonl", f"/api/v1/positions?actor_id={a['id']}&format=jsonl"),
            ("download report md", "/api/v1/report"),
            ("download report md ?issue=", f"/api/v1/report?issue={quote(iss)}"),
            ("download report html", "/api/v1/report?format=html"),
            ("download report html ?issue=", f"/api/v1/report?format=html&issue={quote(iss)}"),
        ]
    chosen = {"dashboard": out, "downloads": downloads, "all": out + downloads}[mix]
    rnd.shuffle(chosen)
    return chosen


async def _client(base: str, urls: list[tuple[str, str]], start: int, stop_at: float,
                  lat: dict[str, list[float]], errors: dict[str, int], size: dict[str, int]) -> int:
    n = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        i = start
        while time.perf_counter() < stop_at:
            kind, path = urls[i % len(urls)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await c.get(path)
                ok = r.status_code < 400
                size[kind] += len(r.content)
            except httpx.HTTPError:
                ok = False
            lat[kind].append(time.perf_counter() - t0)
            if not ok:
                errors[kind] += 1
            n += 1
    return n


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k] * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a ledger (benchmarks/build_ledger.py builds the corpus one)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=10.0, help="seconds of load before measuring")
    ap.add_argument("--workers", type=int, default=1, help="parley serve --workers")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", choices=["dashboard", "downloads", "all"], default="dashboard",
                    help="dashboard: every page and JSON API call; downloads: CSV/JSONL and reports")
    ap.add_argument("--target-ms", type=float, default=300.0, help="p95 target the summary line checks")
    args = ap.parse_args(argv)
    if not Path(args.db).exists():
        print(f"no database at {args.db}; build one with benchmarks/build_ledger.py", file=sys.stderr)
        return 2
    port = _free_port()
    exe = Path(sys.executable).with_name("parley")
    server = subprocess.Popen([str(exe), "serve", "--db", args.db, "--port", str(port), "--workers", str(args.workers)],
                              stderr=subprocess.DEVNULL, env={**os.environ, "PARLEY_API_TOKEN": ""})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/api/v1/stats", timeout=60).raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    print("the server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.3)
        stats = httpx.get(base + "/api/v1/stats", timeout=60).json()
        urls = _urls(base, args.seed, args.mix)
        print(f"# command: python benchmarks/api_load.py --db {args.db} --clients {args.clients} --seconds "
              f"{args.seconds:g} --warmup {args.warmup:g} --workers {args.workers} --seed {args.seed} --mix {args.mix}")
        print(f"# ledger: {stats['articles']} articles, {stats['positions']} positions, {stats['actors']} actors; "
              f"{len(set(urls))} distinct URLs; server: parley serve --workers {args.workers} (its own process), "
              f"{os.cpu_count()} CPUs shared with this load generator")

        async def run(seconds: float) -> tuple[dict[str, list[float]], dict[str, int], dict[str, int], int, float]:
            lat: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            size: dict[str, int] = defaultdict(int)
            t0 = time.perf_counter()
            stop = t0 + seconds
            counts = await asyncio.gather(*[_client(base, urls, i * 97, stop, lat, errors, size)
                                            for i in range(args.clients)])
            return lat, errors, size, sum(counts), time.perf_counter() - t0

        if args.warmup:
            asyncio.run(run(args.warmup))
        lat, errors, size, n, elapsed = asyncio.run(run(args.seconds))
        print(f"{'request':<30}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}{'mean KB':>9}")
        for kind in sorted(lat):
            xs = lat[kind]
            print(f"{kind:<30}{len(xs):>7}{_pct(xs, 50):>9.0f}{_pct(xs, 95):>9.0f}{max(xs) * 1000:>9.0f}"
                  f"{errors.get(kind, 0):>8}{size[kind] / len(xs) / 1024:>9.1f}")
        for label, pick in (("all pages", "page "), ("all api", "api "), ("all downloads", "download "), ("all", "")):
            every = [x for k, xs in lat.items() if k.startswith(pick) for x in xs]
            if not every:
                continue
            errs = sum(v for k, v in errors.items() if k.startswith(pick))
            print(f"{label:<30}{len(every):>7}{_pct(every, 50):>9.0f}{_pct(every, 95):>9.0f}"
                  f"{max(every) * 1000:>9.0f}{errs:>8}")
        every = [x for xs in lat.values() for x in xs]
        print(f"throughput: {n / elapsed:.1f} requests/s with {args.clients} concurrent clients over {elapsed:.0f}s; "
              f"worst kind p95 {max(_pct(xs, 95) for xs in lat.values()):.0f} ms; mean "
              f"{statistics.mean(every) * 1000:.0f} ms")
        slow = sorted(k for k, xs in lat.items() if _pct(xs, 95) >= args.target_ms)
        print(f"kinds with p95 >= {args.target_ms:g} ms: {', '.join(slow) if slow else 'none'}")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
