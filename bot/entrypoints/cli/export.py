"""`addons-bot invoices export`: every workspace's invoice lines for accounting."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

from bot import services
from bot.entrypoints.cli.invocation import EXIT_OK, Run, fail

COLUMNS = (
    "invoice_number",
    "issued_on",
    "team_id",
    "customer",
    "period_start",
    "period_end",
    "invoice_total",
    "currency",
    "line_kind",
    "addon_id",
    "option",
    "quantity",
    "line_from",
    "line_to",
    "line_amount",
)


def _rows(invoice: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per invoice line (an invoice without lines: one row with empty line fields)."""
    head = {
        "invoice_number": invoice["number"],
        "issued_on": invoice["issued_on"],
        "team_id": invoice["team_id"],
        "customer": invoice["customer"],
        "period_start": invoice["period_start"],
        "period_end": invoice["period_end"],
        "invoice_total": invoice["total"],
        "currency": invoice["currency"],
    }
    empty = dict.fromkeys(COLUMNS[8:])
    lines = [
        {
            "line_kind": line["kind"],
            "addon_id": line["addon_id"],
            "option": line["option"],
            "quantity": line["quantity"],
            "line_from": line["from"],
            "line_to": line["to"],
            "line_amount": line["amount"],
        }
        for line in invoice["lines"]
    ]
    return [{**head, **line} for line in lines] or [{**head, **empty}]


async def invoices_export(run: Run) -> int:
    """Invoice lines issued in the range, one row per line, as CSV or JSON Lines."""
    first, last = run.args.date_from, run.args.date_to
    if last < first:
        return fail(f"--to {last} is before --from {first}")
    if isinstance(sys.stdout, io.TextIOWrapper):  # for accounting: UTF-8 whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    writer = None
    if run.args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
    async for sub, invoice in services.invoices_issued_between(run.ctx, first, last):
        for row in _rows(services.invoice_to_json(invoice, sub.customer)):
            if writer is not None:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
            else:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    return EXIT_OK
