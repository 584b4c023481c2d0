"""A tree of links to another tree's files, made by a process of its own (`write.mirror`):
`python linktree.py SOURCE TARGET LAST`, given the files' paths on its standard input, each ended
by a NUL byte. It imports nothing of sitegen's and little of Python's, so that it starts at once and
holds no copy of the build's memory.

TARGET is made anew: each folder once, parents first, then a link to each file of SOURCE that
is still there, and LAST's link at the very end, which tells whoever looks that the tree is
whole. The exit status is 0 once it is."""

from __future__ import annotations

import os
import shutil
import sys


def link_tree(source: str, target: str, paths: list[str], last: str) -> None:
    if os.path.islink(target) or os.path.isfile(target):
        os.unlink(target)
    elif os.path.isdir(target):
        shutil.rmtree(target)
    os.makedirs(target)
    for folder in sorted({path[:end] for path in paths
                          for end in range(len(path)) if path[end] == "/"}):
        os.mkdir(f"{target}/{folder}")
    for path in paths:
        try:
            os.link(f"{source}/{path}", f"{target}/{path}", follow_symlinks=False)
        except FileNotFoundError:  # gone since the build's record: its look finds it missing
            continue
    os.link(f"{source}/{last}", f"{target}/{last}", follow_symlinks=False)


if __name__ == "__main__":
    given = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    link_tree(sys.argv[1], sys.argv[2], given.split("\0")[:-1], sys.argv[3])
