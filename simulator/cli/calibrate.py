"""``tfexam calibrate``: the grading calibration's own command line, under tfexam's name."""

from __future__ import annotations

import click

from simulator.cli.group import cli


#: ``--help`` goes to the calibration's own parser, which lists every option (one place for them).
@cli.command(context_settings={"ignore_unknown_options": True}, add_help_option=False)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def calibrate(arguments: tuple[str, ...]) -> int:
    """Train each reference solution and grade it next to a naive baseline (slow: minutes per
    question). EXAM [--question Q] [--seed N | --seeds N] [--write docs/calibration.md]
    [--curves]; --help lists what each does."""
    from simulator.grading.calibrate import main as calibrate_main

    return calibrate_main(list(arguments), prog="tfexam calibrate")
