"""`python -m bench --quick` runs every measurement with tiny samples and prints the whole table.

No timing is asserted here: the figures of a quick run mean nothing; the full run (`make bench`) is for reading."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bench.run import Config, expected_keys
from bench.stats import HEAD

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_prints_every_row(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--data-dir", str(tmp_path / "data"),
                             "--markdown", str(tmp_path / "table.md")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith(HEAD[0]))
    assert all(column in header for column in HEAD)
    printed = {line.split()[0] for line in lines if line and not line.startswith((" ", "-"))}
    missing = [key for key in expected_keys(Config.quick_run()) if key not in printed]
    assert not missing, f"rows not printed: {missing}\n{result.stdout}"
    for key in expected_keys(Config.quick_run()):
        row = next(line for line in lines if line.split() and line.split()[0] == key)
        cells = re.split(r"\s{2,}", row.strip())  # id, what, n, median, p95, × floor, notes
        if cells[2] == "0":  # a skipped row (no PostgreSQL) says why instead of figures
            assert "skipped" in row, row
        else:
            assert re.fullmatch(r"\d+(\.\d+)?( ms| KB| /s)?", cells[3]), row
    assert "targets" in lines
    targets = lines[lines.index("targets") + 1:]
    assert len([t for t in targets if t.strip().startswith("[")]) == 5, targets
    assert (tmp_path / "table.md").read_text(encoding="utf-8").count("\n| ") >= len(expected_keys(Config.quick_run()))
