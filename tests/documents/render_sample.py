"""Write the sample invoice of docs/invoice-sample.png: ``python -m tests.documents.render_sample``.

Then: ``pdftoppm -png -r 80 -singlefile docs/invoice-sample.pdf docs/invoice-sample``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.adapters.documents import cii, pdf
from tests.documents import ledger


def main(out: str = "docs/invoice-sample.pdf") -> None:
    """Render invoice 7 as issued to a German company: the Tarif first, two add-on
    lines, 19 % VAT, SEPA direct debit, a buyer reference."""
    invoice = ledger.invoice(tarif=True, sepa=True, reference=ledger.LEITWEG_ID)
    doc = ledger.document_of(invoice)
    Path(out).write_bytes(pdf.render(doc, cii.build(doc)))


if __name__ == "__main__":
    main(*sys.argv[1:])
