"""Benchmarks (`make bench`): never part of the test run, since a timing on a shared machine is noise.

Measured side by side, on the same data and model, variants interleaved round-robin so
background load hits them alike, best of `--reps`:
  1. `reglab.training.fit` vs a minimal hand-written loop vs the textbook
     `DataLoader(TensorDataset)` loop (samples/s), at batch 128 and full batch;
  2. vectorized seeds (`reglab.ensemble`) vs the same seeds one after another;
  3. each chapter at `smoke` scale (papermill, timed here) and at `book` scale (the whole
     `make book`, timed here, and each chapter's papermill duration) against its budget.
Writes book/benchmarks.json (shown on the status page; written once before `make book`, so
the site it builds shows this run, and again after with the book timings) and exits 1 when a
chapter takes more than 1.5x its budget.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from reglab import chapter, data, ensemble, models, records, training
from reglab import regularizers as reg

ROOT = Path(__file__).resolve().parents[1]
OVER_BUDGET = 1.5


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def interleaved(variants: dict, reps: int) -> dict:
    """Best wall time of each variant over `reps` rounds, variants alternating."""
    best = {k: float("inf") for k in variants}
    for _ in range(reps):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def bench_loops(batch_size: int, steps: int, reps: int) -> dict:
    """reglab.fit vs a minimal loop vs DataLoader, on mnist1d (4000 × 40), MLP 40-256-256-10, Adam."""
    train_set, _ = data.mnist1d()
    n = len(train_set)
    epochs = max(1, steps * batch_size // n)

    def fresh():
        torch.manual_seed(0)
        model = models.mlp((40,), 10, width=256)
        return model, torch.optim.Adam(model.parameters(), lr=1e-3)

    def with_fit():
        model, opt = fresh()
        training.fit(model, opt, train_set, lambda m, b: F.cross_entropy(m(b.x), b.y),
                     epochs=epochs, batch_size=batch_size)

    def minimal():
        model, opt = fresh()
        for _ in range(epochs):
            perm = torch.randperm(n)
            for s in range(0, n, batch_size):
                i = perm[s:s + batch_size]
                loss = F.cross_entropy(model(train_set.x[i]), train_set.y[i])
                opt.zero_grad()
                loss.backward()
                opt.step()

    def dataloader():
        model, opt = fresh()
        loader = DataLoader(TensorDataset(train_set.x, train_set.y), batch_size=batch_size, shuffle=True)
        for _ in range(epochs):
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()

    t = interleaved({"fit": with_fit, "minimal": minimal, "dataloader": dataloader}, reps)
    samples = epochs * n
    return {"batch_size": batch_size, "samples": samples, "load": loadavg(),
            "samples_per_s": {k: round(samples / v) for k, v in t.items()},
            "fit_vs_minimal": round(t["minimal"] / t["fit"], 3),
            "fit_vs_dataloader": round(t["dataloader"] / t["fit"], 3)}


def bench_seeds(name: str, make_model, train_sets, batch_size: int, epochs: int, make_opt, reps: int) -> dict:
    """S seeds trained one by one vs at once (reglab.ensemble), same data orders."""
    s = len(train_sets)

    def models_():
        out = []
        for k in range(s):
            torch.manual_seed(k)
            out.append(make_model())
        return out

    def sequential():
        for k, (m, d) in enumerate(zip(models_(), train_sets)):
            training.fit(m, make_opt(m.parameters(), False), d, lambda m, b: F.cross_entropy(m(b.x), b.y),
                         epochs=epochs, batch_size=batch_size, generator=torch.Generator().manual_seed(k))

    def vectorized():
        ensemble.fit_ensemble(models_(), lambda ps: make_opt(ps, True), train_sets,
                              lambda fwd, b: ensemble.cross_entropy(fwd(b.x), b.y), epochs=epochs,
                              batch_size=batch_size, generators=[torch.Generator().manual_seed(k) for k in range(s)])

    t = interleaved({"sequential": sequential, "vectorized": vectorized}, reps)
    return {"name": name, "seeds": s, "batch_size": batch_size, "epochs": epochs, "load": loadavg(),
            "seconds": {k: round(v, 3) for k, v in t.items()}, "speedup": round(t["sequential"] / t["vectorized"], 3)}


def micro(reps: int) -> dict:
    out = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        out[f"threads_{threads}"] = {
            "loops": [bench_loops(128, 600, reps), bench_loops(4000, 40, reps)],
            "seeds": [
                bench_seeds("8 seeds, MLP 40-256-256-10 on mnist1d, Adam", lambda: models.mlp((40,), 10, width=256),
                            [data.mnist1d()[0]] * 8, 128, 4, lambda ps, st: torch.optim.Adam(ps, lr=1e-3), reps),
                bench_seeds("3 seeds, the ELR chapter's MLP 64-512-512-10 on digits, SGD",
                            lambda: models.mlp((64,), 10, width=512), [data.digits()[0]] * 3, 128, 10,
                            lambda ps, st: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3), reps),
                bench_seeds("3 seeds, a grokking MLP (p = 59, width 128; the chapter's own is p = 113, width 200), full batch, ⊥AdamW",
                            lambda: models.PairMLP(59, width=128),
                            [data.modular_arithmetic(59, 0.4, seed=k)[0] for k in range(3)], 10**9, 100,
                            lambda ps, st: reg.orthogonal_grad(torch.optim.AdamW(
                                ps, lr=0.01, betas=(0.9, 0.99), eps=1e-25, weight_decay=0.0), stacked=st), reps),
            ],
        }
    return out


def chapter_slugs() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))


def smoke_times() -> dict:
    """Each chapter at smoke scale, executed by papermill into a temporary folder."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for slug in chapter_slugs():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "papermill", f"notebooks/{slug}.ipynb", f"{tmp}/{slug}.ipynb",
                            "--cwd", "notebooks", "--no-progress-bar", "--log-level", "ERROR"],
                           cwd=ROOT, check=True, env={**os.environ, "REGLAB_SCALE": "smoke"},
                           stderr=subprocess.DEVNULL)
            out[slug] = {"smoke_s": round(time.perf_counter() - t0, 1)}
    return out


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return round(time.perf_counter() - t0, 1)


def make_book() -> dict:
    """Execution of every chapter with 1 worker, then with 2 (book/_ext/execute.py --force), then a
    `make book` with nothing changed: it executes nothing, so it times render and site checks."""
    env = {k: v for k, v in os.environ.items() if k != "REGLAB_SCALE"}

    def execute(jobs):
        subprocess.run([sys.executable, "book/_ext/execute.py", "--force", "--jobs", str(jobs)],
                       cwd=ROOT, check=True, env=env)

    one, two = timed(lambda: execute(1)), timed(lambda: execute(2))
    no_change = timed(lambda: subprocess.run(["make", "book"], cwd=ROOT, check=True, env=env))
    return {"workers": {"chapters": len(chapter_slugs()), "one_s": one, "two_s": two,
                        "ratio": round(one / two, 2)},
            "no_change_s": no_change, "make_book_s": round(two + no_change, 1)}


def book_times(chapters: dict) -> None:
    """Add each chapter's papermill duration at book scale and its budgets (from its summary)."""
    for slug, c in chapters.items():
        executed = ROOT / "book" / "executed" / f"{slug}.ipynb"
        if executed.exists():
            c["book_s"] = round(json.loads(executed.read_text())["metadata"]["papermill"]["duration"], 1)
        summary = ROOT / "notebooks" / chapter.summary_path(slug, "book")
        c["budget_s"] = json.loads(summary.read_text())["chapter"]["budget_s"] if summary.exists() else {}


def over_budget(result: dict) -> list[str]:
    bad = []
    for slug, c in result["chapters"].items():
        for scale in ("smoke", "book"):
            took, budget = c.get(f"{scale}_s"), c["budget_s"].get(scale)
            if took is not None and budget is not None and took > OVER_BUDGET * budget:
                bad.append(f"{slug} at {scale} scale took {took:.0f} s, budget {budget} s")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-book", action="store_true", help="skip `make book` (reuse its last timings)")
    ap.add_argument("--out", default=str(ROOT / "book" / "benchmarks.json"))
    args = ap.parse_args()
    out = Path(args.out)
    result = {"env": records.environment(), "load_at_start": loadavg(), "micro": micro(args.reps),
              "chapters": smoke_times()}
    book_times(result["chapters"])  # the last build's, until this run's own build below
    result["load_at_end"] = loadavg()
    out.write_text(json.dumps(result, indent=1))  # so the status page of the build below shows it
    if not args.no_book:
        result.update(make_book())
        book_times(result["chapters"])
        result["load_at_end"] = loadavg()
    result["over_budget"] = over_budget(result)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    if result["over_budget"]:
        sys.exit("over budget by more than 50%: " + "; ".join(result["over_budget"]))


if __name__ == "__main__":
    main()
