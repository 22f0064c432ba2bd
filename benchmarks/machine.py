"""What every benchmark shares: what it says about the machine it ran on (scripts add their own
extras), and how it prints and keeps its JSON document."""

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
