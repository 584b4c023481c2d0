"""Benchmarks for sitegen: `python -m benchmarks` times sitegen, Hugo and Pelican builds.

The corpus generator is `benchmarks/corpus.py`; the build-speed benchmark is
`benchmarks/build_speed.py`.
"""
