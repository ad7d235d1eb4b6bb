"""One console session: the real app, the Slack stand-in, a test clock, and what you type.

Every step goes the way it goes in Slack: the console builds the signed request Slack
would send (slash command, button, submit, App Home opened), hands it to the app's
real dispatch, applies the app's answer to the view stack (errors, update, push, clear,
or close), waits until the work the app does after acknowledging has finished, lets the
schedule beat once (due billing runs, queued direct messages), and then prints what
changed: messages first, then the view in front.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.app import build_app, web_client
from bot.clock import SystemClock, TestClock
from bot.console.payloads import Requests, Signed
from bot.console.render import (
    Drawn,
    Style,
    Target,
    draw_message,
    draw_view,
    input_value,
    required_text,
    text_of,
)
from bot.notifier import Render, tick
from bot.services import Context, PeriodTurn
from bot.settings import Settings
from bot.slack_fake import (
    APP_ID,
    BOT_USER,
    ConsoleUser,
    Posted,
    SlackStandIn,
    Surface,
    dm_channel,
)
from handlers.blocks import invoice_blocks
from handlers.i18n import fmt_date, fmt_money, language_for
from handlers.notifications import renderer
from storage.sqlite import Database, stream_subscriptions

TEAM = "T0DEMO"
TEAM_DOMAIN = "demo"
CHANNEL = ("C0DEMOGENERAL", "general")
ADMIN_ID = "U0DEMOADMIN"
MEMBER_ID = "U0DEMOMEMBER"
SLACK_ACK_SECONDS = 3.0  # Slack gives up on an acknowledgement after 3 s
SETTLE_SECONDS = 30.0
# A date given to the console means 12:00 UTC that day: the same calendar date in every
# billing time zone from UTC-11 to UTC+11 (as `addons-bot billing run --as-of`).
NOON_UTC = clock_time(12, 0, tzinfo=UTC)
_MOVE = re.compile(r"^\+(\d{1,4})\s*([hdwm])$")

Ask = Callable[[str], "str | None"]

HELP = """\
Console commands (everything else goes to the app as in Slack):
  /addons …            the slash command, exactly as in Slack (/addons hilfe lists its forms)
  <number>             press the button or submit/close shown as [number]
  <number> <value>     fill in the input shown as [number]; <number> alone asks for the value
  <Enter>              show the view in front again
  :home                open the app's Home tab (App Home)
  :as admin|member     act as anna.admin (workspace admin) or max.mitglied (member)
  :lang de|en          switch your Slack language (German or English)
  :clock               show the test clock
  :clock +15d          move it forward (h, d, w or m for hours, days, weeks, months),
  :clock 2026-05-18    or to a date; due billing runs happen, direct messages arrive
  :invoices            the demo workspace's issued invoices
  :help                this list
  :quit                leave (so does end of input, Ctrl-D)"""


def start_instant(day: str | date | None, wall: datetime | None = None) -> datetime:
    """Where the test clock starts: 12:00 UTC on ``day``, else the wall clock's now."""
    if day is None:
        return wall or SystemClock().now()
    if isinstance(day, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ValueError(f"not a date: {day!r} (use YYYY-MM-DD)")
        day = date.fromisoformat(day)
    return datetime.combine(day, NOON_UTC)


def _delta(amount: int, unit: str) -> relativedelta:
    """``+15d`` and friends: hours, days, weeks, or calendar months."""
    if unit == "h":
        return relativedelta(hours=amount)
    if unit == "d":
        return relativedelta(days=amount)
    if unit == "w":
        return relativedelta(weeks=amount)
    return relativedelta(months=amount)


def demo_users() -> list[ConsoleUser]:
    """The demo workspace's people: one admin, one member, both German to begin with."""
    return [ConsoleUser(ADMIN_ID, "anna.admin", True, "de-DE"),
            ConsoleUser(MEMBER_ID, "max.mitglied", False, "de-DE")]


@dataclass
class Screen:
    """Where the console writes: a stream, emphasis, and a width to wrap at (or none)."""

    stream: TextIO
    style: Style
    width: int | None = None

    def say(self, *lines: str) -> None:
        for line in lines:
            self.stream.write(line + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        self.say(self.style.dim(f"({text})"))


class Console:
    """The session: who you are, where you look, and the numbers you can press."""

    def __init__(self, *, settings: Settings, app: AsyncApp, ctx: Context, db: Database,
                 clock: TestClock, standin: SlackStandIn, requests: Requests,
                 client: AsyncWebClient, render: Render, screen: Screen, ask: Ask) -> None:
        self.settings = settings
        self.app = app
        self.ctx = ctx
        self.db = db
        self.clock = clock
        self.standin = standin
        self.requests = requests
        self.client = client
        self.render = render
        self.screen = screen
        self.ask = ask
        self.user = ADMIN_ID
        self.place = "channel"  # or "home": what shows when no modal is open
        self.targets: dict[int, Target] = {}
        self._shown: tuple[Any, ...] | None = None

    # -- opening and closing -----------------------------------------------------------

    @classmethod
    async def open(cls, settings: Settings, clock: TestClock, screen: Screen,
                   ask: Ask, *, resume: bool = True) -> Console:
        """Start the stand-in, open the database, build the real app, greet.

        With ``resume`` (no --date given) the clock never starts before the latest moment
        the database knows of the demo workspace, so time does not run backwards between
        sessions.
        """
        token = "xoxb-console-" + secrets.token_hex(8)
        standin = await SlackStandIn(TEAM, demo_users(), token).start()
        try:
            # Never Slack: the console's own token, secret and API, and no users.info cache
            # so that :as and :lang count at once.
            settings = settings.model_copy(update={
                "slack_bot_token": token,
                "slack_signing_secret": "console-" + secrets.token_hex(16),
                "slack_app_token": None,
                "slack_api_url": standin.api_url,
                "user_cache_seconds": 0,
            })
            db = Database(settings.database)
            await db.open()
        except BaseException:
            await standin.stop()
            raise
        ctx = Context(db, settings.catalog(), settings.default_locale, settings.timezone,
                      settings.billing_admins)
        client = web_client(settings)
        app = build_app(settings, ctx, clock, client=client)
        assert settings.slack_signing_secret is not None
        requests = Requests(settings.slack_signing_secret, team_id=TEAM,
                            team_domain=TEAM_DOMAIN, app_id=APP_ID, bot_user=BOT_USER)
        console = cls(settings=settings, app=app, ctx=ctx, db=db, clock=clock,
                      standin=standin, requests=requests, client=client,
                      render=renderer(ctx, client, settings.default_locale),
                      screen=screen, ask=ask)
        try:
            await console._greet(resume)
        except BaseException:
            await console.close()
            raise
        return console

    async def close(self) -> None:
        await self.db.close()
        await self.standin.stop()

    async def _greet(self, resume: bool) -> None:
        sub = await services.ensure_workspace(self.ctx, TEAM, self.clock.now())
        resumed = resume and await self._resume(sub.closed_through)
        self.screen.say(
            f"/addons offline console: the real app against a stand-in for Slack, database "
            f"{self.db.path}, demo workspace {TEAM}, you are {self.me.name} ({self.me.role}), "
            f"test clock "
            f"at {self._day_text(self._today(sub.timezone))}"
            f"{' (where this database left off)' if resumed else ''}. "
            f"Type :help for the commands.")
        today = sub.today(self.clock.now())
        if sub.closed_through > today:
            self.screen.note(
                f"{TEAM} is billed through the period starting {self._day_text(sub.closed_through)}"
                f", after the clock's date: billing runs issue nothing before that; start with "
                f"a later --date or a fresh --database")
        others = 0
        async for other in stream_subscriptions(self.db):
            others += other.team_id != TEAM
        if others:
            self.screen.note(
                f"{self.db.path} holds {others} other workspace(s); the console bills only "
                f"{TEAM}, but its bookings are real: use a separate --database for trying")
        await self._step(None)

    async def _resume(self, closed_through: date) -> bool:
        """Move the clock to the demo workspace's latest recorded moment, if that is later."""
        now = self.clock.now()
        latest = start_instant(closed_through) if closed_through > self._today() else now
        for entry in await services.audit_log(self.ctx, TEAM):
            if entry.at.tzinfo is not None:
                latest = max(latest, entry.at)
        if latest <= now:
            return False
        self.clock.set(latest)
        return True

    # -- who and where -----------------------------------------------------------------

    @property
    def me(self) -> ConsoleUser:
        return self.standin.users[self.user]

    @property
    def lang(self) -> str:
        return language_for(self.me.locale, self.settings.default_locale)

    def _today(self, zone: str | None = None) -> date:
        return self.clock.now().astimezone(ZoneInfo(zone or self.settings.timezone)).date()

    def _day_text(self, day: date) -> str:
        return fmt_date(day, self.lang)

    def prompt(self) -> str:
        """ "[03.04.2026 anna.admin]> "."""
        return f"[{self._day_text(self._today())} {self.me.name}]> "

    def focus(self) -> Surface | None:
        """The view in front: the top modal, else App Home if that is where you are."""
        top = self.standin.top(self.user)
        if top is not None:
            return top
        return self.standin.home(self.user) if self.place == "home" else None

    # -- one line ------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Do what one line says; False when the session should end."""
        text = line.strip()
        if not text:
            self._show(force=True)
            return True
        if text.startswith(":"):
            return await self._command(text)
        if text.startswith("/"):
            await self._step(lambda: self._slash(text))
            return True
        number = re.match(r"^(\d+)(?:\s+(.*))?$", text)
        if number:
            await self._press(int(number.group(1)), number.group(2))
            return True
        self.screen.note("not sent: type /addons, the number of a button, or :help")
        return True

    async def _command(self, text: str) -> bool:
        name, _, arg = text[1:].partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self.screen.say(HELP)
        elif name == "home":
            await self._step(self._home, force=True)
        elif name == "as":
            self._switch_user(arg)
        elif name == "lang":
            self._switch_language(arg)
        elif name == "clock":
            await self._clock(arg)
        elif name == "invoices":
            await self._invoices()
        else:
            self.screen.note(f"unknown console command :{name}; :help lists them")
        return True

    # -- the step: dispatch, settle, beat, show -------------------------------------------

    async def _step(self, action: Callable[[], Any] | None, *, force: bool = False,
                    quiet: bool = True) -> None:
        """Do ``action``, let the app finish, beat the schedule once, show what changed."""
        before = asyncio.all_tasks()
        if action is not None:
            await action()
        await self._settle(before)
        # Only the demo workspace is billed: moving a test clock must never issue invoices
        # for other workspaces that happen to live in the same file.
        turns, _ = await tick(self.ctx, self.client, self.clock, self.render,
                              team_ids=[TEAM])
        self._report(turns)
        if not turns and not quiet:
            await self._nothing_due()
        await self._settle(before)
        self._show(force=force)

    async def _settle(self, before: set[asyncio.Task[Any]]) -> None:
        """Wait for what the app still does after acknowledging (and the HTTP it causes)."""
        me = asyncio.current_task()
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            await asyncio.sleep(0)
            pending = {t for t in asyncio.all_tasks() if t not in before and t is not me
                       and not t.done()}
            if not pending:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                self.screen.note(f"the app is still busy after {SETTLE_SECONDS:.0f} s; "
                                 "going on without it")
                return
            await asyncio.wait(pending, timeout=left)

    async def _dispatch(self, signed: Signed) -> BoltResponse:
        """Hand a signed request to the app's real dispatch, as the HTTP adapter does."""
        started = time.monotonic()
        response = await self.app.async_dispatch(
            AsyncBoltRequest(body=signed.body, headers=dict(signed.headers)))
        took = time.monotonic() - started
        if took > SLACK_ACK_SECONDS:
            self.screen.note(f"the app took {took:.1f} s to acknowledge; Slack gives up after "
                             f"{SLACK_ACK_SECONDS:.0f} s and shows an error")
        if response.status not in (200, 404):
            self.screen.note(f"the app answered HTTP {response.status}: {response.body[:200]}")
        return response

    # -- showing ---------------------------------------------------------------------------

    def _show(self, *, force: bool = False) -> None:
        for note in self.standin.notes:
            self.screen.note(note)
        self.standin.notes.clear()
        for posted in self.standin.posted:
            self._print_message(posted)
        self.standin.posted.clear()
        focus = self.focus()
        key = None if focus is None else (
            focus.id, focus.version, tuple(sorted(focus.errors.items())), focus.type)
        if not force and key == self._shown:
            return
        if focus is None:
            if self._shown is not None and self._shown[-1] == "modal":
                self.screen.note("the dialog is closed")
            self.targets = {}
        else:
            drawn = self._draw(focus)
            self.screen.say(*drawn.lines)
            self.targets = drawn.targets
        self._shown = key

    def _draw(self, surface: Surface) -> Drawn:
        heading = "App Home · /addons" if surface.type == "home" else None
        return draw_view(surface.view, lang=self.lang, style=self.screen.style,
                         width=self.screen.width, values=surface.values,
                         errors=surface.errors, heading=heading)

    def _print_message(self, posted: Posted) -> None:
        who = self.standin.users.get(posted.user or "")
        name = who.name if who else (posted.user or posted.channel)
        if posted.kind == "dm":
            head = f"✉ addons · direct message to {name}"
        elif posted.kind == "ephemeral":
            head = ("addons · only visible to you" if posted.user == self.user
                    else f"addons · only visible to {name}")
        else:
            head = f"addons · in #{CHANNEL[1] if posted.channel == CHANNEL[0] else posted.channel}"
        if posted.replaces:
            head += " (replaces the message before)"
        self.screen.say(self.screen.style.bold(head + ":"),
                        *draw_message(posted.message, lang=self.lang, style=self.screen.style,
                                      width=self.screen.width))

    def _report(self, turns: Sequence[PeriodTurn]) -> None:
        for turn in turns:
            start, end = self._day_text(turn.period.start), self._day_text(turn.period.end)
            parts = [f"billing run for {turn.team_id}: period {start}–{end} began"]
            if turn.invoice is not None:
                parts.append(f"invoice no. {turn.invoice.number} issued, "
                             f"{fmt_money(turn.invoice.total, self.lang)}")
            else:
                parts.append("nothing to bill, no invoice")
            if turn.deactivated:
                ids = ", ".join(f"no. {i}" for i in turn.deactivated)
                parts.append(f"ended add-on {ids}")
            self.screen.note("; ".join(parts))

    # -- Slack's moves -------------------------------------------------------------------

    def _close_modals(self) -> None:
        """Typing elsewhere in Slack first closes an open modal (Esc)."""
        if self.standin.top(self.user) is not None:
            self.standin.clear(self.user)

    async def _slash(self, text: str) -> None:
        command, _, rest = text.partition(" ")
        self._close_modals()
        self.place = "channel"
        user = self.me
        signed = self.requests.slash_command(
            user_id=user.id, user_name=user.name, command=command, text=rest.strip(),
            channel_id=CHANNEL[0], channel_name=CHANNEL[1],
            response_url=self.standin.response_url(user.id, CHANNEL[0]),
            trigger_id=self.standin.trigger(user.id))
        response = await self._dispatch(signed)
        if response.status == 404:
            self.screen.say(f"{command} is not a valid command. In Slack, all messages that "
                            "start with \"/\" are interpreted as commands.")
        elif response.status == 200 and response.body:
            self.standin.posted.append(Posted("ephemeral", user.id, CHANNEL[0],
                                              _message_body(response.body)))

    async def _home(self) -> None:
        self._close_modals()
        self.place = "home"
        home = self.standin.home(self.user)
        signed = self.requests.app_home_opened(
            user_id=self.user, channel=dm_channel(self.user),
            view=home.full(TEAM) if home else None)
        await self._dispatch(signed)

    async def _press(self, number: int, value: str | None) -> None:
        focus = self.focus()
        target = self.targets.get(number)
        if focus is None or target is None:
            where = "this view" if focus is not None else "the screen"
            self.screen.note(f"there is no [{number}] on {where}; "
                             "type /addons or :home to open something")
            return
        if target.kind == "input":
            self._fill(focus, target, value)
        elif target.kind == "button":
            if not self._confirmed(target):
                return
            await self._step(lambda: self._click(focus, target))
        elif target.kind == "submit":
            await self._step(lambda: self._submit(focus))
        else:
            await self._step(lambda: self._close(focus))

    def _fill(self, surface: Surface, target: Target, value: str | None) -> None:
        block = next(b for b in surface.view.get("blocks", [])
                     if b.get("block_id") == target.block_id)
        if value is None:
            current = input_value(block, surface.values) or ""
            value = self.ask(f"{target.label} [{current}]: ")
            if value is None:
                return
            value = value.strip() or current
        surface.values[(target.block_id, target.action_id)] = value.strip() or None
        surface.errors.pop(target.block_id, None)
        self.screen.say(f"{target.label}: {value.strip() or '___'}")

    def _confirmed(self, target: Target) -> bool:
        """A button with a confirm dialog asks first, as Slack does."""
        confirm = target.element.get("confirm")
        if not isinstance(confirm, dict):
            return True
        yes = text_of(confirm.get("confirm")) or "Yes"
        no = text_of(confirm.get("deny")) or "Cancel"
        self.screen.say(f"┌─ {text_of(confirm.get('title'))}",
                        f"│ {text_of(confirm.get('text'), self.screen.style)}")
        answer = self.ask(f"└─ {yes} (y) / {no} (n)? ")
        return (answer or "").strip().lower() in ("y", "yes", "j", "ja", yes.lower())

    async def _click(self, surface: Surface, target: Target) -> None:
        element = target.element
        action: dict[str, Any] = {"type": element.get("type", "button"),
                                  "action_id": target.action_id, "block_id": target.block_id,
                                  "text": element.get("text"), "value": element.get("value")}
        if element.get("style"):
            action["style"] = element["style"]
        if element.get("url"):
            self.screen.note(f"opens {element['url']} in the browser")
        signed = self.requests.block_actions(
            user_id=self.user, user_name=self.me.name, view=surface.full(TEAM), action=action,
            trigger_id=self.standin.trigger(self.user, surface.id))
        await self._dispatch(signed)

    async def _submit(self, surface: Surface) -> None:
        missing = {}
        for block in surface.view.get("blocks", []):
            if block.get("type") == "input" and not block.get("optional") \
                    and input_value(block, surface.values) in (None, ""):
                missing[str(block.get("block_id", ""))] = required_text(self.lang)
        if missing:  # Slack's client refuses to submit; the app never hears of it
            surface.errors = missing
            return
        surface.errors = {}
        signed = self.requests.view_submission(
            user_id=self.user, user_name=self.me.name, view=surface.full(TEAM),
            trigger_id=self.standin.trigger(self.user, surface.id))
        response = await self._dispatch(signed)
        self._apply_submission(surface, response)

    def _apply_submission(self, surface: Surface, response: BoltResponse) -> None:
        """What Slack does with the app's answer to a view_submission."""
        if response.status != 200:
            self.screen.note("Slack would show: We had some trouble connecting. Try again?")
            return
        body = (response.body or "").strip()
        if not body:
            self.standin.close(self.user, surface.id)  # an empty ack closes the view
            return
        try:
            answer = json.loads(body)
        except ValueError:
            self.screen.note(f"Slack cannot read the app's answer: {body[:200]}")
            return
        action = answer.get("response_action")
        view = answer.get("view")
        if action == "errors":
            surface.errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
        elif action == "update" and isinstance(view, dict):
            surface.replace(view)
        elif action == "push" and isinstance(view, dict):
            if self.standin.push(self.user, view) is None:
                self.screen.note("Slack would refuse the push: at most 3 views in a stack")
        elif action == "clear":
            self.standin.clear(self.user)
        else:
            self.screen.note(f"Slack would not understand response_action {action!r}")

    async def _close(self, surface: Surface) -> None:
        cleared = bool(surface.view.get("clear_on_close"))
        if surface.view.get("notify_on_close"):
            await self._dispatch(self.requests.view_closed(
                user_id=self.user, user_name=self.me.name, view=surface.full(TEAM),
                cleared=cleared))
        if cleared:
            self.standin.clear(self.user)
        else:
            self.standin.close(self.user, surface.id)

    # -- console commands ------------------------------------------------------------------

    def _find_user(self, arg: str) -> ConsoleUser | None:
        for user in self.standin.users.values():
            if arg.lower() in (user.role, user.name, user.id.lower(), user.name.split(".")[0]):
                return user
        return None

    def _switch_user(self, arg: str) -> None:
        user = self._find_user(arg)
        if user is None:
            self.screen.note("say :as admin or :as member")
            return
        self.user = user.id
        self.place = "channel"
        self._shown = None
        self.screen.say(f"You are {user.name} ({user.role}, Slack in {user.locale}).")
        self._show()

    def _switch_language(self, arg: str) -> None:
        locale = {"de": "de-DE", "en": "en-US"}.get(arg.lower()[:2])
        if locale is None:
            self.screen.note("say :lang de or :lang en")
            return
        self.me.locale = locale
        self.screen.say(f"{self.me.name} now uses Slack in {locale}.")

    async def _clock(self, arg: str) -> None:
        if not arg:
            await self._clock_status()
            return
        now = self.clock.now()
        move = _MOVE.match(arg.lower())
        if move:
            target = now + _delta(int(move.group(1)), move.group(2))
        else:
            try:
                target = start_instant(arg)
            except ValueError as error:
                self.screen.note(f"{error}; say :clock +15d, :clock +1m or :clock 2026-05-18")
                return
            if target.date() == now.date() and target <= now:
                self.screen.note("the clock is on that date already")
                return
        if target < now:
            self.screen.note("a test clock only moves forward")
            return
        self.clock.set(target)
        self.screen.say(f"Clock: {self._clock_text()}.")
        await self._step(None, quiet=False)

    def _clock_text(self) -> str:
        now = self.clock.now().astimezone(ZoneInfo(self.settings.timezone))
        return f"{self._day_text(now.date())} {now:%H:%M} {self.settings.timezone}"

    async def _nothing_due(self) -> None:
        sub = await services.get_workspace(self.ctx, TEAM)
        period = sub.schedule.period_containing(sub.today(self.clock.now()))
        self.screen.note(f"no billing run due; the next consolidated invoice of {TEAM} is on "
                         f"{self._day_text(period.end + timedelta(days=1))}")

    async def _clock_status(self) -> None:
        sub = await services.get_workspace(self.ctx, TEAM)
        today = sub.today(self.clock.now())
        period = sub.schedule.period_containing(today)
        self.screen.say(
            f"Clock: {self._clock_text()}. {TEAM}: billing period "
            f"{self._day_text(period.start)}–{self._day_text(period.end)}, next consolidated "
            f"invoice on {self._day_text(period.end + timedelta(days=1))}.")

    async def _invoices(self) -> None:
        invoices = await services.list_invoices(self.ctx, TEAM)
        if not invoices:
            self.screen.say(f"No invoices issued to {TEAM} yet.")
            return
        for invoice in invoices:
            blocks = [b.to_dict() for b in invoice_blocks(invoice, catalog=self.ctx.catalog,
                                                          lang=self.lang)]
            self.screen.say(*draw_message({"blocks": blocks}, lang=self.lang,
                                          style=self.screen.style, width=self.screen.width,
                                          indent=""))


def _message_body(body: str) -> dict[str, Any]:
    """A synchronous answer to a slash command: JSON (text, blocks) or plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": body}
    return data if isinstance(data, dict) else {"text": body}

