"""The committed notebooks: each .py source has an output-free .ipynb twin in sync with it."""
from pathlib import Path

import jupytext
import pytest
import yaml
from jupytext.compare import compare_notebooks

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.py"))
IDS = [p.stem for p in SOURCES]


def _cells(nb):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", []))) for c in nb.cells]


def _tagged(nb, tag):
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


def test_there_are_chapters():
    assert SOURCES, "no notebooks/*.py found"


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_ipynb_twin_exists_and_is_in_sync(py):
    ipynb = py.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run `make notebooks`"
    nb_py, nb_ipynb = jupytext.read(py), jupytext.read(ipynb)
    assert nb_ipynb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    assert _cells(nb_py) == _cells(nb_ipynb), f"{ipynb.name} is out of date: run `make notebooks`"
    compare_notebooks(nb_py, nb_ipynb, fmt="py:percent", raise_on_first_difference=True)


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_committed_ipynb_has_no_outputs(py):
    nb = jupytext.read(py.with_suffix(".ipynb"))
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_one_scale_parameter_defaulting_to_book(py):
    nb = jupytext.read(py)
    (cell,) = _tagged(nb, "parameters")
    namespace = {}
    exec(cell.source, namespace)
    assert {k for k in namespace if not k.startswith("__")} == {"scale"} and namespace["scale"] == "book"


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_colab_install_cell_is_a_noop_off_colab_and_installs_this_repo(py):
    nb = jupytext.read(py)
    cell = nb.cells[[i for i, c in enumerate(nb.cells) if c.cell_type == "code"][0]]
    assert "remove-cell" in cell.metadata.get("tags", [])

    def get_ipython():
        raise AssertionError("the Colab install cell ran off Colab")

    exec(cell.source, {"get_ipython": get_ipython})  # google.colab is not imported here
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert f"git+{repo}" in cell.source, "the install URL must be repository.url in _config.yml"


def test_every_chapter_is_in_the_table_of_contents_and_vice_versa():
    toc = (ROOT / "_toc.yml").read_text()
    listed = {line.split("book/executed/")[1].strip() for line in toc.splitlines() if "book/executed/" in line}
    assert listed == set(IDS)


HIDDEN = ("hide-input", "remove-input", "remove-cell")
FIRST_CELLS = {"scale", "CHAPTER"}  # papermill's parameter and the card's metadata


def hidden_names_read_by_visible_cells(source: str) -> list[str]:
    """Names a visible code cell reads that only a hidden cell assigns: a reader of the page
    could not follow the data. (Hidden cells may read visible names: plots, glue.)"""
    import ast
    import re

    defined, problems = {}, []
    for cell in re.split(r"^# %%", source, flags=re.M)[1:]:
        head, _, body = cell.partition("\n")
        if "[markdown]" in head:
            continue
        hidden = any(t in head for t in HIDDEN)
        tree = ast.parse(body)
        if not hidden:
            local = {a.arg for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.Lambda))
                     for a in f.args.args + f.args.kwonlyargs}
            local |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            local |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                      if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
            problems += [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                         and n.id not in local and defined.get(n.id) is True and n.id not in FIRST_CELLS]
        for node in tree.body:  # top-level definitions only
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [(a.asname or a.name).split(".")[0] for a in node.names]
            else:
                names = [n.id for t in getattr(node, "targets", []) + [getattr(node, "target", None)]
                         if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)]
            for n in names:
                defined[n] = hidden if n not in defined or defined[n] else False
    return sorted(set(problems))


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_no_visible_cell_reads_a_name_only_a_hidden_cell_defines(py):
    assert hidden_names_read_by_visible_cells(py.read_text()) == []


def test_the_hidden_name_scan_finds_one():
    source = ('# %% tags=["hide-input"]\nsecret = 1\n\n# %%\nprint(secret)\n'
              '# %%\nshown = 2\n# %% tags=["remove-cell"]\nprint(shown)\n')
    assert hidden_names_read_by_visible_cells(source) == ["secret"]


@pytest.mark.parametrize("py", SOURCES, ids=IDS)
def test_claims_are_shown_before_the_experiment_and_checked_through_the_summary(py):
    source = py.read_text()
    assert "chapter.plan(CLAIMS)" in source, "show the claims as a visible 'What we check' table"
    assert source.index("chapter.plan(CLAIMS)") < source.index("def run(")
    assert "records.sweep(" in source, "grids of runs go through records.sweep"
    assert "chapter.check(summary)" in source and "def measure(" in source
