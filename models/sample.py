"""The bundled sample: what `carecast forecast` runs on when no input file is given.

The CSV is written by scripts/make_sample.py (seeded, reproducible). It ships inside the
package, next to this module, so an installed wheel finds it without the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

SAMPLE_PATH: Final = Path(__file__).resolve().parent / "data" / "sample_midden_drenthe.csv"

SAMPLE_CAPTION: Final = (
    "Illustrative sample: monthly spending per Iv3 care taakveld, January 2019 – September 2026, "
    "based on the real Iv3 figures of Midden-Drenthe (jaarrekening 2023, begroting 2023 and "
    "2024) — not real monthly data"
)
