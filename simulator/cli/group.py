"""The ``tfexam`` click group, the shared console, and how every failure becomes one line.

Exit codes: 0 ok, 2 usage error, 1 anything else, always with a one-line message (the traceback
only with ``--debug``). An error the user can act on (an unknown exam or question, a missing
session, a home that cannot be written...) is one of :data:`EXPECTED_ERRORS` and prints its own
sentence; anything else is a bug and says so, with its type, and ``--debug`` shows where.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click
from rich.console import Console

from simulator import __version__
from simulator.exam.catalog import DuplicateExamError, UnknownExamError
from simulator.exam.durations import DurationError
from simulator.exam.format import ExamFormatError, UnknownQuestionError
from simulator.exam.mix import MixError
from simulator.exam.new_exam import ExamExistsError
from simulator.exam.workspace import WorkspaceError
from simulator.grading.sync import GradingError
from simulator.paths import data_paths
from simulator.report.cohort import CohortError
from simulator.session.dataprep import QuestionNotReadyError
from simulator.session.engine import EngineBusyError
from simulator.session.submission import SubmitTimeoutError
from simulator.storage.store import StoreError

#: Errors that mean "the user asked for something that cannot be done": one line, exit 1.
EXPECTED_ERRORS = (
    ExamFormatError,
    UnknownExamError,
    DuplicateExamError,
    MixError,
    ExamExistsError,
    CohortError,
    UnknownQuestionError,
    StoreError,
    WorkspaceError,
    DurationError,
    EngineBusyError,
    GradingError,
    QuestionNotReadyError,
    SubmitTimeoutError,
    FileNotFoundError,
)


def _console_width() -> int | None:
    """Tables in a pipe are not cut to 80 columns: a script reads whole rows. COLUMNS still rules."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return PIPE_WIDTH


#: The width tables may take when standard output is not a terminal (and COLUMNS is not set).
PIPE_WIDTH = 1000
console = Console(highlight=False, soft_wrap=True, width=_console_width())


class CliError(click.ClickException):
    """A failure to report in one line with exit code 1."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tfexam")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """A mock-exam simulator for the TensorFlow Developer Certificate.

    Start a timed mock exam with 'tfexam start', save models into the workspace, and watch them
    being graded. Data lives in $TFEXAM_HOME (else the platform's user data folder).
    """


#: click >= 8.2 raises this (a UsageError whose message is the help page) for a bare command;
#: older versions print the help themselves.
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``tfexam`` with ``argv`` (default: the process's arguments) and exit with its code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="tfexam", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except _NO_ARGS_IS_HELP as help_page:  # plain `tfexam`: the help, as click shows it
        help_page.show()
        sys.exit(2)
    except click.UsageError as error:
        # One line, like every other error; the command's --help has the rest.
        command = error.ctx.command_path if error.ctx is not None else "tfexam"
        click.echo(
            f"tfexam: usage error: {error.format_message().rstrip('.')} (see '{command} --help')",
            err=True,
        )
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("tfexam: aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        click.echo(f"tfexam: error: {error.format_message()}", err=True)
        sys.exit(1)
    except EXPECTED_ERRORS as error:
        if debug:
            raise
        click.echo(f"tfexam: error: {error}", err=True)
        sys.exit(1)
    except Exception as error:
        if debug:
            raise
        # "database disk image is malformed", "file is not a database": not a busy or full disk.
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(
            error, sqlite3.OperationalError
        ):
            click.echo(
                f"tfexam: error: the session store {data_paths().database} is damaged ({error}): "
                "'tfexam doctor' checks it, keeps a copy and rebuilds what it can",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"tfexam: error: {type(error).__name__}: {error} (run with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
