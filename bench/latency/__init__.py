"""Benchmark 1 of issue 7 in parts: Slack's side, the servers, the load, the figures.

``python -m bench.interaction_latency`` runs it; see that module for what is measured.
"""
