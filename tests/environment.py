"""The environment a test gives the app's processes: this machine's, minus its Slack and
ADDONS_* settings, plus a whole seller (serve, scheduler and `billing run` refuse to
start without one). Documents stay off unless a test turns them on."""

from __future__ import annotations

import os

from tests.documents.samples import SELLER_ENV as DOCUMENT_SELLER

# The seller as an operator's .env sets it (documents follow it: ADDONS_DOCUMENTS=auto).
SELLER = {**DOCUMENT_SELLER, "ADDONS_SELLER_CREDITOR_ID": "DE98ZZZ09999999999"}
SELLER_ENV = {**SELLER, "ADDONS_DOCUMENTS": "off"}


def clean_environment() -> dict[str, str]:
    """This process's environment without SLACK_* and ADDONS_* settings, with the seller."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ADDONS_"))}
    return {**kept, **SELLER_ENV}


# The same, under the name a module with a ``clean_environment`` fixture imports it by.
process_environment = clean_environment
