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
