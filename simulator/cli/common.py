"""What several commands share: the store as a command opens it, the log file, the grading and
duration options. Parsing and printing only; the work is the library's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from simulator.exam.durations import DurationError, parse_duration
from simulator.grading.settings import MIN_MEMORY_LIMIT_MB, GradingSettings
from simulator.logfile import log_to as log_to  # the commands' log file
from simulator.paths import DataPaths, data_paths
from simulator.session.sessions import finalize_if_due
from simulator.storage.home import open_store
from simulator.storage.records import SessionRecord
from simulator.storage.store import Store


def opened_store(*, write: bool = True) -> tuple[DataPaths, Store]:
    """The store; commands that only read (``write=False``) also work on a home they cannot write
    to, and say so on stderr; the others refuse it in one line."""
    paths = data_paths()
    store = open_store(paths, write=write)
    if store.read_only:
        click.echo(
            f"tfexam: TFEXAM_HOME {paths.root} is not writable: showing what is stored, "
            "changing nothing",
            err=True,
        )
    return paths, store


def session_as_it_stands(paths: DataPaths, store: Store, key: str | None) -> SessionRecord:
    """The session named ``key`` (default: the newest), finished first if its deadline passed
    with no engine attached; a read-only home's session is shown as it stands."""
    session = store.find_session(key)
    if store.read_only:
        return session
    log_to(paths.engine_log(session.id))
    return finalize_if_due(store, paths, session)


def duration_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Parse ``--duration`` while click parses, so a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except DurationError as error:
        raise click.BadParameter(str(error)) from None


def grading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--grading-timeout``, ``--memory-limit`` and ``--max-model-size`` (start and grade)."""
    options = [
        click.option(
            "--grading-timeout",
            type=click.FloatRange(1, 3600),
            help="Seconds one grading job may take (default 120).",
        ),
        click.option(
            "--memory-limit",
            type=click.IntRange(MIN_MEMORY_LIMIT_MB),
            help="MB of memory (RSS) the grading process may use, TensorFlow's own 600 MB "
            "included (default 4096, or half the machine's memory if that is less; at least "
            f"{MIN_MEMORY_LIMIT_MB}).",
        ),
        click.option(
            "--max-model-size",
            "max_model_mb",
            type=click.IntRange(1),
            help="MB a model file may have; a larger one is not gradable (default 2000).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def grading_settings(**overrides: float | None) -> GradingSettings:
    """The default grading settings with the command line's overrides (None: not given)."""
    chosen = {key: value for key, value in overrides.items() if value is not None}
    return GradingSettings.from_dict({**GradingSettings.defaults().to_dict(), **chosen})
