"""Entry point of `python -m benchmarks` (run from the repository root): the build-speed benchmark."""

from __future__ import annotations

from benchmarks.build_speed import main

if __name__ == "__main__":
    raise SystemExit(main())
