"""Versions of carecast and of the libraries that decide its numbers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

NUMERIC_LIBRARIES = ("prophet", "cmdstanpy", "polars", "numpy", "pandas")


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def carecast_version() -> str:
    return package_version("carecast")


def library_versions() -> dict[str, str]:
    return {name: package_version(name) for name in NUMERIC_LIBRARIES}


def version_lines() -> list[str]:
    lines = [f"carecast {carecast_version()}"]
    lines += [f"{name} {v}" for name, v in library_versions().items()]
    return lines
