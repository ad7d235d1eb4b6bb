"""`addons-bot invoices document|validate`: the stored document of an invoice or correction.

``document`` returns the bytes stored when the invoice was issued, never new ones: the
PDF (ZUGFeRD / Factur-X, the XML inside), the CII XML, or the XRechnung. A PDF is never
written to a terminal; ``--out`` writes the file. ``validate`` runs the EN 16931 XSD and
Schematron (and the BR-DE rules for the XRechnung) over the stored XML, where the dev
extra (saxonche) is installed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot import services
from bot.adapters.documents import validation
from bot.entrypoints.cli.invocation import EXIT_FAILED, Run, fail
from bot.entrypoints.cli.invoices import DocumentNumber


def _owner(which: DocumentNumber) -> str:
    return services.CORRECTION if which.correction else services.INVOICE


def _named(which: DocumentNumber) -> str:
    return f"K-{which.number}" if which.correction else str(which.number)


async def invoices_document(run: Run) -> int:
    """Write one document's stored bytes to stdout or to ``--out``."""
    which: DocumentNumber = run.args.number
    fmt: str = run.args.format
    stored = await services.get_document(run.ctx, _owner(which), which.number, fmt)
    if stored is None:
        if not await _issued(run, which):
            return fail(_unknown(which))
        return fail(await _why_missing(run, which, fmt))
    out: str | None = run.args.out
    if out is None:
        if fmt == "pdf" and sys.stdout.isatty():
            return fail("a PDF is not written to a terminal: use --out FILE or a pipe")
        sys.stdout.buffer.write(stored.content)
        sys.stdout.buffer.flush()
        return 0
    try:
        await asyncio.to_thread(Path(out).write_bytes, stored.content)
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror}", EXIT_FAILED)
    return run.say(f"{out}: {stored.filename}, {len(stored.content)} bytes, sha256 {stored.sha256}")


async def _issued(run: Run, which: DocumentNumber) -> bool:
    """Whether the invoice or correction itself exists (its document may not, yet)."""
    return await services.document_owner_exists(run.ctx, _owner(which), which.number)


def _unknown(which: DocumentNumber) -> str:
    kind = "correction" if which.correction else "invoice"
    return f"no {kind} {_named(which)}"


async def _why_missing(run: Run, which: DocumentNumber, fmt: str) -> str:
    """Why the stored file is not there: no XRechnung (what it lacks, read from the stored
    EN 16931 XML), or not rendered yet."""
    if fmt == "xrechnung":
        xml = await services.get_document(run.ctx, _owner(which), which.number, "xml")
        if xml is not None:
            reason = validation.xrechnung_refusal_of(xml.content)
            if reason is not None:
                return reason
    return _missing(which, fmt)


def _missing(which: DocumentNumber, fmt: str) -> str:
    if fmt == "xrechnung":
        return f"{_named(which)} has no XRechnung"
    return f"the document of {_named(which)} is not made yet (the sender renders it; try again)"


async def invoices_validate(run: Run) -> int:
    """Check the stored XML (and XRechnung, if any) with the EN 16931 XSD and Schematron."""
    which: DocumentNumber = run.args.number
    owner = _owner(which)
    if not validation.schematron_available():
        return fail(
            "the Schematron needs saxonche: install the dev extra (pip install -e '.[dev]')"
        )
    checked = []
    for fmt in ("xml", "xrechnung"):
        stored = await services.get_document(run.ctx, owner, which.number, fmt)
        if stored is None:
            continue
        findings = validation.check(stored.content, xrechnung=fmt == "xrechnung")
        checked.append((stored.filename, findings))
    if not checked:
        return fail(_unknown(which) if not await _issued(run, which) else _missing(which, "xml"))
    lines, failed = [], False
    for filename, findings in checked:
        if not findings:
            lines.append(f"{filename}: valid (EN 16931 XSD and Schematron{_br_de(filename)})")
            continue
        failed = True
        lines.append(f"{filename}: {len(findings)} broken rule(s)")
        lines += [f"  {f.rule}: {f.text}" for f in findings]
    run.say(*lines)
    return EXIT_FAILED if failed else 0


def _br_de(filename: str) -> str:
    return ", BR-DE rules" if "xrechnung" in filename else ""
