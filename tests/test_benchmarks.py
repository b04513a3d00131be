"""The benchmark command runs end to end (on tiny sizes: a smoke test, not a timing)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_quick_run_writes_a_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    for workload in ("W1 scalar", "W2 MLP", "W3 MLP", "W4 MLP", "W5 CNN"):
        assert workload in text
    assert "| workload | minigrad | minigrad (Numba off) |" in text
    assert "`import minigrad`" in text and "memory of W3 training" in text
    assert "quick smoke run" in text
