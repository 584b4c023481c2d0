"""The example site's whole output, path by path, against a committed manifest of digests.

Any change to what sitegen writes for the example site shows here as the paths whose bytes
changed. When a change is meant, regenerate the manifest and commit it with the change:

    python tests/test_golden.py
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "tests" / "golden" / "example-site.txt"
CLOCK = "4102444800"  # 2100-01-01: every dated example article is published, none is news


def manifest_of(out: Path) -> str:
    """`digest  path` of every file of an output folder, in path order."""
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(out).as_posix()}")
    return "\n".join(lines) + "\n"


def build_example(out: Path) -> str:
    from sitegen.cli import main

    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = CLOCK
    try:
        assert main(["build", "--quiet", "--no-cache", "-s", str(REPO), "-o", str(out)]) == 0
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
    return manifest_of(out)


def test_the_example_site_writes_exactly_the_committed_output(tmp_path: Path):
    found = build_example(tmp_path / "public").splitlines()
    expected = MANIFEST.read_text("utf-8").splitlines()
    changed = sorted(set(found) ^ set(expected), key=lambda line: line.split("  ", 1)[1])
    assert not changed, ("the example site's output changed (if meant: python "
                         "tests/test_golden.py):\n" + "\n".join(changed))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as folder:
        MANIFEST.write_text(build_example(Path(folder) / "public"), "utf-8")
    print(f"wrote {MANIFEST.relative_to(REPO)}")
