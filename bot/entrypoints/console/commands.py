"""The console's own commands (``:help``, ``:as``, ``:lang``, ``:clock``, ``:invoices``)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import services
from bot.entrypoints.console.moves import home
from bot.entrypoints.console.render import draw_message
from bot.entrypoints.console.state import TEAM, Session
from bot.entrypoints.console.step import step
from bot.entrypoints.console.testclock import moved, start_instant
from bot.entrypoints.console.view import show
from bot.slack_fake import ConsoleUser
from handlers.blocks import invoice_blocks
from handlers.blocks.invoices import correction_blocks

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


async def command(s: Session, text: str) -> bool:
    """Do one ``:command``; False when the session should end."""
    name, _, arg = text[1:].partition(" ")
    name, arg = name.lower(), arg.strip()
    if name in ("quit", "exit", "q"):
        return False
    if name == "help":
        s.screen.say(HELP)
    elif name == "home":
        await step(s, lambda: home(s), force=True)
    elif name == "as":
        _switch_user(s, arg)
    elif name == "lang":
        _switch_language(s, arg)
    elif name == "clock":
        await _clock(s, arg)
    elif name == "invoices":
        await _invoices(s)
    else:
        s.screen.note(f"unknown console command :{name}; :help lists them")
    return True


def _find_user(s: Session, arg: str) -> ConsoleUser | None:
    for user in s.standin.users.values():
        if arg.lower() in (user.role, user.name, user.id.lower(), user.name.split(".")[0]):
            return user
    return None


def _switch_user(s: Session, arg: str) -> None:
    user = _find_user(s, arg)
    if user is None:
        s.screen.note("say :as admin or :as member")
        return
    s.user = user.id
    s.place = "channel"
    s.shown = None
    s.screen.say(f"You are {user.name} ({user.role}, Slack in {user.locale}).")
    show(s)


def _switch_language(s: Session, arg: str) -> None:
    locale = {"de": "de-DE", "en": "en-US"}.get(arg.lower()[:2])
    if locale is None:
        s.screen.note("say :lang de or :lang en")
        return
    s.me.locale = locale
    s.screen.say(f"{s.me.name} now uses Slack in {locale}.")


async def _clock(s: Session, arg: str) -> None:
    if not arg:
        await _clock_status(s)
        return
    now = s.clock.now()
    target = moved(arg, now)
    if target is None:
        try:
            target = start_instant(arg)
        except ValueError as error:
            s.screen.note(f"{error}; say :clock +15d, :clock +1m or :clock 2026-05-18")
            return
        if target.date() == now.date() and target <= now:
            s.screen.note("the clock is on that date already")
            return
    if target < now:
        s.screen.note("a test clock only moves forward")
        return
    s.clock.set(target)
    s.screen.say(f"Clock: {_clock_text(s)}.")
    await step(s, None, quiet=False)


def _clock_text(s: Session) -> str:
    now = s.clock.now().astimezone(ZoneInfo(s.settings.timezone))
    return f"{s.day_text(now.date())} {now:%H:%M} {s.settings.timezone}"


async def _clock_status(s: Session) -> None:
    sub = await services.get_workspace(s.ctx, TEAM)
    today = sub.today(s.clock.now())
    period = sub.schedule.period_containing(today)
    s.screen.say(
        f"Clock: {_clock_text(s)}. {TEAM}: billing period "
        f"{s.day_text(period.start)}–{s.day_text(period.end)}, next consolidated "
        f"invoice on {s.day_text(period.end + timedelta(days=1))}."
    )


async def _invoices(s: Session) -> None:
    invoices = await services.list_invoices(s.ctx, TEAM)
    if not invoices:
        s.screen.say(f"No invoices issued to {TEAM} yet.")
        return
    corrections = await services.list_corrections(s.ctx, TEAM)
    for invoice in invoices:
        blocks = [b.to_dict() for b in invoice_blocks(invoice, catalog=s.ctx.catalog, lang=s.lang)]
        # its Rechnungskorrekturen right after it, as "Letzte Rechnungen" lists them
        for correction in sorted(
            (c for c in corrections if c.corrects == invoice.number), key=lambda c: c.number or 0
        ):
            blocks += correction_blocks(correction, catalog=s.ctx.catalog, lang=s.lang)
        s.screen.say(
            *draw_message(
                {"blocks": blocks},
                lang=s.lang,
                style=s.screen.style,
                width=s.screen.width,
                indent="",
            )
        )
