"""Portal speed: tracking lookups and create+submit, on SQLite and PostgreSQL, each
beside a bare endpoint of the same stack (/v1/health) measured in the same run.

    .venv/bin/python benchmarks/portal.py [--seconds 10] [--rate 200] [--backends sqlite,postgresql]

The portal runs in its own process (uvicorn, one worker); the load comes from this
process at a fixed arrival rate (open loop, so a slow server cannot hide its queueing),
then flat out with a fixed concurrency for the throughput figures. Last, the portal's CPU
per request (its process's user + system time, /proc) for the bot's most frequent calls,
an answer (PATCH one answer) and a read of the application, sent one after the other,
beside the bare endpoint's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend_client import PortalClient  # noqa: E402
from tests.support.forms import sample_answers  # noqa: E402
from tests.support.images import photo  # noqa: E402

BOT = "bench-bot-token"
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_portal(db_url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "MOTCUA_ENV": "demo",  # the benchmark's short token is no production secret
        "DATABASE_URL": db_url,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "BOT_SERVICE_TOKEN": BOT,
        "TRACK_RATE_PER_MINUTE": "100000000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua", "portal", "--port", str(port), "--no-seed"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    # Generous: on a loaded 2-core machine the portal's imports alone took over a minute.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("portal did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children, in seconds."""
    total = 0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for each in [pid, *map(int, children)]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def cpu_per_request(base: str, pid: int, n: int) -> dict[str, float]:
    """The portal's CPU (ms) per answer, per read and per bare request, one client
    sending each kind ``n`` times in a row after a warm-up."""
    async with PortalClient(base, BOT, timeout=30) as client, httpx.AsyncClient() as bare:
        proc = await client.get_procedure("certified_copy")
        answers = sample_answers(proc, today=date.today())
        keys = list(answers)
        who = "telegram:90001"
        app = await client.create_application(who, proc.slug)

        async def answer(i: int) -> None:
            key = keys[i % len(keys)]
            await client.set_answers(who, app.id, {key: answers[key]})

        async def read(_: int) -> None:
            await client.get_application(who, app.id)

        async def health(_: int) -> None:
            (await bare.get(base + "/v1/health")).raise_for_status()

        spent: dict[str, float] = {}
        for name, call in (("answer", answer), ("read", read), ("health", health)):
            for i in range(n // 5):
                await call(i)
            before = cpu_seconds(pid)
            for i in range(n):
                await call(i)
            spent[name] = 1000 * (cpu_seconds(pid) - before) / n
        return spent


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def open_loop(base: str, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def one(path: str) -> None:
            nonlocal errors
            t0 = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(paths[i % len(paths)])))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {
        "rps": len(latencies) / elapsed,
        "p50": pct(latencies, 0.50),
        "p99": pct(latencies, 0.99),
        "errors": errors,
    }


async def closed_loop(base: str, paths: list[str], concurrency: int, seconds: float) -> float:
    done = 0
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        stop = time.perf_counter() + seconds

        async def worker(k: int) -> None:
            nonlocal done
            i = k
            while time.perf_counter() < stop:
                await client.get(paths[i % len(paths)])
                done += 1
                i += concurrency

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        return done / (time.perf_counter() - t0)


async def create_and_submit(base: str, n: int, concurrency: int) -> tuple[float, list[str]]:
    image = photo()
    codes: list[str] = []
    async with PortalClient(base, BOT, timeout=30) as client:
        proc = await client.get_procedure("signature_certification")
        answers = sample_answers(proc, today=date.today())
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            async with sem:
                who = f"telegram:{i}"
                app = await client.create_application(who, proc.slug)
                await client.set_answers(who, app.id, answers)
                for spec in proc.documents:
                    for _ in range(spec.min_files if spec.required else 0):
                        await client.upload_document(who, app.id, spec.code, image)
                done = await client.submit(who, app.id, uuid.uuid4().hex)
                assert done.tracking_code
                codes.append(done.tracking_code)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return n / (time.perf_counter() - t0), codes


async def run_backend(name: str, db_url: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_portal(db_url, Path(tmp))
        try:
            submit_rate, codes = await create_and_submit(base, args.applications, 8)
            track_paths = [f"/v1/track/{c}" for c in codes]
            hello_paths = ["/v1/health"]
            await open_loop(base, hello_paths, 50, 1)  # warm-up
            hello = await open_loop(base, hello_paths, args.rate, args.seconds)
            track = await open_loop(base, track_paths, args.rate, args.seconds)
            hello_max = await closed_loop(base, hello_paths, 16, args.seconds / 2)
            track_max = await closed_loop(base, track_paths, 16, args.seconds / 2)
            cpu = await cpu_per_request(base, proc.pid, args.requests)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {
        "submit_per_s": submit_rate,
        "hello_p50": hello["p50"],
        "hello_p99": hello["p99"],
        "track_p50": track["p50"],
        "track_p99": track["p99"],
        "track_rps": track["rps"],
        "track_errors": track["errors"],
        "hello_max": hello_max,
        "track_max": track_max,
        **{f"cpu_{k}": v for k, v in cpu.items()},
    }


def postgres_url() -> str | None:
    name = f"motcua_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=2000, help="per kind, for CPU/request")
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, float]]] = []
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                rows.append(
                    (
                        "SQLite",
                        asyncio.run(run_backend(backend, f"sqlite:///{tmp}/b.sqlite3", args)),
                    )
                )
        else:
            url = postgres_url()
            if url is None:
                print("PostgreSQL not reachable: skipped")
                continue
            try:
                rows.append(("PostgreSQL", asyncio.run(run_backend(backend, url, args))))
            finally:
                drop_postgres(url)
    print(f"\nPortal benchmark: open loop at {args.rate:.0f} req/s for {args.seconds:.0f} s each")
    print(
        "| backend | lookup p50 ms | lookup p99 ms | hello p50 ms | hello p99 ms | p99 ratio "
        "| lookup max req/s | hello max req/s | max ratio | create+submit /s | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['track_p50']:.1f} | {r['track_p99']:.1f} | {r['hello_p50']:.1f} "
            f"| {r['hello_p99']:.1f} | {r['track_p99'] / r['hello_p99']:.2f} "
            f"| {r['track_max']:.0f} | {r['hello_max']:.0f} "
            f"| {r['track_max'] / r['hello_max']:.2f} "
            f"| {r['submit_per_s']:.1f} | {int(r['track_errors'])} |"
        )
    print(f"\nPortal CPU per request, ms (one client, {args.requests} of each in a row)")
    print("| backend | answer | read | bare endpoint | answer / bare | read / bare |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        a, g, h = r["cpu_answer"], r["cpu_read"], r["cpu_health"]
        print(f"| {name} | {a:.2f} | {g:.2f} | {h:.2f} | {a / h:.1f} | {g / h:.1f} |")


if __name__ == "__main__":
    main()
