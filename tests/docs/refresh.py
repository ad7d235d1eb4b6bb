"""Rewrite the examples of README.md and docs/ from what the app prints today.

    .venv/bin/python -m tests.docs.refresh            # every document
    .venv/bin/python -m tests.docs.refresh README.md  # only these

Each example runs as `tests/docs/test_examples.py` runs it; a block that says something
else is replaced by the app's output (JSON that is equal as values, webhook ids aside, is
left as written). Read the diff before committing: a changed example may be a changed
behaviour.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

from tests.docs.blocks import ROOT, documents, replace
from tests.docs.examples import refreshed


def main(argv: list[str]) -> int:
    """Refresh the named documents (all without arguments); how many blocks changed."""
    paths = [(ROOT / name).resolve() for name in argv] or documents()
    with ThreadPoolExecutor(max_workers=2) as pool:  # each document waits on its processes
        found = list(pool.map(refreshed, paths))
    changed = 0
    for path, stale in zip(paths, found, strict=True):
        if stale:
            replace(path, {item.block.start: item.new for item in stale})
        for item in stale:
            print(f"refreshed {item.block.where} ({item.block.marker})")
        changed += len(stale)
    print(f"{changed} block(s) refreshed in {len(paths)} document(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
