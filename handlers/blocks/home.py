"""App Home: the overview for admins (Hinzufügen opens a modal), a note for everyone else."""

from __future__ import annotations

from collections.abc import Sequence

from domain.addons import AddOn
from domain.billing import Entitlements
from domain.catalog import Catalog
from domain.corrections import Correction
from domain.invoices import Invoice
from domain.workspace import Subscription
from handlers.blocks.ids import CALLBACK_HOME
from handlers.blocks.kit import ViewDict, header, home_tab, section
from handlers.blocks.overview import Memo, overview_blocks
from handlers.blocks.primitives import md
from handlers.i18n import t


def home_view(
    *,
    catalog: Catalog,
    addons: Sequence[AddOn],
    in_force: Entitlements,
    upcoming: Invoice | None,
    recent: Sequence[Invoice] = (),
    lang: str,
    offset: int = 0,
    corrections: Sequence[Correction] = (),
    subscription: Subscription | None = None,
    memo: Memo | None = None,
) -> ViewDict:
    """The same overview for App Home (views.publish); Hinzufügen opens the booking modal."""
    return home_tab(
        callback_id=CALLBACK_HOME,
        blocks=overview_blocks(
            catalog=catalog,
            addons=addons,
            in_force=in_force,
            upcoming=upcoming,
            recent=recent,
            lang=lang,
            offset=offset,
            home=True,
            errors={},
            corrections=corrections,
            subscription=subscription,
            memo=memo,
        ),
    )


def home_non_admin_view(lang: str) -> ViewDict:
    """App Home for members who may not book: a short explanation, no prices."""
    return home_tab(
        callback_id=CALLBACK_HOME,
        blocks=[
            header(block_id="title", text=t(lang, "overview.title")),
            section(block_id="explanation", text=md(t(lang, "home.non_admin"))),
        ],
    )
