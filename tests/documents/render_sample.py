"""Write the sample invoice of docs/invoice-sample.png: ``python -m tests.documents.render_sample``.

Then: ``pdftoppm -png -r 80 -singlefile docs/invoice-sample.pdf docs/invoice-sample``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.adapters.documents import cii, pdf
from tests.documents import samples


def main(out: str = "docs/invoice-sample.pdf") -> None:
    """Render the sample (Tarif, SEPA direct debit, buyer reference) to ``out``."""
    doc = samples.invoice(tarif=True, payment=samples.SEPA, buyer_reference="04011000-12345-34")
    Path(out).write_bytes(pdf.render(doc, cii.build(doc)))


if __name__ == "__main__":
    main(*sys.argv[1:])
