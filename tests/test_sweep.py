"""records.sweep: the one way a chapter runs its grid, in process, on worker processes, or on
a real Dask cluster, with the same records whatever runs them."""
import dataclasses
import json

import pytest
import torch

from reglab import config, records, training


@dataclasses.dataclass(frozen=True)
class Cfg:
    width: int = 4
    seed: int = 0
    scale: str = "smoke"


def run(cfg):
    """A tiny seeded run: a random init and a few SGD steps on random data, all from cfg.seed."""
    training.seed_all(cfg.seed)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    model = torch.nn.Sequential(torch.nn.Linear(3, cfg.width), torch.nn.Tanh(), torch.nn.Linear(cfg.width, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return records.Record(config=dataclasses.asdict(cfg), history={"loss": losses}, final={"loss": losses[-1]})


CFGS = config.grid(Cfg(), width=[2, 4], seed=[0, 1])


def _science(recs):
    return [(r.config, r.history, r.final) for r in recs]


def test_sweep_runs_every_config_in_order_and_saves_each(tmp_path):
    recs = records.sweep(run, CFGS, "toy", root=tmp_path)
    assert [r.config["width"] for r in recs] == [2, 2, 4, 4] and [r.config["seed"] for r in recs] == [0, 1, 0, 1]
    saved = sorted((tmp_path / "toy" / "smoke").glob("*.json"))
    assert len(saved) == 4 and json.loads(saved[0].read_text())["env"]["seed_offset"] == 0


def test_worker_processes_give_the_same_records(tmp_path, monkeypatch):
    here = records.sweep(run, CFGS, "toy", root=tmp_path / "a")
    monkeypatch.setenv("REGLAB_JOBS", "2")
    there = records.sweep(run, CFGS, "toy", root=tmp_path / "b")
    assert _science(there) == _science(here)


def test_a_dask_cluster_gives_the_same_records(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    here = records.sweep(run, CFGS, "toy", root=tmp_path / "a")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        monkeypatch.setenv("REGLAB_DASK", cluster.scheduler_address)
        there = records.sweep(run, CFGS, "toy", root=tmp_path / "b")
    assert _science(there) == _science(here)
    assert len(list((tmp_path / "b" / "toy" / "smoke").glob("*.json"))) == 4


@pytest.mark.parametrize("bad", ["0", "two", "-1"])
def test_a_bad_job_count_is_a_one_line_error(tmp_path, monkeypatch, bad):
    monkeypatch.setenv("REGLAB_JOBS", bad)
    with pytest.raises(config.ConfigError, match="not a positive integer"):
        records.sweep(run, CFGS, "toy", root=tmp_path)
