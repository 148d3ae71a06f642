"""The book's table of contents, and the notebooks nbval compares."""

from __future__ import annotations

import json
import pathlib

import pytest
import tomllib
import yaml

from conftest import BOOK, ROOT


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def book_notebooks() -> list[pathlib.Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def test_every_notebook_is_in_the_toc_and_every_entry_exists():
    listed = toc_files()
    assert len(listed) == len(set(listed)), "an entry is listed twice"
    stems = {str(p.relative_to(ROOT).with_suffix("")) for p in book_notebooks()}
    missing_from_toc = stems - set(listed)
    assert not missing_from_toc, f"notebooks not in _toc.yml: {sorted(missing_from_toc)}"
    for entry in listed:
        candidates = [ROOT / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry!r}, which does not exist"


def test_chapters_come_in_reading_order():
    order = ["book/intro", "book/softmax", "book/convolution", "book/conv_layers", "book/cnn_sizing",
             "book/autodiff", "book/init_batchnorm"]
    listed = [f for f in toc_files() if f in order]
    assert listed == [f for f in order if f in listed]


@pytest.mark.parametrize("path", book_notebooks(), ids=lambda p: p.name)
def test_notebook_is_committed_fully_executed_in_order(path):
    """Without stored outputs nbval has nothing to compare: every code cell must carry an
    execution count, in increasing order from a fresh kernel, and no error output."""
    nb = json.loads(path.read_text())
    counts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        counts.append(cell.get("execution_count"))
        assert all(o.get("output_type") != "error" for o in cell.get("outputs", [])), "an error is stored"
    assert counts and None not in counts, f"{path.name}: cells without execution count: run all cells and save"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: not executed top to bottom once: {counts}"


@pytest.mark.parametrize("path", book_notebooks(), ids=lambda p: p.name)
def test_notebook_has_a_title_and_compared_outputs(path):
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
    compared = [
        c for c in nb["cells"]
        if c["cell_type"] == "code" and c.get("outputs")
        and not {"nbval-ignore-output", "nbval-skip"} & set(c.get("metadata", {}).get("tags", []))
    ]
    assert len(compared) >= 3, f"{path.name}: nbval would compare almost nothing"


def test_nbval_runs_in_strict_mode():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["addopts"]
    assert "--nbval" in addopts and "--nbval-lax" not in addopts
    assert "--nbval-sanitize-with=tests/nbval_sanitize.cfg" in addopts
    assert "book" in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
