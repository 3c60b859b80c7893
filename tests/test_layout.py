"""reglab is laid out by role, and the roles' import directions hold (checked with `ast`):

core (config, data, models, training, ensemble, metrics, records, plots) knows no chapter and
imports only the core; `regularizers/` imports only data and metrics from the core, and each
other; `topics/` imports the core and the regularizers, never another topic; `chapter/` (the
publishing machinery) may import anything, and nothing in reglab imports it.
"""
import ast
import inspect
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reglab import training

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reglab"
CORE = {"config", "data", "models", "training", "ensemble", "metrics", "records", "plots"}
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def tier(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else "core"


def reglab_imports(path: Path) -> set[str]:
    """Dotted reglab modules a file imports, e.g. {"reglab.data", "reglab.topics.hessian"}."""
    package = ".".join(("reglab",) + path.relative_to(PACKAGE).parent.parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "reglab"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.split(".")[0] != "reglab":
                continue
            found |= {f"{base}.{a.name}" if base in ("reglab", "reglab.topics", "reglab.regularizers",
                                                      "reglab.chapter") else base for a in node.names}
    return found


def allowed(path: Path, target: str) -> bool:
    parts = target.split(".")[1:]
    if not parts or parts == ["__version__"]:
        return True
    kind, own = tier(path), path.relative_to(PACKAGE).parts[0]
    if kind == "chapter":
        return True
    if parts[0] == "chapter":
        return False
    if kind == "core":
        return parts[0] in CORE
    if kind == "regularizers":
        return parts[0] in ("data", "metrics") or parts[0] == "regularizers"
    if kind == "topics":
        return parts[0] in CORE or parts[0] == "regularizers"
    return own == parts[0]


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_import_directions(path):
    bad = sorted(t for t in reglab_imports(path) if not allowed(path, t))
    assert not bad, f"{path.relative_to(ROOT)} ({tier(path)}) may not import {', '.join(bad)}"


def test_the_import_scan_sees_a_forbidden_import(tmp_path, monkeypatch):
    fake = PACKAGE / "topics" / "hessian.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: "from .attention import x\nfrom .. import chapter\n")
    assert reglab_imports(fake) == {"reglab.topics.attention", "reglab.chapter"}
    assert not any(allowed(fake, t) for t in reglab_imports(fake))


def test_every_topic_names_its_paper_or_subject_in_its_first_docstring_line():
    for path in (PACKAGE / "topics").glob("[!_]*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        assert doc.strip(), f"{path.name} has no module docstring"


def test_line_budgets():
    lines = {p: len(p.read_text().splitlines()) for p in MODULES}
    core = sum(n for p, n in lines.items() if tier(p) == "core")
    assert core <= 1000, f"the core has {core} lines (budget ~1,000): move a computation to a topic"
    over = [f"{p.relative_to(PACKAGE)} ({n})" for p, n in lines.items() if tier(p) != "core" and n > 300]
    assert not over, f"over the 300-line budget for one module: {', '.join(over)}"


def test_fit_signature_is_frozen():
    assert str(inspect.signature(training.fit)) == (
        "(model: 'nn.Module', opt: 'torch.optim.Optimizer', train_set: 'data.TensorSet', "
        "loss_fn: 'Callable', *, epochs: 'int', batch_size: 'int', "
        "schedule: 'Callable[[float], float]' = <function constant>, "
        "monitor: 'Callable[[nn.Module], dict] | None' = None, eval_every: 'int' = 1, "
        "generator: 'torch.Generator | None' = None) -> 'dict'").replace(
        "<function constant>", str(inspect.signature(training.fit).parameters["schedule"].default))


def test_the_wheel_ships_every_module(tmp_path):
    """A Colab-only ImportError must be impossible: the built wheel holds every source file.
    Built from a copy, so that setuptools' build folders never land in the checkout."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "reglab", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(src)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("reglab-*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".py")}
    expected = {p.relative_to(ROOT).as_posix() for p in MODULES}
    assert expected <= shipped, f"missing from the wheel: {sorted(expected - shipped)}"
