"""$REGLAB_SEED_OFFSET reaches every run of every chapter: executed at `smoke` scale with an
offset, each run's outcome differs from its twin at offset 0 (same config, seed shifted back),
and the offset is recorded in every record and in the summary. A run whose config has no
`seed` draws nothing at random (a closed form on fixed data): it must come out the same.

The offset-0 twins are the records the nbval run of `notebooks/` wrote just before (pytest
collects `notebooks` first); a twin that is missing is computed here.
"""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLUGS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
OFFSET = 7919
PAPERMILL = Path(sys.executable).with_name("papermill")


def config_id(cfg: dict) -> str:  # reglab.config.config_id, from the record's dict
    return hashlib.sha1(json.dumps(cfg, sort_keys=True, default=str).encode()).hexdigest()[:10]


def execute(slug: str, cwd: Path, offset: int) -> Path:
    cwd.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "REGLAB_SCALE": "smoke", "REGLAB_SEED_OFFSET": str(offset), "REGLAB_THREADS": "1"}
    subprocess.run([str(PAPERMILL), str(ROOT / "notebooks" / f"{slug}.ipynb"), str(cwd / "out.ipynb"),
                    "--cwd", str(cwd), "--no-progress-bar", "--log-level", "ERROR"],
                   env=env, check=True, capture_output=True)
    return cwd / "results" / slug / "smoke"


@pytest.mark.parametrize("slug", SLUGS)
def test_a_seed_offset_changes_every_run_and_is_recorded(slug, tmp_path):
    shifted = execute(slug, tmp_path / "shifted", OFFSET)
    assert json.loads((shifted / "chapter.json").read_text())["seed_offset"] == OFFSET
    twins = ROOT / "notebooks" / "results" / slug / "smoke"
    runs = [json.loads(p.read_text()) for p in shifted.glob("*.json") if p.name != "chapter.json"]
    assert runs, f"{slug} saved no records"
    for rec in runs:
        assert rec["env"]["seed_offset"] == OFFSET
        cfg = rec["config"]
        deterministic = "seed" not in cfg  # a run that draws nothing (a closed form on fixed data)
        assert deterministic or cfg["seed"] >= OFFSET, f"{slug}: a run's seed was not shifted: {cfg}"
        twin_name = config_id(cfg if deterministic else {**cfg, "seed": cfg["seed"] - OFFSET}) + ".json"
        if not (twins / twin_name).exists():
            twins = execute(slug, tmp_path / "unshifted", 0)
        twin = json.loads((twins / twin_name).read_text())
        if deterministic:
            assert (rec["final"], rec["history"]) == (twin["final"], twin["history"])
            continue
        assert (rec["final"], rec["history"]) != (twin["final"], twin["history"]), (
            f"{slug}: the run {cfg} gives the same result at seed offset {OFFSET}: "
            f"some random draw does not come from cfg.seed")
