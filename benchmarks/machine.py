"""What the benchmarks share: what they say about the machine they ran on (scripts add their own
extras), how they print and keep their JSON document, and the scripts they run as children."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import psutil


def describe_machine() -> dict[str, Any]:
    """OS, CPU model, logical cores, memory and Python version."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "os": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
    }


def print_json(results: dict[str, Any], json_out: Path | None) -> None:
    """Print the results as JSON, and keep them in ``json_out`` when given (``--json-out``)."""
    document = json.dumps(results, indent=2)
    print(document)
    if json_out:
        json_out.write_text(document + "\n")


#: A child that prints 10,000 lines a second, forever: the flood a verbose training can be, for
#: measuring what reading a run's output costs (runs_bench) and how the TUI keeps up (tui_bench).
FLOOD_SCRIPT = """
import sys, time
start = time.monotonic()
n = 0
while True:
    target = int((time.monotonic() - start) * 10000)
    while n < target:
        sys.stdout.write(f"line {n:09d} " + "x" * 60 + "\\n")
        n += 1
    sys.stdout.flush()
    time.sleep(0.005)
"""
