"""Benchmarks: `python3 manage.py bench NAME` runs `python -m bench.NAME` (see bench/README.md)."""
