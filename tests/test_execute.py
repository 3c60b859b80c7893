"""book/_ext/execute.py: which chapters `make book` executes, in what order, and how it fails."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import execute  # noqa: E402


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """Three chapters; `b` is current; executing records the call instead of running papermill."""
    calls = []
    (tmp_path / "book").mkdir()
    (tmp_path / "notebooks").mkdir()
    for slug in ("a", "b", "c", "fail"):
        (tmp_path / "notebooks" / f"{slug}.ipynb").write_text("{}")
    monkeypatch.setattr(execute, "ROOT", tmp_path)
    monkeypatch.setattr(execute.reproducibility, "chapter_slugs", lambda root: ["a", "b", "c"])
    monkeypatch.setattr(execute.reproducibility, "stale_reasons", lambda root, s: [] if s == "b" else ["changed"])
    monkeypatch.setattr(execute, "expected_seconds", lambda s: {"a": 10, "b": 50, "c": 90}[s])

    def run(slug, out, cwd, offset=0):
        calls.append((slug, offset))
        ok = slug != "fail"
        return {"slug": slug, "offset": offset, "seconds": 1.0, "ok": ok, "error": None if ok else "ClaimFailed: x",
                "summary": {"verdict": "reproduced", "claims": [{"key": "k", "ours": 1.0, "ok": ok}]}, "log": "x.log"}

    monkeypatch.setattr(execute, "execute", run)
    return calls


def test_only_stale_chapters_run_longest_first(fake, capsys):
    assert execute.main(["--jobs", "1"]) == 0
    assert fake == [("c", 0), ("a", 0)]
    out = capsys.readouterr().out
    assert "chapter b: current" in out and "chapter c: ok in 1 s, reproduced" in out


def test_force_runs_every_chapter(fake):
    assert execute.main(["--jobs", "2", "--force"]) == 0
    assert sorted(fake) == [("a", 0), ("b", 0), ("c", 0)]


def test_a_failing_chapter_is_named_and_fails_the_build(fake, monkeypatch, capsys):
    monkeypatch.setattr(execute.reproducibility, "chapter_slugs", lambda root: ["a", "fail"])
    monkeypatch.setattr(execute, "expected_seconds", lambda s: 1)
    assert execute.main(["--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "chapter fail: FAILED (ClaimFailed: x" in captured.out
    assert "failed chapters: fail" in captured.err


def test_robustness_runs_every_chapter_at_every_offset(fake, tmp_path):
    assert execute.main(["--offsets", "1000", "2000", "--jobs", "2"]) == 0
    assert sorted(fake) == [(s, o) for s in "abc" for o in (1000, 2000)]
    record = json.loads((tmp_path / "book" / "robustness.json").read_text())
    assert record["offsets"] == [1000, 2000] and record["chapters"]["a"]["2000"]["held"] is True


def test_bad_arguments_are_one_line_errors(fake, capsys):
    with pytest.raises(SystemExit):
        execute.main(["--jobs", "0"])
    assert "--jobs must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        execute.main(["--chapters", "nope"])
    assert "no notebook for chapter(s) nope" in capsys.readouterr().err
