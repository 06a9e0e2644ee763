"""Errors a user can act on. Every layer raises them; cli/ makes them one line and an exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class CarecastError(Exception):
    """A problem the user can fix. Rendered as `error: FILE[:LINE[:COL]]: where: problem — hint`."""

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.source = source
        self.line = line
        self.column = column
        self.where = where
        self.hint = hint

    def one_line(self) -> str:
        parts = ["error"]
        if self.source is not None:
            place = self.source
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            parts.append(place)
        if self.where:
            parts.append(self.where)
        text = ": ".join(parts) + ": " + self.problem
        if self.hint:
            text += " — " + self.hint
        return " ".join(text.split())  # always one line

    def lines(self) -> list[str]:
        """Every problem, a line each (one for most errors; see ProblemList)."""
        return [self.one_line()]


class UsageError(CarecastError):
    """Bad command-line use, or a bad scenario/budget file (exit 2)."""

    exit_code = 2


class InputDataError(CarecastError):
    """The history data cannot be read or does not fit the data contract (exit 3)."""

    exit_code = 3


class ModelError(CarecastError):
    """No model could produce a forecast (exit 4)."""

    exit_code = 4


class ProblemList(UsageError):
    """Several problems in one file (a scenario or budget), all reported at once (exit 2)."""

    def __init__(self, problems: list[CarecastError]) -> None:
        first = problems[0]
        super().__init__(first.problem, source=first.source, line=first.line, where=first.where)
        self.problems = problems

    def lines(self) -> list[str]:
        return [p.one_line() for p in self.problems]


def read_all(items: Iterable[T], read: Callable[[T], R]) -> list[R]:
    """`[read(item) for item in items]`, except that the problems of every item are raised
    together (one ProblemList) instead of stopping at the first bad file."""
    results: list[R] = []
    problems: list[CarecastError] = []
    for item in items:
        try:
            results.append(read(item))
        except ProblemList as error:
            problems += error.problems
        except CarecastError as error:
            problems.append(error)
    if problems:  # files that extend each other would report a shared parent's problems twice
        unique: dict[str, CarecastError] = {}
        for problem in problems:
            unique.setdefault(problem.one_line(), problem)
        raise ProblemList(list(unique.values()))
    return results
