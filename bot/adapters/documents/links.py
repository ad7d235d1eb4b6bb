"""Signed, expiring links to a stored document, served by ``serve`` at GET /documents/...

The link names the document and an expiry instant and carries an HMAC-SHA256 of both
under a key only the app knows; ``serve`` answers only a link whose signature matches
and whose expiry has not passed. Nothing about the document is in the link but its kind,
number and format.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

VALID_FOR = timedelta(days=30)
OWNERS = ("invoice", "correction")
FORMATS = ("pdf", "xml", "xrechnung")


@dataclass(frozen=True)
class Link:
    """What a valid link asks for."""

    owner: str
    number: int
    format: str


@dataclass(frozen=True)
class DocumentLinks:
    """Makes and checks the links under ``key``, rooted at ``public_url``."""

    public_url: str
    key: bytes
    valid_for: timedelta = VALID_FOR

    def _signature(self, owner: str, number: int, format: str, expires: int) -> str:
        message = f"{owner}/{number}/{format}/{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def path(self, owner: str, number: int, format: str, now: datetime) -> str:
        """``/documents/invoice/7/pdf?expires=...&signature=...``."""
        expires = int((now + self.valid_for).timestamp())
        signature = self._signature(owner, number, format, expires)
        query = urlencode({"expires": expires, "signature": signature})
        return f"/documents/{owner}/{number}/{format}?{query}"

    def url(self, owner: str, number: int, format: str, now: datetime) -> str:
        """The full link for CloudCRM."""
        return self.public_url.rstrip("/") + self.path(owner, number, format, now)

    def check(
        self, owner: str, number: str, format: str, expires: str, signature: str, now: datetime
    ) -> Link | None:
        """The document a link asks for, if its signature is valid and it has not expired."""
        if owner not in OWNERS or format not in FORMATS:
            return None
        if not (number.isdigit() and expires.isdigit()):
            return None
        wanted = self._signature(owner, int(number), format, int(expires))
        if not hmac.compare_digest(wanted, signature):
            return None
        if int(expires) < now.timestamp():
            return None
        return Link(owner, int(number), format)
