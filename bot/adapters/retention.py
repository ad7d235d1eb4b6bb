"""The retention job: once a day, purge what is past its time (docs/privacy.md).

Delivered direct messages and CloudCRM events after ``ADDONS_RETENTION_DAYS``; an
uninstalled workspace's people ``ADDONS_ERASE_AFTER_UNINSTALL_DAYS`` after the uninstall
(unless installed again); invoices and corrections 8 years after the end of their year
of issue. Idempotent: a second run finds nothing. Logged and counted, never contents.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.adapters.observability import metrics
from bot.settings import Settings
from storage import Database
from storage.erasure import erase_workspace
from storage.retention import purge_delivered, purge_expired_invoices, uninstalled_before

logger = logging.getLogger("addons.retention")
RETENTION_ACTOR = "retention"


class NoPseudonymKey(Exception):
    """Neither ADDONS_PSEUDONYM_KEY nor SLACK_SIGNING_SECRET is set."""


def pseudonym_key(settings: Settings) -> bytes:
    """The pseudonyms' HMAC key: ADDONS_PSEUDONYM_KEY, else one derived from the signing
    secret (never the secret itself); NoPseudonymKey when neither is set."""
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode()
    if settings.slack_signing_secret:
        secret = settings.slack_signing_secret.encode()
        return hmac.new(secret, b"addons pseudonyms", hashlib.sha256).digest()
    raise NoPseudonymKey(
        "set ADDONS_PSEUDONYM_KEY (or SLACK_SIGNING_SECRET): the pseudonyms of erased "
        "people are keyed with it"
    )


@dataclass
class Purged:
    """What one run purged, by kind."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int) -> None:
        """Count ``count`` rows of ``what``."""
        self.counts[what] = self.counts.get(what, 0) + count


async def run_retention(db: Database, settings: Settings, now: datetime) -> Purged:
    """One run of the retention job at ``now``; counted in the metrics and logged."""
    purged = Purged()
    dms, sent = await purge_delivered(db, now - timedelta(days=settings.retention_days))
    purged.add("dms", dms)
    purged.add("events", sent)
    cutoff = now - timedelta(days=settings.erase_after_uninstall_days)
    teams = await uninstalled_before(db, cutoff)
    if teams:
        try:
            key = pseudonym_key(settings)
        except NoPseudonymKey as error:
            logger.warning(
                "retention: %d uninstalled workspace(s) not erased: %s", len(teams), error
            )
            teams = []
        for team in teams:
            erased = await erase_workspace(db, team, key, now, actor=RETENTION_ACTOR, check=False)
            purged.add("erased_workspaces", 1 if erased.rows else 0)
    invoices, corrections = await purge_expired_invoices(db, now.date())
    purged.add("invoices", invoices)
    purged.add("corrections", corrections)
    for what, count in purged.counts.items():
        metrics.RETENTION_PURGED.labels(what).inc(count)
    logger.info(
        "retention: purged %s", ", ".join(f"{n} {w}" for w, n in sorted(purged.counts.items()))
    )
    return purged


class Daily:
    """Runs the retention job at the first beat of each UTC day."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._done: date | None = None

    async def __call__(self, now: datetime) -> Purged | None:
        """Run it if it has not run today; what it purged, or None."""
        if self._done == now.date():
            return None
        purged = await run_retention(self._db, self._settings, now)
        self._done = now.date()
        return purged
