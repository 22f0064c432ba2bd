"""The machine's CPU and memory, and the warnings a candidate needs before it is too late.

Several trainings on a laptop share its cores: three on two cores each run about 1.5x slower.
Memory is the other limit: a training that swaps slows everything, one that runs out is killed.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

#: Warn when less than this share of memory is available (or LOW_MEMORY_MB, see low_memory_mb).
LOW_MEMORY_SHARE = 0.10
LOW_MEMORY_MB = 1024.0


@dataclass(frozen=True)
class Resources:
    cpu_percent: float  # of the whole machine, 0-100
    cores: int
    memory_total_mb: float
    memory_available_mb: float
    runs: int

    @property
    def memory_used_mb(self) -> float:
        return self.memory_total_mb - self.memory_available_mb

    @property
    def low_memory_mb(self) -> float:
        """Below this much available memory, warn: 10 % of it, but at least 1 GB on big machines."""
        total = self.memory_total_mb
        return max(total * LOW_MEMORY_SHARE, min(LOW_MEMORY_MB, total * 0.2))

    def label(self) -> str:
        """``CPU 87% of 2 cores · memory 5.1/15.6 GB · 3 runs``"""
        return (
            f"CPU {self.cpu_percent:.0f}% of {self.cores} cores · memory "
            f"{self.memory_used_mb / 1024:.1f}/{self.memory_total_mb / 1024:.1f} GB · "
            f"{self.runs} run{'s' if self.runs != 1 else ''}"
        )

    def warnings(self) -> list[str]:
        found = []
        if self.runs > self.cores:
            slower = self.runs / self.cores
            found.append(
                f"{self.runs} trainings on {self.cores} cores: each runs about {slower:.1f}x slower"
            )
        if self.memory_available_mb < self.low_memory_mb:
            found.append(
                f"memory is running out: {self.memory_available_mb:.0f} MB free of "
                f"{self.memory_total_mb:.0f} MB; stop a training before one is killed"
            )
        return found


def measure(runs: int) -> Resources:
    """Now, for the whole machine (``cpu_percent`` since the previous call)."""
    memory = psutil.virtual_memory()
    return Resources(
        cpu_percent=psutil.cpu_percent(interval=None),
        cores=psutil.cpu_count(logical=True) or 1,
        memory_total_mb=memory.total / 2**20,
        memory_available_mb=memory.available / 2**20,
        runs=runs,
    )
