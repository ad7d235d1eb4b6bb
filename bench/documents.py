"""Benchmark of issue 21: documents per second, and the billing run with documents on vs off.

    python -m bench.documents [--workspaces 10000] [--addons 10] [--drafts 2]
                              [--documents 100] [--rounds 2] [--quick] [--json]

The data is ``bench.billing_run``'s largest size (N workspaces x M add-ons, D drafts,
two admins each), built once; each run works on a fresh copy of it.

A/B in the same run: ``iter_billing_run`` over the copy with documents off (each
invoice queues its two DMs and nothing else) and on (each invoice queues one document
job instead: the rendering happens after the invoice's transaction, in the sender), in
alternating order (off, on, on, off, ...); the median of each. Target: on no slower than
1.1 x off.

Documents per second: the queued jobs of the "on" copy run as the sender runs them
(``make_document``: read the invoice, render PDF and XML in a worker thread, check the
XSD, store the bytes, queue the DM and the event), one after another, for the first K
invoices; and the rendering alone (``files_of``) for the same documents.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.billing.data import NOW, build
from bench.common import machine, machine_lines, median, n

FULL = {"workspaces": 10_000, "addons": 10, "drafts": 2, "documents": 100}
QUICK = {"workspaces": 200, "addons": 4, "drafts": 1, "documents": 10}
TARGET = 1.1  # the run with documents at most 1.1 x the run without


def _renderer() -> Any:
    from bot.adapters.documents.from_ledger import SellerSettings
    from bot.adapters.documents.renderer import Renderer
    from domain.catalog import Catalog

    seller = SellerSettings(
        name="CloudCRM GmbH",
        street="Friedrichstraße 123",
        postcode="10117",
        city="Berlin",
        country="DE",
        vat_id="DE123456789",
        tax_number="30/123/45678",
        registration="HRB 123456 B",
        email="rechnung@cloudcrm.example",
        iban="DE02120300000000202051",
        bic="BYLADEM1001",
        contact_name="Buchhaltung",
        contact_phone="+49 30 1234567",
        contact_email="buchhaltung@cloudcrm.example",
    )
    return Renderer(seller, Catalog())


async def _billing_run(path: str, documents: bool) -> float:
    from bot import services
    from storage import Database

    db = Database(path)
    await db.open()
    try:
        ctx = services.Context(db, documents=documents)
        started = time.perf_counter()
        async for _turn in services.iter_billing_run(ctx, NOW):
            pass
        return time.perf_counter() - started
    finally:
        await db.close()


async def _documents(path: str, count: int) -> dict[str, float]:
    """Run the first ``count`` document jobs as the sender does; then render them alone."""
    from bot import services
    from bot.adapters.documents.renderer import files_of
    from storage import Database

    renderer = _renderer()
    db = Database(path)
    await db.open()
    try:
        ctx = services.Context(db, documents=True)
        async with db.unit_of_work(write=False) as uow:
            jobs = [m for m in await uow.outbox.due(NOW, count * 3) if m.kind == services.JOB]
        jobs = jobs[:count]
        started = time.perf_counter()
        for job in jobs:
            number = int(job.payload["number"])
            await services.make_document(
                ctx, renderer, None, job.team_id, services.INVOICE, number, NOW
            )
        made = time.perf_counter() - started
        views = []
        for job in jobs:
            invoice = await services.get_invoice(ctx, int(job.payload["number"]))
            sub = await services.get_workspace(ctx, job.team_id)
            views.append(renderer.document(invoice, sub, None))
        started = time.perf_counter()
        sizes = [len(files_of(view)[0].content) for view in views]
        rendered = time.perf_counter() - started
    finally:
        await db.close()
    return {
        "documents": len(jobs),
        "jobs_per_second": len(jobs) / made,
        "renders_per_second": len(views) / rendered,
        "pdf_bytes_median": median([float(s) for s in sizes]),
    }


def measure(
    workspaces: int, addons: int, drafts: int, documents: int, rounds: int
) -> dict[str, Any]:
    """Build once; run off/on alternately on fresh copies; then the document jobs."""
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as tmp:
        source = str(Path(tmp) / "source.db")
        build(source, workspaces, addons, drafts)
        times: dict[str, list[float]] = {"off": [], "on": []}
        last_on = ""
        for round_ in range(rounds):
            order = ("off", "on") if round_ % 2 == 0 else ("on", "off")
            for mode in order:
                copy = str(Path(tmp) / f"{mode}-{round_}.db")
                shutil.copyfile(source, copy)
                times[mode].append(asyncio.run(_billing_run(copy, mode == "on")))
                if mode == "on":
                    last_on = copy
        made = asyncio.run(_documents(last_on, documents))
    off, on = median(times["off"]), median(times["on"])
    return {
        "machine": machine(),
        "sizes": {"workspaces": workspaces, "addons": addons, "drafts": drafts},
        "runs_seconds": times,
        "off_seconds": off,
        "on_seconds": on,
        "ratio": on / off,
        "target": TARGET,
        "ok": on / off <= TARGET,
        **made,
    }


def render(r: dict[str, Any]) -> str:
    s = r["sizes"]
    lines = [
        *machine_lines(r["machine"]),
        f"sizes    : {n(s['workspaces'])} workspaces x {n(s['addons'])} add-ons, "
        f"{n(s['drafts'])} drafts each",
        f"billing run, documents off : {r['off_seconds']:.2f} s "
        f"(median of {r['runs_seconds']['off']})",
        f"billing run, documents on  : {r['on_seconds']:.2f} s "
        f"(median of {r['runs_seconds']['on']})",
        f"ratio on/off               : {r['ratio']:.3f} (target <= {r['target']}): "
        + ("OK" if r["ok"] else "MISSED"),
        f"document jobs (render, check, store, queue): {r['jobs_per_second']:.1f} per second "
        f"over {r['documents']}",
        f"rendering alone (XML + PDF/A-3)            : {r['renders_per_second']:.1f} per second",
        f"PDF size (median)                          : {r['pdf_bytes_median'] / 1024:.0f} KB",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.documents",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for key, value in FULL.items():
        parser.add_argument(f"--{key}", type=int, help=f"default {value:,}")
    parser.add_argument("--rounds", type=int, default=2, help="off/on rounds (default 2)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in sizes:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    result = measure(
        sizes["workspaces"], sizes["addons"], sizes["drafts"], sizes["documents"], args.rounds
    )
    print(json.dumps(result) if args.json else render(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
