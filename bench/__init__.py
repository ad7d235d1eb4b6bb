"""Benchmarks: each runs with one command and prints its figure next to a baseline."""
