"""The README's and docs' examples are what the app prints today.

Each document's console transcripts run through `addons-bot console` as a process; its
`$ addons-bot` lines and JSON examples run as one story in one process on a fresh
SQLite file. A stale block fails with the document's text and the app's, and
`.venv/bin/python -m tests.docs.refresh` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.blocks import ROOT, documents, examples, fenced_blocks, looks_like_an_example
from tests.docs.examples import refreshed

WITH_EXAMPLES = [path for path in documents() if examples(path)]
REFRESH = ".venv/bin/python -m tests.docs.refresh"


@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_of_the_document_is_what_the_app_prints_today(path: Path) -> None:
    stale = refreshed(path)
    if stale:
        pytest.fail(
            "\n".join(item.report() for item in stale)
            + f"\nIf the app is right, refresh the blocks: {REFRESH} {path.relative_to(ROOT)}",
            pytrace=False,
        )


def test_every_json_block_transcript_and_session_is_a_checked_example() -> None:
    unmarked = [
        block.where
        for path in documents()
        for block in fenced_blocks(path)
        if block.marker is None and looks_like_an_example(block)
    ]
    assert not unmarked, f"mark these blocks as examples (tests/docs/blocks.py): {unmarked}"


def test_the_documents_hold_examples_of_every_kind() -> None:
    kinds = {block.kind for path in WITH_EXAMPLES for block in examples(path)}
    assert {"console", "cli", "command", "event"} <= kinds
