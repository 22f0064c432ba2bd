"""``tfexam doctor``: check the session store and rebuild a damaged, emptied or missing one (the
work is :func:`simulator.storage.doctor.run_doctor`; this prints what it found and did)."""

from __future__ import annotations

from rich.markup import escape

from simulator.cli.group import cli, console
from simulator.paths import data_paths
from simulator.storage.home import home_writable


@cli.command()
def doctor() -> int:
    """Check the session store; if it is damaged, keep a copy and rebuild what can be read; if it
    is missing, empty or not a file, rebuild it from the session folders."""
    from simulator.storage.doctor import run_doctor

    paths = data_paths()
    writable = home_writable(paths.root)
    for line in run_doctor(paths.database, paths.root / "sessions", writable=writable):
        console.print(escape(line))
    return 0
