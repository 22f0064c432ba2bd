"""``tfexam calibrate``: the grading calibration's own command line, under tfexam's name."""

from __future__ import annotations

import click

from simulator.cli.group import cli


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def calibrate(arguments: tuple[str, ...]) -> int:
    """Train each reference solution and grade it next to a naive baseline (slow: minutes per
    question). EXAM [--question Q] [--seed N | --seeds N] [--write docs/calibration.md]."""
    from simulator.grading.calibrate import main as calibrate_main

    return calibrate_main(list(arguments), prog="tfexam calibrate")
