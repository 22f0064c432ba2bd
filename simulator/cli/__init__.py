"""The ``tfexam`` command: the contract that the TUI, the report and outside scripts rely on.

A thin layer over the library: each module parses one group of commands and prints what the
library returns; none opens the store itself or writes an event. :mod:`simulator.cli.group` holds
the click group and turns every failure into one line (exit codes: 0 ok, 2 usage error, 1
anything else; the traceback only with ``--debug``). No command imports TensorFlow: grading
happens in worker processes.

A command module registers its commands on :data:`cli` when imported, so adding one is one import
line below (a standalone click command is added with ``cli.add_command``).
"""

from __future__ import annotations

from simulator.cli import (  # noqa: F401  (each registers its commands on the group)
    authoring,
    calibrate,
    cohort,
    doctor,
    drill,
    estimate,
    exams,
    grade,
    notebook,
    report,
    session_commands,
    train,
)
from simulator.cli.group import cli, main
from simulator.cli.prepare import prepare_command
from simulator.cli.serve import serve

cli.add_command(prepare_command)
cli.add_command(serve)

__all__ = ["cli", "main"]
