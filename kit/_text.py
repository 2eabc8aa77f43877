"""Small wording helpers shared by the command line and the dashboard (internal)."""

from __future__ import annotations

__all__ = ["count"]


def count(n: int, noun: str) -> str:
    """``count(1, "article")`` -> "1 article"; ``count(3, "article")`` -> "3 articles"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
