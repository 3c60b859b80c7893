"""Results as data: one JSON record per run, with its config, history and provenance, and
the one function that runs a chapter's grid of configs (`sweep`).

Where the runs go: in this process by default; on N local worker processes with
$REGLAB_JOBS=N; on a Dask cluster with $REGLAB_DASK=<scheduler address> (a `LocalCluster`,
dask-jobqueue on SLURM, ...). Each run seeds itself from its config, so the records are the
same whatever runs them (tested against a real two-process `LocalCluster`).
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import __version__, config


@dataclass
class Record:
    config: dict                 # asdict(cfg), including `scale` and `seed`
    history: dict                # per-evaluation lists from training.fit
    final: dict                  # final metrics
    seconds: float = 0.0         # wall time of the run
    env: dict = field(default_factory=dict)  # provenance: git sha, versions, device


JOBS_ENV, DASK_ENV = "REGLAB_JOBS", "REGLAB_DASK"


def results_dir(slug: str, scale: str, root: str | Path = "results") -> Path:
    """Where a chapter's records of one scale live: `<root>/<slug>/<scale>/`."""
    return Path(root) / slug / scale


def run_and_save(fn, cfg, folder: str | Path | None = None) -> Record:
    """`fn(cfg)`, timed, with provenance attached; saved as `<folder>/<config_id>.json`."""
    from .training import set_cpu_threads

    set_cpu_threads()  # also in worker processes, which start with torch's default
    t0 = time.perf_counter()
    rec = fn(cfg)
    rec = dataclasses.replace(rec, seconds=time.perf_counter() - t0, env=environment())
    if folder is not None:
        save(rec, Path(folder) / f"{config.config_id(cfg)}.json")
    return rec


def sweep(fn, cfgs: list, slug: str, root: str | Path = "results", desc: str = "runs") -> list[Record]:
    """Every `fn(cfg)` of `cfgs`, each saved under `results_dir(slug, cfg.scale)`, in the order
    of `cfgs`, with a progress bar. $REGLAB_JOBS and $REGLAB_DASK say where they run
    (module docstring); a chapter never needs to know."""
    from tqdm.std import tqdm

    cfgs = list(cfgs)
    tasks = [(cfg, results_dir(slug, cfg.scale, root)) for cfg in cfgs]
    bar = dict(total=len(cfgs), desc=desc, mininterval=2.0)
    jobs, address = _jobs(), os.environ.get(DASK_ENV)
    if jobs == 1 and not address:
        return [run_and_save(fn, cfg, folder) for cfg, folder in tqdm(tasks, **bar)]
    import joblib

    backend = {}
    if address:
        from distributed import Client  # noqa: F401  (registers joblib's "dask" backend)

        client = Client(address)
        backend = dict(backend="dask")
    try:
        with joblib.parallel_config(**backend, n_jobs=-1 if address else jobs):
            results = joblib.Parallel(return_as="generator")(
                joblib.delayed(run_and_save)(fn, cfg, folder) for cfg, folder in tasks)
            return list(tqdm(results, **bar))
    finally:
        if address:
            client.close()


def _jobs() -> int:
    text = os.environ.get(JOBS_ENV, "1").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise config.ConfigError(f"{JOBS_ENV}={text!r} is not a positive integer: set it to the "
                                 f"number of worker processes, e.g. 2")
    return int(text)


def save(rec: Record, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataclasses.asdict(rec), indent=1, default=_jsonable))
    return path


def load(path: str | Path) -> Record:
    try:
        return Record(**json.loads(Path(path).read_text()))
    except (json.JSONDecodeError, TypeError) as e:
        raise ValueError(f"{path} is not a reglab record ({e}): delete it and rerun the chapter") from None


def _jsonable(x):
    if isinstance(x, (np.generic, torch.Tensor)):
        return x.item() if x.numel() == 1 else x.tolist()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def git_sha() -> str:
    """The commit of the reglab checkout, with `-dirty` when it has uncommitted changes.

    $REGLAB_GIT_SHA names it where the sources are a copy without git history (a GPU machine
    that received the working tree)."""
    if os.environ.get("REGLAB_GIT_SHA"):
        return os.environ["REGLAB_GIT_SHA"]
    here = Path(__file__).resolve().parent

    def git(*args):
        out = subprocess.run(["git", *args], cwd=here, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else None

    try:
        sha = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return "unknown" if not sha else sha + ("-dirty" if dirty else "")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    """Where and with what a run happened: enough to tell two records apart."""
    from .training import device  # the device runs use, which $REGLAB_DEVICE may set to the CPU

    dev = device()
    return {
        "git_sha": git_sha(),
        "reglab": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU: {cpu_name()}",
        "threads": torch.get_num_threads(),
        "seed_offset": config.seed_offset(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _plain(v):
    """A tuple as the list JSON stores it, so a fresh record and a reloaded one compare alike."""
    return [_plain(x) for x in v] if isinstance(v, (list, tuple)) else v


def select(recs: list[Record], **fields) -> list[Record]:
    """The records whose config has all the given field values, in seed order."""
    return sorted((r for r in recs if all(_plain(r.config[k]) == _plain(v) for k, v in fields.items())),
                  key=lambda r: r.config.get("seed", 0))


def finals(recs: list[Record], key: str, **fields) -> np.ndarray:
    """One final metric per record, as an array: of the records with the given config
    values (`select`), in seed order; of all records in their order if no field is given."""
    return np.array([r.final[key] for r in (select(recs, **fields) if fields else recs)], dtype=float)


def summarize(recs: list[Record], by: str | list[str], metrics: list[str]) -> pd.DataFrame:
    """Mean and sample standard deviation over seeds of `final` metrics, grouped by config
    fields, with the number of runs per group in one column `n`."""
    by = [by] if isinstance(by, str) else by
    rows = [{**{k: r.config[k] for k in by}, **{m: r.final[m] for m in metrics}} for r in recs]
    groups = pd.DataFrame(rows).groupby(by)
    table = groups[metrics].agg(["mean", "std"])
    table[("n", "")] = groups.size()
    return table
