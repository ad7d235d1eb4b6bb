"""Tokens at rest: Fernet with the key(s) from ADDONS_TOKEN_KEY, never the plain token."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_HELP = (
    'make one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class TokenKeyError(Exception):
    """ADDONS_TOKEN_KEY is missing, malformed, or does not open the stored tokens."""


class TokenCipher:
    """Encrypts with the first key of ADDONS_TOKEN_KEY, decrypts with any of them.

    Several comma-separated keys let an operator rotate the key: put the new one first,
    keep the old one after it until every token has been saved again.
    """

    def __init__(self, keys: str | None) -> None:
        if not keys or not keys.strip():
            raise TokenKeyError(f"ADDONS_TOKEN_KEY is not set; OAuth mode needs it ({KEY_HELP})")
        try:
            ciphers = [Fernet(part.strip()) for part in keys.split(",") if part.strip()]
        except ValueError:
            # Never echo the value: it is a secret, even when malformed.
            raise TokenKeyError(
                f"ADDONS_TOKEN_KEY is not a Fernet key (32 url-safe base64 bytes; {KEY_HELP})"
            ) from None
        self._fernet = MultiFernet(ciphers)

    def encrypt(self, token: str | None) -> str | None:
        """The token encrypted (None stays None)."""
        if token is None:
            return None
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, stored: str | None) -> str | None:
        """The plain token of a stored value (None stays None)."""
        if stored is None:
            return None
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise TokenKeyError(
                "ADDONS_TOKEN_KEY does not decrypt the stored Slack tokens "
                "(was the key changed? put the old key after the new one)"
            ) from None
