"""The offline console end to end: a subprocess driven line by line through stdin/stdout.

Each test starts `python -m bot console` (or `run`) on a fresh SQLite file, with no Slack
credentials in the environment, types what a person would type, reads what comes back
up to the next prompt, and presses buttons by the numbers the console printed.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import services
from bot.services import Context
from domain.addons import Status
from domain.catalog import Catalog
from domain.periods import BillingSchedule, prorate
from handlers.i18n import fmt_money
from storage import Database

ROOT = Path(__file__).resolve().parents[2]
TEAM = "T0DEMO"
ANCHOR = date(2026, 3, 18)
START = date(2026, 4, 3)  # inside the period 18.03.–17.04.2026 (31 days)
PROMPT = re.compile(r"\[[^\]\n]+\]> $")
STEP_SECONDS = 30.0
SESSION_SECONDS = 120.0


def environment() -> dict[str, str]:
    """This environment without Slack credentials or ADDONS_* settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "ADDONS_")) and k != "COLUMNS"
    }
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    if (ROOT / ".env").exists():  # a developer's .env must not turn `run` into Slack
        env.update(SLACK_BOT_TOKEN="", SLACK_SIGNING_SECRET="", SLACK_APP_TOKEN="")
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


class Session:
    """A console subprocess: send a line, get everything printed up to the next prompt."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            command(*args),
            cwd=ROOT,
            env=environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.deadline = time.monotonic() + SESSION_SECONDS
        self._chunks: queue.Queue[str | None] = queue.Queue()
        self._err: list[bytes] = []
        self._buffer = ""
        self.transcript = ""
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := os.read(self.proc.stdout.fileno(), 65536):
            self._chunks.put(decoder.decode(chunk))
        self._chunks.put(None)

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        self._err.append(self.proc.stderr.read())

    @property
    def stderr(self) -> str:
        return b"".join(self._err).decode("utf-8", "replace")

    def read_until(self, pattern: re.Pattern[str] = PROMPT) -> str:
        """Everything printed until the output ends with ``pattern`` (a prompt)."""
        limit = min(time.monotonic() + STEP_SECONDS, self.deadline)
        while not pattern.search(self._buffer):
            try:
                chunk = self._chunks.get(timeout=max(0.01, limit - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no prompt in time; the console printed:\n"
                    f"{self._buffer}\nstderr:\n{self.stderr}"
                ) from None
            if chunk is None:
                raise AssertionError(
                    f"the console ended early:\n{self._buffer}\nstderr:\n{self.stderr}"
                )
            self._buffer += chunk
        out, self._buffer = self._buffer, ""
        self.transcript += out
        return out

    def send(self, line: str, until: re.Pattern[str] = PROMPT) -> str:
        """Type ``line`` and Enter; what the console answered (up to the next prompt)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()
        out = self.read_until(until)
        return out.split("\n", 1)[1] if "\n" in out else ""  # without the echoed line

    def end(self) -> int:
        """Close stdin (end of input) and wait for the exit status."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=max(1.0, self.deadline - time.monotonic()))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database whose demo workspace has its billing anchor on 18.03.2026.

    Set through the use case at the console's start date: `addons-bot workspace set`
    reads the wall clock, and on a day after the console's --date it would mark the
    periods up to today as billed already.
    """
    path = tmp_path / "addons.db"

    async def setup() -> None:
        db = Database(str(path))
        await db.open()
        try:
            await services.set_workspace(
                Context(db), TEAM, ANCHOR, datetime.combine(START, datetime.min.time(), UTC)
            )
        finally:
            await db.close()

    asyncio.run(setup())
    return path


@pytest.fixture
def console(database: Path) -> Iterator[Session]:
    session = Session("console", "--database", str(database), "--date", START.isoformat())
    try:
        yield session
    finally:
        session.kill()


def number(out: str, label: str, after: str = "") -> str:
    """The number of the button or input ``label`` (the first one after ``after``)."""
    start = out.index(after) if after else 0
    found = re.search(r"\[(\d+)\] " + re.escape(label), out[start:])
    assert found, f"no [n] {label} after {after!r} in:\n{out}"
    return found.group(1)


def row(out: str, label: str) -> str:
    """The table row of the add-on ``label``."""
    found = re.search(r"^│ " + re.escape(label) + r" .*$", out, re.MULTILINE)
    assert found, f"no row {label!r} in:\n{out}"
    return found.group(0)


def between(out: str, first: str, last: str) -> str:
    start = out.index(first)
    return out[start : out.index(last, start)]


def expected_prorated(quantity: int) -> str:
    """The domain's prorated amount for users booked on START, as the app writes it."""
    period = BillingSchedule(ANCHOR).period_containing(START)
    return fmt_money(prorate(Catalog()["users"].monthly_price(quantity), period, START), "de")


async def read_addons(path: Path) -> tuple[list[Status], int]:
    db = Database(str(path))
    await db.open()
    try:
        ctx = Context(db)
        addons = await services.list_addons(ctx, TEAM)
        return [a.status for a in addons], len(await services.list_invoices(ctx, TEAM))
    finally:
        await db.close()


def test_admin_books_cancels_and_gets_the_invoice_without_the_cancelled_renewal(
    console: Session, database: Path
) -> None:
    prorated = expected_prorated(2)
    assert prorated == "5,71 €"  # 11,80 € × 15 ÷ 31 = 5,709… (DESIGN §3)
    banner = console.read_until()
    assert "offline console" in banner
    assert ":help" in banner
    assert banner.startswith("/addons offline console")

    overview = console.send("/addons")
    assert "┌─ Zusatzoptionen" in overview
    # Anzahl for "Zusätzliche Benutzer": the number alone asks for the value.
    asked = console.send(
        number(overview, "Anzahl", after="Zusätzliche Benutzer"),
        until=re.compile(r"Anzahl \[1\]: $"),
    )
    assert asked == "Anzahl [1]: "
    assert "Anzahl: 2" in console.send("2")
    confirmation = console.send(number(overview, "Hinzufügen", after="Zusätzliche Benutzer"))
    assert "┌─ Buchung bestätigen" in confirmation
    assert "Zusätzliche Benutzer (+2)" in confirmation
    assert f"Anteilig 03.04.2026–17.04.2026: {prorated}" in confirmation
    assert "Abgerechnet bis: 17.04.2026" in confirmation
    notice = console.send(number(confirmation, "Bestätigen"))  # the result, in place
    assert "Gebucht: Zusätzliche Benutzer (+2)." in notice
    overview = console.send(number(notice, "Schließen"))  # the overview below
    assert re.search(
        r"Zusätzliche Benutzer \(\+2\) +11,80 € zzgl\. USt\. +17\.04\.2026 +Aktiv +"
        r"\[\d+\] Kündigen \(rot\)",
        row(overview, "Zusätzliche Benutzer (+2)"),
    )
    # The coming invoice: the prorated draft and the renewal, 5,71 € + 11,80 €.
    assert "Entwurf Ihrer nächsten Sammelrechnung (am 18.04.2026)" in overview
    # net, USt. at 19 % (3,3269 € rounded half-up) and gross
    assert "Summe netto: 17,51 €\n│ USt. 19 %: 3,33 €\n│ Gesamtbetrag brutto: 20,84 €" in overview
    assert "Zusätzlich in Kraft: 2 Benutzer" in overview

    # 10 GB as well, so that the invoice after the cancellation still has a renewal.
    confirmation = console.send(number(overview, "Hinzufügen", after="Erweiterter Speicherplatz"))
    assert "Anteilig 03.04.2026–17.04.2026: 2,85 €" in confirmation
    notice = console.send(number(confirmation, "Bestätigen"))  # the result, in place
    assert "Gebucht: Erweiterter Speicherplatz (+10 GB)." in notice
    overview = console.send(number(notice, "Schließen"))  # the overview below
    assert "Zusätzlich in Kraft: 2 Benutzer, 10 GB" in overview

    # 18.04.2026: past the withdrawal window (through 17.04.) and a new period.
    moved = console.send(":clock +15d")
    assert "Clock: 18.04.2026" in moved
    assert "invoice no. 1 issued, 26,26 € netto, 31,25 € brutto" in moved
    assert "✉ addons · direct message to anna.admin" in moved
    # The DM carries the invoice's PDF; the console writes it next to its database.
    assert re.search(r"📎 Rechnung-1\.pdf \(\d+ KB\)", moved), moved
    assert (database.parent / "Rechnung-1.pdf").read_bytes().startswith(b"%PDF-")
    first = between(moved, "Rechnung Nr. 1 vom 18.04.2026", "Summe netto: 26,26 €")
    assert "Rechnungsdatum 18.04.2026, Abrechnungszeitraum 18.04.2026–17.05.2026" in first
    assert f"Zusätzliche Benutzer (+2), anteilig 03.04.2026–17.04.2026: {prorated}" in first
    assert "Zusätzliche Benutzer (+2), 18.04.2026–17.05.2026: 11,80 €" in first

    overview = console.send("/addons")
    confirmation = console.send(number(row(overview, "Zusätzliche Benutzer (+2)"), "Kündigen"))
    assert "┌─ Kündigung bestätigen" in confirmation
    assert "Kündigung zum 17.05.2026, bis dahin nutzbar." in confirmation
    notice = console.send(number(confirmation, "Bestätigen"))  # the result, in place
    assert "Gekündigt: Zusätzliche Benutzer (+2). Kündigung zum 17.05.2026" in notice
    overview = console.send(number(notice, "Schließen"))  # the overview below
    cancelled = row(overview, "Zusätzliche Benutzer (+2)")
    assert "Kündigung zum 17.05.2026" in cancelled
    assert "Kündigung zurücknehmen" in cancelled
    assert "Zusätzlich in Kraft: 2 Benutzer, 10 GB" in overview  # usable until then

    moved = console.send(":clock 2026-05-18")
    assert "Clock: 18.05.2026" in moved
    assert "invoice no. 2 issued, 5,90 € netto, 7,02 € brutto; ended add-on no. 1" in moved
    second = between(moved, "Rechnung Nr. 2 vom 18.05.2026", "Summe netto: 5,90 €")
    assert "Erweiterter Speicherplatz (+10 GB), 18.05.2026–17.06.2026: 5,90 €" in second
    assert "Zusätzliche Benutzer" not in second  # not renewed
    assert (
        "Die Kündigung ist wirksam: Zusätzliche Benutzer (+2) wurde zum 17.05.2026 "
        "beendet und wird nicht verlängert."
    ) in moved

    overview = console.send("/addons")
    assert "Zusätzlich in Kraft: 10 GB" in overview  # the seats are gone
    ended = row(overview, "Zusätzliche Benutzer (+2)")
    assert "Beendet am 17.05.2026" in ended
    assert "[" not in ended
    listed = console.send(":invoices")
    assert "Rechnung Nr. 2 vom 18.05.2026" in listed
    assert "Rechnung Nr. 1 vom 18.04.2026" in listed

    assert console.end() == 0
    statuses, invoices = asyncio.run(read_addons(database))
    assert statuses.count(Status.ENDED) == 1
    assert invoices == 2


def test_app_home_books_through_the_booking_modal_with_inline_errors(
    console: Session, database: Path
) -> None:
    console.read_until()
    home = console.send(":home")
    assert "┌─ App Home" in home
    assert "Ihre Zusatzoptionen" in home
    modal = console.send(number(home, "Hinzufügen", after="Erweiterter Speicherplatz"))
    assert "┌─ Zusatzoption buchen" in modal
    assert "Anzahl: 0" in console.send(f"{number(modal, 'Anzahl')} 0")
    refused = console.send(number(modal, "Weiter"))
    assert "⚠ Die Anzahl muss mindestens 1 sein." in refused  # response_action errors
    console.send(f"{number(refused, 'Anzahl')} 3")
    confirmation = console.send(number(refused, "Weiter"))  # response_action update
    assert "┌─ Buchung bestätigen" in confirmation
    assert "Erweiterter Speicherplatz (+30 GB)" in confirmation
    notice = console.send(number(confirmation, "Bestätigen"))
    assert "Gebucht: Erweiterter Speicherplatz (+30 GB)." in notice
    home = console.send(number(notice, "Schließen"))
    assert "┌─ App Home" in home
    assert "Zusätzlich in Kraft: 30 GB" in home
    assert "Aktiv" in row(home, "Erweiterter Speicherplatz (+30 GB)")
    assert console.end() == 0


def test_a_member_is_refused_in_their_language_and_nothing_changes(database: Path) -> None:
    script = "\n".join(
        [":as member", "/addons", "/addons buchen users 2", ":lang en", "/addons", ":home", ""]
    )
    done = subprocess.run(
        command("console", "--database", str(database), "--date", "2026-04-03"),
        input=script,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "You are max.mitglied (member" in out
    assert (
        out.count("Das dürfen nur Admins und Inhaber dieses Workspaces sowie Abrechnungs-Admins.")
        == 2
    )
    assert "Only admins and owners of this workspace and billing admins can do this." in out
    assert "This is where the admins of your workspace book and cancel" in out  # App Home
    assert "Buchung bestätigen" not in out
    assert "Kündigen" not in out
    assert asyncio.run(read_addons(database)) == ([], 0)


def test_run_without_credentials_says_so_in_one_line_and_opens_the_console(tmp_path: Path) -> None:
    done = subprocess.run(
        command("run", "--database", str(tmp_path / "fresh.db")),
        input=":clock\n:quit\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stderr.splitlines()
    assert "No Slack credentials" in line
    assert "offline console" in line
    assert done.stdout.startswith("/addons offline console")
    assert f"demo workspace {TEAM}" in done.stdout
    today = datetime.now(UTC).date()  # the clock starts now without --date
    assert re.search(r"Clock: \d\d\.\d\d\.\d{4} ", done.stdout)
    assert (
        abs(
            (
                datetime.strptime(re.findall(r"Clock: (\S+)", done.stdout)[0], "%d.%m.%Y").date()
                - today
            ).days
        )
        <= 1
    )


def test_a_bad_date_is_refused_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        command("console", "--database", str(tmp_path / "x.db"), "--date", "03.04.2026"),
        input="",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--date" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_without_a_date_the_clock_resumes_where_the_database_left_off(tmp_path: Path) -> None:
    path = str(tmp_path / "later.db")
    first = subprocess.run(
        command("console", "--database", path, "--date", "2090-01-10"),
        input="/addons buchen users 1\n1\n:clock +1m\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    assert "invoice no. 1 issued" in first.stdout
    again = subprocess.run(
        command("console", "--database", path),
        input=":clock\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment(),
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert "test clock at 10.02.2090 (where this database left off)" in again.stdout
    assert "Clock: 10.02.2090 " in again.stdout
