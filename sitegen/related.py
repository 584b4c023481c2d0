"""Related stories: for each article, the others of its language that share most with it.

The score an editor can check by eye: one point for each tag the two articles share, and one
for the same section. The highest scores come first, the newest first among equal scores; an
article is never related to itself or to another version of its story, and one that shares
nothing is never related.

A newsroom has tens of thousands of stories, so pairs are never compared one by one: each
topic (a tag or a section) has the set of its articles, kept as the bits of one integer with
the newest article highest, and an article counts the sets of its own topics together a whole
integer at a time (see `_best`): 20,000 articles take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

from .content import Article

RELATED = 4  # how many related stories an article shows at most


def related_stories(articles: Sequence[Article], topics_of: Callable[[Article], Iterable[str]],
                    story_of: Callable[[Article], Hashable],
                    limit: int = RELATED) -> dict[str, tuple[Article, ...]]:
    """Article file -> its related articles, best first. `articles` are one language's, newest
    first; `topics_of` gives what an article is about (its tags and section, each a distinct
    string); `story_of` is equal for the versions of one story."""
    ids: dict[str, int] = {}
    topics = [frozenset(ids.setdefault(topic, len(ids)) for topic in topics_of(a))
              for a in articles]
    stories = [story_of(a) for a in articles]
    return {article.source: tuple(articles[n] for n in found)
            for article, found in zip(articles, ranked(topics, stories, limit))}


def ranked(topics: Sequence[frozenset[int]], stories: Sequence[Hashable],
           limit: int = RELATED) -> list[tuple[int, ...]]:
    """For each item (items are in order, newest first), the positions of at most `limit`
    others by the number of topics they share with it, most first, then in order."""
    count = len(topics)
    members: dict[int, list[int]] = {}  # topic -> its items
    for n, mine in enumerate(topics):
        for topic in mine:
            members.setdefault(topic, []).append(n)
    # A topic of one item gives no other item a point.
    sets = {topic: _bits(found, count) for topic, found in members.items() if len(found) > 1}
    return [_best(n, [sets[t] for t in topics[n] if t in sets], stories, limit)
            for n in range(count)]


def _bits(items: list[int], count: int) -> int:
    """The items as the bits of an integer, the first (newest) highest."""
    bits = bytearray((count + 7) // 8)
    for n in items:
        at = count - 1 - n
        bits[at >> 3] |= 1 << (at & 7)
    return int.from_bytes(bits, "little")


def _best(me: int, sets: list[int], stories: Sequence[Hashable], limit: int) -> tuple[int, ...]:
    """The best `limit` others for item `me`, from the sets of its topics.

    `shared[j]` holds the items in at least j of the sets counted so far: counting a set in,
    an item in it that was in j - 1 of them is now in j. Those in exactly j are
    `shared[j] ^ shared[j + 1]`; the highest bit of each is the newest of them."""
    shared = [0] * (len(sets) + 2)  # shared[0] is never read
    for counted, items in enumerate(sets, start=1):
        for j in range(counted, 1, -1):
            shared[j] |= shared[j - 1] & items
        shared[1] |= items
    story, count = stories[me], len(stories)
    found: list[int] = []
    for j in range(len(sets), 0, -1):
        exactly = shared[j] ^ shared[j + 1]
        while exactly and len(found) < limit:
            at = exactly.bit_length() - 1
            exactly ^= 1 << at
            item = count - 1 - at
            if stories[item] != story:  # neither itself nor another version of its story
                found.append(item)
    return tuple(found)
