"""What every listener needs, handed in by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.services import Context
from handlers.auth import UserDirectory


@dataclass(frozen=True)
class SlackDeps:
    """Use-case context, clock, user directory and the default language."""

    ctx: Context
    clock: Clock
    users: UserDirectory
    default_lang: str = "de"
