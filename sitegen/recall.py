"""Carry the values of one build over to the next, so that unchanged parts stay the same objects.

The live preview runs the whole pipeline on every save. Each step that makes many values (stories,
listings, pages, page keys) asks the recall for the value it made last time from the same inputs.
Inputs are compared with `==`, which for the tuples used here stops at identity for every element
that is the very object of the last build: a saved article is a new object, everything else is
not. So a step's work on an unchanged story costs a lookup, and the next step sees an unchanged
value as the same object and can recall its own work on it in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import compress
from operator import is_not, or_
from typing import Any, TypeVar

T = TypeVar("T")
Item = TypeVar("Item")
_MISSING: Any = object()
_LOOKUPS = 16  # beyond this many moved or new items, the last build's are looked up by key
_FORGET_EVERY = 64  # builds between two clean-ups of what no build asked for


class Recall:
    """What the last build made, by name, with the inputs it was made from."""

    def __init__(self) -> None:
        self._last: dict[Hashable, tuple[tuple[Any, ...], Any]] = {}
        self._used: dict[Hashable, tuple[tuple[Any, ...], Any]] = {}
        self._builds = 0

    def __call__(self, name: Hashable, make: Callable[..., T], *inputs: Any) -> T:
        """`make(*inputs)`, or the value it gave in the last build for equal inputs."""
        known = self._used.get(name) or self._last.get(name)
        if known is not None and known[0] == inputs:
            value: T = known[1]
        else:
            value = make(*inputs)
        self._used[name] = (inputs, value)
        return value

    def each(self, name: Hashable, make: Callable[..., T], items: Sequence[Item],
             key: Callable[[Item], Hashable], *shared: Any) -> list[T]:
        """`[make(item, *shared) for item in items]`, where every item equal to one of the last
        build (at the same place, or else with the same `key`) gets its last value back: the
        same as calling the recall once per item, at a fraction of the cost."""
        return self.rows(name, make, (items,), lambda row: key(row[0]), *shared)

    def rows(self, name: Hashable, make: Callable[..., T], columns: tuple[Sequence[Any], ...],
             key: Callable[[tuple[Any, ...]], Hashable], *shared: Any) -> list[T]:
        """`each` over the rows of parallel columns, `make(*row, *shared)`, compared column by
        column without making the rows."""
        last = self._used.get(name) or self._last.get(name)
        if last is None or last[0][2:] != shared:
            values = [make(*row, *shared) for row in zip(*columns)]
        else:
            before, values_before = last[0][0], last[1]
            changed = _changed_rows(before, columns)
            moved: Sequence[int]
            if changed is None:
                values, moved = [_MISSING] * len(columns[0]), range(len(columns[0]))
            else:
                values = list(values_before)
                moved = [n for n in changed if _row(columns, n) != _row(before, n)]
            by_key = ({key(row): (row, v) for row, v in zip(zip(*before), values_before)}
                      if len(moved) > _LOOKUPS else {})
            for n in moved:
                row = _row(columns, n)
                found = by_key.get(key(row))
                values[n] = found[1] if found is not None and found[0] == row \
                    else make(*row, *shared)
        self._used[name] = ((columns, key, *shared), values)
        return values

    def update(self, name: Hashable, make: Callable[..., T],
               update: Callable[..., T | None], items: Sequence[Any], *shared: Any) -> T:
        """`make(items, *shared)`; or, when the last build made it from other items and equal
        `shared`, `update(value, items before, items, *shared)`, which brings the last value up
        to date for the items that changed, or says it cannot with None."""
        known = self._used.get(name) or self._last.get(name)
        value = None
        if known is not None and known[0][1:] == shared:
            value = update(known[1], known[0][0], items, *shared)
        if value is None:
            value = make(items, *shared)
        self._used[name] = ((items, *shared), value)
        return value

    def finish(self) -> None:
        """After a build that succeeded. What it did not ask for is kept a while (a step that
        took back a whole listing did not ask for its pages), and let go every so many builds,
        so that memory stays the size of one site."""
        self._builds += 1
        if self._builds % _FORGET_EVERY == 0:
            self._last, self._used = self._used, {}
        else:
            self._last.update(self._used)
            self._used = {}


def _row(columns: tuple[Sequence[Any], ...], n: int) -> tuple[Any, ...]:
    return tuple(column[n] for column in columns)


def _changed_rows(before: tuple[Sequence[Any], ...],
                  after: tuple[Sequence[Any], ...]) -> list[int] | None:
    """The rows where any column holds another object than before; None if lengths differ."""
    if len({len(column) for column in (*before, *after)}) != 1:
        return None
    differ = map(is_not, before[0], after[0])
    for old, new in zip(before[1:], after[1:]):
        differ = map(or_, differ, map(is_not, old, new))
    return list(compress(range(len(after[0])), differ))


def changed_at(before: Sequence[Any], after: Sequence[Any]) -> list[int] | None:
    """The places where `after` holds another object than `before`, found without looking
    inside either; None when they differ in length."""
    if len(before) != len(after):
        return None
    return list(compress(range(len(after)), map(is_not, before, after)))


def swaps(before: Sequence[T], after: Sequence[T]) -> list[tuple[T, T]] | None:
    """The (old, new) pairs where `after` holds another object than `before` at the same
    place; None when they differ in length."""
    changed = changed_at(before, after)
    return None if changed is None else [(before[n], after[n]) for n in changed]
