"""Benchmarks, and the organisation they measure on (`bench.generate`)."""
