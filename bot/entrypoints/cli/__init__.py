"""`addons-bot`: the operator command line, and the door to the runtime commands.

Exit status: 0 done; 2 bad input or a rule refused it (nothing changed); 1 the database
could not serve the request (busy, unreadable). Every error is one line on stderr.
"""

from __future__ import annotations

from bot.entrypoints.cli.entry import main

__all__ = ["main"]
