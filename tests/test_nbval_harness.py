"""Proof that the nbval harness compares real numbers: a changed stored number must fail."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import BOOK, ROOT

def run_nbval(notebook, tmp_path):
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "-o", "addopts=", "-o", "testpaths=",
        "--rootdir", str(tmp_path), "--nbval", "--nbval-current-env",
        f"--nbval-sanitize-with={ROOT / 'tests' / 'nbval_sanitize.cfg'}",
        str(notebook),
    ]
    return subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)


def tamper(cell_source_marker: str, old: str, new: str, tmp_path):
    nb = json.loads((BOOK / "intro.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and cell_source_marker in "".join(cell["source"]):
            for out in cell["outputs"]:
                text = out.get("data", {}).get("text/plain")
                if text is not None:
                    joined = "".join(text)
                    assert old in joined
                    out["data"]["text/plain"] = joined.replace(old, new)
                    break
            else:
                pytest.fail("no text output to tamper with")
            break
    else:
        pytest.fail(f"no cell containing {cell_source_marker!r}")
    copy = tmp_path / "intro_tampered.ipynb"
    copy.write_text(json.dumps(nb))
    return copy


@pytest.mark.slow
def test_untouched_copy_passes(tmp_path):
    copy = tmp_path / "intro_copy.ipynb"
    copy.write_text((BOOK / "intro.ipynb").read_text())
    result = run_nbval(copy, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.slow
def test_changed_stored_number_fails(tmp_path):
    copy = tamper("output_size(84, kernel_size=8, stride=4)", "20", "21", tmp_path)
    result = run_nbval(copy, tmp_path)
    assert result.returncode != 0
    assert "1 failed" in result.stdout and "21" in result.stdout, result.stdout[-3000:]
