"""`addons-bot invoices document|validate` return and check the stored bytes."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot import services
from bot.entrypoints.cli import main
from tests.documents.world import at, configure, world
from tests.environment import clean_environment
from tests.slack.mock_slack import MockSlack


@pytest.fixture
async def issued(
    slack_mock: MockSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, bytes]:
    """A database with invoice 1 issued and its document made; (path, the PDF's bytes)."""
    path = tmp_path / "a.db"
    configure(monkeypatch, slack_mock, path)
    async with world(slack_mock) as w:
        await w.book_one_user()
        w.clock.set(at(date(2026, 4, 18)))
        await w.tick()
        stored = await services.get_document(w.rt.ctx, services.INVOICE, 1, "pdf")
        assert stored is not None
        return path, stored.content


def cli(path: Path, *argv: str) -> int:
    return main([*argv, "--database", str(path)], now=at(date(2026, 4, 20)))


def test_document_out_writes_the_stored_pdf_byte_for_byte(
    issued: tuple[Path, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, pdf = issued
    out = tmp_path / "r.pdf"
    assert cli(path, "invoices", "document", "1", "--out", str(out)) == 0
    assert out.read_bytes() == pdf
    assert "Rechnung-1.pdf" in capsys.readouterr().out


def test_document_to_a_pipe_is_the_stored_pdf_and_xml_is_its_xml(
    issued: tuple[Path, bytes],
) -> None:
    path, pdf = issued
    env = clean_environment()
    argv = [sys.executable, "-m", "bot", "invoices", "document", "1", "--database", str(path)]
    done = subprocess.run(argv, capture_output=True, env=env, check=True, timeout=60)
    assert done.stdout == pdf
    done = subprocess.run([*argv, "--format", "xml"], capture_output=True, env=env, timeout=60)
    assert done.stdout.startswith(b"<?xml")
    assert b"<ram:TypeCode>380</ram:TypeCode>" in done.stdout


def test_a_pdf_is_refused_on_a_terminal(
    issued: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = issued
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert cli(path, "invoices", "document", "1") == 2
    err = capsys.readouterr().err
    assert (
        err == "addons-bot: error: a PDF is not written to a terminal: use --out FILE or a pipe\n"
    )


class _Terminal(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO())

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("number", "message"),
    [("7", "no invoice 7"), ("K-3", "no correction K-3")],
)
def test_an_unknown_number_is_one_line_and_exit_2(
    issued: tuple[Path, bytes], number: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = issued
    capsys.readouterr()
    assert cli(path, "invoices", "document", number, "--format", "xml") == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"addons-bot: error: {message}\n")


def test_an_xrechnung_says_what_the_workspace_lacks_for_it(
    issued: tuple[Path, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = issued
    capsys.readouterr()
    assert cli(path, "invoices", "document", "1", "--format", "xrechnung") == 2
    assert capsys.readouterr().err == (
        "addons-bot: error: 1 has no XRechnung: it needs the buyer reference (Leitweg-ID), "
        "the buyer's postcode, the buyer's city, the buyer's invoice e-mail\n"
    )


def test_validate_runs_the_xsd_and_the_schematron_over_the_stored_xml(
    issued: tuple[Path, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = issued
    capsys.readouterr()
    assert cli(path, "invoices", "validate", "1") == 0
    assert capsys.readouterr().out == "Rechnung-1.xml: valid (EN 16931 XSD and Schematron)\n"
