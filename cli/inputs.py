"""Which files to read: the user's, or the bundled sample when none are given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.sample import SAMPLE_CAPTION, SAMPLE_PATH

SAMPLE_LABEL = "bundled sample: " + SAMPLE_PATH.name


@dataclass(frozen=True)
class Inputs:
    paths: list[Path]
    caption: str | None  # says the bundled sample is illustrative
    labels: dict[str, str]  # path -> name shown in reports


def resolve_inputs(inputs: list[Path] | None) -> Inputs:
    if inputs:
        return Inputs(list(inputs), None, {})
    return Inputs([SAMPLE_PATH], SAMPLE_CAPTION, {str(SAMPLE_PATH): SAMPLE_LABEL})
