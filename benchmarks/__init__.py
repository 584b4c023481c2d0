"""Benchmarks for sitegen: `python -m benchmarks` times sitegen, Hugo and Pelican builds.

The corpus generator is `benchmarks/corpus.py`; the build-speed benchmark is
`benchmarks/build_speed.py`. `--tools sitegen,sitegen@REV` times the working tree beside a git
revision REV of this repository, to measure a change before and after in one run.
"""
