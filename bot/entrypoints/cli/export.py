"""`addons-bot invoices export`: every workspace's invoice and correction lines for
accounting, with the VAT of each document."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from typing import Any

from bot import services
from bot.entrypoints.cli.invocation import EXIT_OK, Run, fail

# The first fifteen are the columns of old; the rest came with corrections and VAT.
COLUMNS = (
    "invoice_number",  # a correction's row: empty (see corrects)
    "issued_on",
    "team_id",
    "customer",
    "period_start",  # a correction's row: empty
    "period_end",
    "invoice_total",  # the document's net total (negative for a correction)
    "currency",
    "line_kind",  # plan, proration, renewal, credit
    "addon_id",
    "option",
    "quantity",
    "line_from",
    "line_to",
    "line_amount",  # net
    "document_type",  # invoice or correction
    "document_number",  # 17, or K-3 for a Rechnungskorrektur
    "corrects",  # the invoice a correction corrects
    "net",
    "vat",
    "gross",
    "tax_category",  # S, AE (reverse charge), O (not subject to German VAT)
    "tax_rate",
    "line_name",  # the Tarif's name on its line
)
LINE_COLUMNS = (*COLUMNS[8:15], "line_name")

# OWASP's CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs: a text starting like a
    formula gets a leading ``'`` (OWASP); amounts (``-2.85``) stay numbers."""
    if value is None:
        return ""
    formula = isinstance(value, str) and value.startswith(FORMULA_START)
    return "'" + value if formula and not _NUMBER.fullmatch(value) else value


def _rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per line of an invoice or correction (no lines: one row, line fields empty)."""
    correction = document["type"] == "correction"
    tax = document["tax"]
    head = {
        "invoice_number": None if correction else document["number"],
        "issued_on": document["issued_on"],
        "team_id": document["team_id"],
        "customer": document["customer"],
        "period_start": document.get("period_start"),
        "period_end": document.get("period_end"),
        "invoice_total": document["total"],
        "currency": document["currency"],
        "document_type": document["type"],
        "document_number": f"K-{document['number']}" if correction else str(document["number"]),
        "corrects": document.get("corrects"),
        "net": document["net"],
        "vat": document["vat"],
        "gross": document["gross"],
        "tax_category": " ".join(t["category"] for t in tax) or None,
        "tax_rate": " ".join(t["rate"] for t in tax) or None,
    }
    lines = [
        {
            "line_kind": line["kind"],
            "addon_id": line["addon_id"],
            "option": line["option"],
            "quantity": line["quantity"],
            "line_from": line["from"],
            "line_to": line["to"],
            "line_amount": line["amount"],
            "line_name": line.get("name"),
        }
        for line in document["lines"]
    ]
    rows = [{**head, **line} for line in lines] or [{**head, **dict.fromkeys(LINE_COLUMNS)}]
    return [{name: row[name] for name in COLUMNS} for row in rows]


async def invoices_export(run: Run) -> int:
    """Invoice and correction lines issued in the range, one row per line, as CSV or JSON
    Lines."""
    first, last = run.args.date_from, run.args.date_to
    if last < first:
        return fail(f"--to {last} is before --from {first}")
    if isinstance(sys.stdout, io.TextIOWrapper):  # for accounting: UTF-8 whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    writer = None
    if run.args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
    async for sub, document in services.documents_issued_between(run.ctx, first, last):
        for row in _rows(services.document_to_json(document, sub.customer)):
            if writer is not None:
                writer.writerow({k: cell(v) for k, v in row.items()})
            else:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return EXIT_OK
