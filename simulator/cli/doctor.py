"""``tfexam doctor``: check the session store and rebuild a damaged one (the work is
:mod:`simulator.storage.doctor`; this prints what it found and did)."""

from __future__ import annotations

from rich.markup import escape

from simulator.cli.group import CliError, cli, console
from simulator.paths import data_paths
from simulator.storage.home import home_writable


@cli.command()
def doctor() -> int:
    """Check the session store; if it is damaged, keep a copy and rebuild what can be read."""
    from simulator.storage.doctor import check_store, repair_store

    paths = data_paths()
    if not paths.database.exists():
        console.print(f"No store at {escape(str(paths.database))} yet: nothing to check.")
        return 0
    if not home_writable(paths.root):
        problems = check_store(paths.database)
        if problems == ["ok"]:
            console.print(
                f"The store {escape(str(paths.database))} is sound (integrity check: ok)."
            )
            return 0
        raise CliError(
            f"the store {paths.database} is damaged ({problems[0]}) and TFEXAM_HOME "
            f"{paths.root} is not writable: copy the folder somewhere writable and run "
            "'TFEXAM_HOME=COPY tfexam doctor' there"
        )
    done = repair_store(paths.database, paths.root / "sessions")
    if done.healthy:
        console.print(f"The store {escape(str(paths.database))} is sound (integrity check: ok).")
        return 0
    console.print(
        f"The store {escape(str(paths.database))} was damaged: {escape(done.problems[0])}"
        + (f" (and {len(done.problems) - 1} more problems)" if len(done.problems) > 1 else "")
    )
    console.print(f"Kept the damaged file as {escape(str(done.backup))}.")
    counts = ", ".join(f"{n} {table}" for table, n in done.recovered.items() if n)
    console.print(f"Rebuilt the store from what could be read: {counts or 'nothing'}.")
    if done.from_events:
        console.print(f"Put back {done.from_events} attempt(s) from the event log.")
    if done.unrecorded_copies:
        console.print(
            f"{len(done.unrecorded_copies)} attempt copies have no record left; grade one with "
            f"'tfexam grade FILE', e.g. {escape(str(done.unrecorded_copies[0]))}"
        )
    return 0
