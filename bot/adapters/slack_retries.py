"""Slack's own retries: a request Slack sends again (``X-Slack-Retry-Num``) is done once.

Slack retries an event (and may retry any request) when the first answer was slow or
lost. The retry carries the same body, signed anew: a body this process has already
taken is acknowledged again without running its listener, so a retried slash command
opens no second modal and a retried event is handled once. The memory is per process
and bounded (the newest ``size`` bodies, for ``keep_seconds``); Slack's retries come
within minutes and, with the one URL of a Slack app, to the same deployment.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

RETRY_HEADER = "X-Slack-Retry-Num"
REASON_HEADER = "X-Slack-Retry-Reason"


class SeenRequests:
    """The bodies taken lately, by digest; ``first`` records one and says if it is new."""

    def __init__(self, size: int = 10_000, keep_seconds: float = 3600.0) -> None:
        self._size = size
        self._keep = keep_seconds
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def first(self, body: bytes, now: float | None = None) -> bool:
        """Record ``body``; True unless it was recorded within ``keep_seconds``."""
        now = time.monotonic() if now is None else now
        while self._seen and (
            len(self._seen) >= self._size or next(iter(self._seen.values())) < now - self._keep
        ):
            self._seen.popitem(last=False)
        digest = hashlib.sha256(body).digest()
        if digest in self._seen:
            return False
        self._seen[digest] = now
        return True
