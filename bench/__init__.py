"""Benchmarks at bank scale. Not part of the test run: `make bench` (see bench/README.md)."""
