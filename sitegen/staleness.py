"""Which translations fell behind their original: the newsroom's question after every correction.

Two ways to know. In a git repository, the history says when each version last changed: a
translation is stale when its original was committed after it. Outside git, `sitegen new
--translation-of` records the original's fingerprint in the translation's `translated_from`; the
translation is stale once no other version of the story has that fingerprint any more.
"""

from __future__ import annotations

import hashlib


def fingerprint(title: str, body: str) -> str:
    """What a translator translates, hashed: the headline and the Markdown body.

    Line endings and trailing blanks do not count, so re-saving a file in another editor does
    not make its translations stale; front matter such as tags or the date does not count either.
    """
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    text = title.strip() + "\n\n" + "\n".join(lines).strip() + "\n"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
