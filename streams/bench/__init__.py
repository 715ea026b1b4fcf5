"""Offline benchmarks (no broker)."""
