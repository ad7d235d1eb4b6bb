"""Benchmark 2 of issue 7 in parts: the data, the timed run in a child process, the
baseline, the SQL yardstick, the judged figures, the report.

``python -m bench.billing_run`` runs it; see that module for what is measured.
"""
