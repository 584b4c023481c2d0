"""How a build tells where it is, for the command line to show: the pipeline never prints."""

from __future__ import annotations

from collections.abc import Callable

# (stage, done, total), e.g. ("rendering", 120, 3500)
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """A build that nobody watches."""
