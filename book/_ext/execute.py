"""Execute the book's chapters with papermill: in parallel, longest first, and incrementally.

    python book/_ext/execute.py [--jobs N] [--force]           # `make book`: into book/executed/
    python book/_ext/execute.py --offsets 1000 2000 3000       # `make robustness`

One process per job, each at one torch/BLAS thread. A chapter whose executed notebook carries
the fingerprint of its current sources (the notebook and the reglab modules it imported: the
stale-output guard's test) is not executed again unless --force. With --offsets every chapter
runs at `book` scale at each $REGLAB_SEED_OFFSET, in its own folder under
_build/robustness/, and book/robustness.json records each claim's number and verdict.
Exits 1 when a chapter fails, naming it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reproducibility  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PAPERMILL = Path(sys.executable).with_name("papermill")
ONE_THREAD = {v: "1" for v in ("REGLAB_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def expected_seconds(slug: str) -> float:
    """For the longest-first order: the last measured `book` time, else the budget."""
    bench = ROOT / "book" / "benchmarks.json"
    if bench.exists():
        measured = json.loads(bench.read_text()).get("chapters", {}).get(slug, {}).get("book_s")
        if measured:
            return float(measured)
    summary = reproducibility.load_summary(ROOT, slug, "book")
    return float(summary["notebook_seconds"]) if summary else 180.0


def execute(slug: str, out: Path, cwd: Path, offset: int = 0) -> dict:
    """One chapter through papermill at `book` scale; its verdict from the summary it wrote."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cwd.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **ONE_THREAD, "REGLAB_SEED_OFFSET": str(offset), "REGLAB_SCALE": "book",
           "PYTHONUNBUFFERED": "1"}
    log = out.with_suffix(".log")
    start = time.perf_counter()
    with log.open("w") as f:
        proc = subprocess.run([str(PAPERMILL), str(ROOT / "notebooks" / f"{slug}.ipynb"), str(out),
                               "--cwd", str(cwd), "--no-progress-bar", "--log-level", "WARNING"],
                              env=env, stdout=f, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    summary_file = cwd / "results" / slug / "book" / "chapter.json"
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else None
    if summary and summary.get("seed_offset") != offset:
        summary = None  # left over from another run: this one did not get as far as its summary
    error = None
    if proc.returncode:
        lines = [ln for ln in log.read_text().splitlines() if "Error" in ln or "Failed" in ln]
        error = (lines[-1] if lines else f"papermill exited {proc.returncode}").strip()[:400]
    return {"slug": slug, "offset": offset, "seconds": round(seconds, 1), "ok": proc.returncode == 0,
            "error": error, "summary": summary, "log": str(log.relative_to(ROOT))}


def run_all(tasks: list[tuple], jobs: int) -> list[dict]:
    """Run (slug, out, cwd, offset) tasks on `jobs` processes, longest first; a line per result."""
    tasks = sorted(tasks, key=lambda t: -expected_seconds(t[0]))
    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute, *t) for t in tasks]
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            verdict = r["summary"]["verdict"] if r["summary"] else "no verdict"
            where = f" at seed offset {r['offset']}" if r["offset"] else ""
            status = "ok" if r["ok"] else f"FAILED ({r['error']}; log: {r['log']})"
            print(f"chapter {r['slug']}{where}: {status} in {r['seconds']:.0f} s, {verdict}", flush=True)
    return results


def table(results: list[dict]) -> str:
    lines = ["", f"{'chapter':34} {'offset':>6} {'seconds':>8}  verdict"]
    for r in sorted(results, key=lambda r: (r["slug"], r["offset"])):
        verdict = r["summary"]["verdict"] if r["summary"] else "no verdict"
        lines.append(f"{r['slug']:34} {r['offset']:>6} {r['seconds']:>8.0f}  {verdict}"
                     + ("" if r["ok"] else "  FAILED"))
    return "\n".join(lines)


def robustness_record(results: list[dict], offsets: list[int]) -> dict:
    chapters = {}
    for r in sorted(results, key=lambda r: (r["slug"], r["offset"])):
        claims = [{k: c.get(k) for k in ("key", "ours", "check", "holds", "ok", "margin", "expected", "verdict")}
                  for c in (r["summary"] or {}).get("claims", [])]
        chapters.setdefault(r["slug"], {})[str(r["offset"])] = {
            "held": r["ok"] and bool(claims) and all(c["ok"] for c in claims),
            "seconds": r["seconds"], "error": r["error"], "claims": claims}
    from reglab import records

    return {"offsets": offsets, "env": records.environment(),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "chapters": chapters}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: cores)")
    parser.add_argument("--force", action="store_true", help="execute every chapter, current or not")
    parser.add_argument("--offsets", type=int, nargs="+", help="robustness: seed offsets to run at")
    parser.add_argument("--chapters", nargs="+", help="only these chapters (default: all in _toc.yml)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    slugs = args.chapters or reproducibility.chapter_slugs(ROOT)
    unknown = [s for s in slugs if not (ROOT / "notebooks" / f"{s}.ipynb").exists()]
    if unknown:
        parser.error(f"no notebook for chapter(s) {', '.join(unknown)} in notebooks/")
    start = time.perf_counter()
    if args.offsets:
        if any(o < 0 for o in args.offsets):
            parser.error("seed offsets must be non-negative integers")
        base = ROOT / "_build" / "robustness"
        tasks = [(s, base / f"offset_{o}" / f"{s}.ipynb", base / f"offset_{o}", o)
                 for s in slugs for o in args.offsets]
        results = run_all(tasks, args.jobs)
        path = ROOT / "book" / "robustness.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        record = robustness_record(results, args.offsets)
        if args.chapters and old.get("offsets") == args.offsets:  # a partial rerun keeps the rest
            record["chapters"] = {**old.get("chapters", {}), **record["chapters"]}
        path.write_text(json.dumps(record, indent=1) + "\n")
        print(table(results))
        held = {s: sum(c["held"] for c in record["chapters"][s].values()) for s in slugs}
        print("\nheld on every claim: " + ", ".join(f"{s} {k}/{len(args.offsets)}" for s, k in held.items()))
        print(f"wrote {path.relative_to(ROOT)} in {time.perf_counter() - start:.0f} s")
        return 0 if all(k == len(args.offsets) for k in held.values()) else 1
    executed = ROOT / "book" / "executed"
    todo = [s for s in slugs if args.force or reproducibility.stale_reasons(ROOT, s)]
    for s in sorted(set(slugs) - set(todo)):
        print(f"chapter {s}: current (executed from these sources), not executed again")
    results = run_all([(s, executed / f"{s}.ipynb", ROOT / "notebooks", 0) for s in todo], args.jobs)
    if results:
        print(table(results))
    failed = [r["slug"] for r in results if not r["ok"]]
    print(f"executed {len(results)} of {len(slugs)} chapters with {args.jobs} job(s) in "
          f"{time.perf_counter() - start:.0f} s")
    if failed:
        print(f"make book: failed chapters: {' '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
