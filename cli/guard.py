"""The error boundary: every command runs inside `guarded`, which turns errors into exit codes.

A user error is one line on stderr (`error: FILE[:LINE[:COL]]: where: problem — hint`) and its
documented code; anything unexpected is a bug (exit 101), with the traceback only under --debug.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import typer

from models.errors import CarecastError, UsageError

SUCCESS = 0
FINDING = 1  # --fail-on-shortfall found a shortfall; a check that moved
USAGE = 2  # usage, scenario or budget file error
INPUT_DATA = 3
MODEL = 4
BUG = 101

P = ParamSpec("P")
R = TypeVar("R")


INTERRUPTED = 130  # Ctrl-C, as shells report it (128 + SIGINT)
TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, `kill`): unwound like Ctrl-C, so that worker processes are
    stopped and no output is half written, then exit 143."""


def stop_on_sigterm() -> None:
    """Turn SIGTERM into Terminated in this (the main) process; workers keep the default."""

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, handler)


def debug_enabled() -> bool:
    return "--debug" in sys.argv or os.environ.get("CARECAST_DEBUG") == "1"


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CarecastError as error:
            if debug_enabled() or kwargs.get("debug"):
                raise
            for line in error.lines():
                _say(line)
            raise typer.Exit(error.exit_code) from None
        except Terminated:
            _say("error: stopped (terminated)")
            raise typer.Exit(TERMINATED) from None
        except KeyboardInterrupt:
            _say("error: interrupted")
            raise typer.Exit(INTERRUPTED) from None
        except Exception as error:
            if debug_enabled() or kwargs.get("debug"):
                raise
            _say(
                f"error: internal error (a bug in carecast): {type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''} — run again with --debug for "
                "the traceback and report it"
            )
            raise typer.Exit(BUG) from None

    return run


@contextlib.contextmanager
def writing_output(target: str = "stdout") -> Iterator[None]:
    """Turn failures to write results into user errors; a reader that closed the pipe is fine.

    `carecast forecast | head` closes stdout early: the rest of the output is dropped quietly
    and the command goes on to its exit code, so a check that moved still exits 1 (a pipeline
    with `set -o pipefail` must not read a regression as a pass). A full disk or a read-only
    folder is not a bug in carecast: one line and exit 2.
    """
    try:
        yield
        if target == "stdout":
            sys.stdout.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit; point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError as error:
        denied = error.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        raise UsageError(
            f"cannot write the output: {error.strerror or error}",
            source=target,
            hint="check that the folder may be written (permissions, a read-only disk)"
            if denied
            else "check the disk space and that the output can be written",
        ) from None


def _say(line: str) -> None:
    print(" ".join(line.split()), file=sys.stderr)
