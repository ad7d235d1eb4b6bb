"""One console session: the real app, the Slack stand-in, a test clock, and what you type.

Opening a session starts the stand-in, wires the real app to it through
``bot.bootstrap`` and greets; each line then becomes a console command (``commands``),
a move in Slack (``moves``), or a hint. Each move is one step (``step``): the signed
request Slack would send goes to the app's real dispatch, the app's answer is applied
to the view stack, the schedule beats once, and what changed is printed (``view``).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from datetime import date

from bot import services
from bot.adapters.clock import TestClock
from bot.adapters.slack_name import learn_slack_name
from bot.bootstrap import bootstrap
from bot.entrypoints.console.commands import command
from bot.entrypoints.console.moves import press, slash
from bot.entrypoints.console.payloads import Requests
from bot.entrypoints.console.state import TEAM, TEAM_DOMAIN, Ask, Screen, Session, demo_users
from bot.entrypoints.console.step import step
from bot.entrypoints.console.testclock import start_instant
from bot.entrypoints.console.view import show
from bot.settings import Settings
from bot.slack_fake import (
    APP_ID,
    BOT_USER,
    SlackStandIn,
)

# The seller of the console's invoices when none is configured (clearly not a real one).
DEMO_SELLER = {
    "seller_name": "Demo-Anbieter GmbH",
    "seller_street": "Beispielweg 1",
    "seller_postcode": "10115",
    "seller_city": "Berlin",
    "seller_vat_id": "DE999999995",  # well-formed, no one's
    "seller_tax_number": "00/000/00000",
    "seller_iban": "DE02120300000000202051",
    "seller_email": "rechnung@demo.example",
    "seller_creditor_id": "DE09ZZZ00000000001",
    "seller_contact_name": "Demo-Buchhaltung",
    "seller_contact_phone": "+49 30 0000000",
    "seller_contact_email": "buchhaltung@demo.example",
}


class Console:
    """An open session, and what closes it again (the database, then the stand-in)."""

    def __init__(self, session: Session, resources: contextlib.AsyncExitStack) -> None:
        self.session = session
        self._resources = resources

    @classmethod
    async def open(
        cls, settings: Settings, clock: TestClock, screen: Screen, ask: Ask, *, resume: bool = True
    ) -> Console:
        """Start the stand-in, open the database, build the real app, greet.

        With ``resume`` (no --date given) the clock never starts before the latest moment
        the database knows of the demo workspace, so time does not run backwards between
        sessions.
        """
        token = "xoxb-console-" + secrets.token_hex(8)
        standin = await SlackStandIn(TEAM, demo_users(), token).start()
        resources = contextlib.AsyncExitStack()
        resources.push_async_callback(standin.stop)
        try:
            # Never Slack: the console's own token, secret and API, and no users.info cache
            # so that :as and :lang count at once.
            settings = settings.model_copy(
                update={
                    "slack_bot_token": token,
                    "slack_signing_secret": "console-" + secrets.token_hex(16),
                    "slack_app_token": None,
                    "slack_api_url": standin.api_url,
                    "user_cache_seconds": 0,
                    # Invoices name their seller: a demo seller unless a whole one is set.
                    **({} if settings.seller_problem() is None else DEMO_SELLER),
                }
            )
            rt = await resources.enter_async_context(bootstrap(settings, slack_session=False))
            client = rt.web_client()
            assert settings.slack_signing_secret is not None
            requests = Requests(
                settings.slack_signing_secret,
                team_id=TEAM,
                team_domain=TEAM_DOMAIN,
                app_id=APP_ID,
                bot_user=BOT_USER,
            )
            session = Session(
                settings=settings,
                app=rt.slack_app(clock, client=client),
                ctx=rt.ctx,
                db=rt.db,
                clock=clock,
                standin=standin,
                requests=requests,
                client=client,
                render=rt.renderer(client),
                work=rt.outbox_work(),
                screen=screen,
                ask=ask,
            )
            console = cls(session, resources)
            await console._greet(resume)
        except BaseException:
            await resources.aclose()
            raise
        return console

    async def close(self) -> None:
        """Close the database, then stop the stand-in."""
        await self._resources.aclose()

    async def _greet(self, resume: bool) -> None:
        s = self.session
        await services.ensure_workspace(s.ctx, TEAM, s.clock.now())
        await learn_slack_name(s.client, s.ctx)  # the stand-in's name, as a bot token learns it
        sub = await services.get_workspace(s.ctx, TEAM)
        resumed = resume and await self._resume(sub.closed_through)
        s.screen.say(
            f"/addons offline console: the real app against a stand-in for Slack, database "
            f"{s.db.path}, demo workspace {TEAM}, you are {s.me.name} ({s.me.role}), "
            f"test clock "
            f"at {s.day_text(s.today(sub.timezone))}"
            f"{' (where this database left off)' if resumed else ''}. "
            f"Type :help for the commands."
        )
        today = sub.today(s.clock.now())
        if sub.closed_through > today:
            s.screen.note(
                f"{TEAM} is billed through the period starting {s.day_text(sub.closed_through)}"
                f", after the clock's date: billing runs issue nothing before that; start with "
                f"a later --date or a fresh --database"
            )
        await step(s, None)

    async def _resume(self, closed_through: date) -> bool:
        """Move the clock to the demo workspace's latest recorded moment, if that is later."""
        s = self.session
        now = s.clock.now()
        latest = start_instant(closed_through) if closed_through > s.today() else now
        for entry in await services.audit_log(s.ctx, TEAM):
            if entry.at.tzinfo is not None:
                latest = max(latest, entry.at)
        if latest <= now:
            return False
        s.clock.set(latest)
        return True

    def prompt(self) -> str:
        """ "[03.04.2026 anna.admin]> "."""
        s = self.session
        return f"[{s.day_text(s.today())} {s.me.name}]> "

    async def handle(self, line: str) -> bool:
        """Do what one line says; False when the session should end."""
        s = self.session
        text = line.strip()
        if not text:
            show(s, force=True)
            return True
        if text.startswith(":"):
            return await command(s, text)
        if text.startswith("/"):
            await step(s, lambda: slash(s, text))
            return True
        number = re.match(r"^(\d+)(?:\s+(.*))?$", text)
        if number:
            await press(s, int(number.group(1)), number.group(2))
            return True
        s.screen.note("not sent: type /addons, the number of a button, or :help")
        return True
