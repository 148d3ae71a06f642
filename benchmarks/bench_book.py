"""Whole-book figures: `import nnbook` time and the wall time of executing every notebook."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient

from _harness import Result, benchmark, median_seconds

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _python(code: str) -> float:
    """Seconds spent inside ``code`` in a fresh interpreter (startup excluded)."""
    probe = f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return float(out.stdout)


@benchmark("import nnbook (fresh interpreter)", max_seconds=0.2)
def import_time() -> Result:
    measured = sorted(_python("import nnbook") for _ in range(7))[3]
    reference = sorted(_python("import numpy") for _ in range(7))[3]
    return Result(measured, reference, "import numpy")


def _execute(path: pathlib.Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


@benchmark("execute every notebook in book/ (total)")
def notebooks() -> Result:
    paths = sorted(p for p in (ROOT / "book").glob("*.ipynb"))
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    tmp = ROOT / "_build" / "bench_empty.ipynb"
    tmp.parent.mkdir(exist_ok=True)
    nbformat.write(empty, tmp)
    reference = median_seconds(lambda: _execute(tmp), repeat=3, warmup=0)
    total = sum(_execute(p) for p in paths)
    names = ", ".join(p.stem for p in paths)
    return Result(total, reference * len(paths), f"{len(paths)} x an empty notebook", note=names)
