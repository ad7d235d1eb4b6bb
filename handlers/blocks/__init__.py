"""Pure Block Kit builders: domain values in, plain Block Kit dicts out.

Nothing here does I/O or reads a clock. Views are plain dicts (``kit.ViewDict``; pass them
to ``views_open``/``ack(view=...)`` as they are): slack_sdk's model objects cost half of a
click's CPU, so tests/unit/blocks/test_every_view.py parses every view the app can draw
with slack_sdk's models and checks Slack's limits instead. Messages are
``{"text": ..., "blocks": [...]}`` dicts, ready for ``respond(**msg)`` or
``chat_postEphemeral(channel=..., user=..., **msg)``.

One module per screen: ``overview`` (the /addons modal), ``home`` (App Home), ``booking``,
``cancelling``, ``invoices``, ``details`` (Rechnungsdaten), ``replies`` (texts, help,
`/addons liste`, notices); ``ids`` holds the action and callback ids the listeners match
on, ``labels`` the words several screens share, ``primitives`` the small Block Kit
helpers and Slack's limits.

Code in this repository imports each name from the module that defines it. The package
re-exports the ids and the builders of every screen, so that tests and tools can drive
the app through ``blocks.ACTION_ADD`` or ``blocks.notice_view(...)`` without knowing
which screen module draws what.
"""

from __future__ import annotations

from handlers.blocks.booking import booking_confirmation_view, booking_done_message, booking_modal
from handlers.blocks.cancelling import (
    cancellation_confirmation_view,
    cancellation_done_message,
    cancellation_sentences,
)
from handlers.blocks.details import billing_details_modal
from handlers.blocks.home import home_non_admin_view, home_view
from handlers.blocks.ids import (
    ACTION_ADD,
    ACTION_CANCEL,
    ACTION_OPEN_BOOKING,
    ACTION_OPEN_DETAILS,
    ACTION_PAGE_NEXT,
    ACTION_PAGE_PREV,
    ACTION_UNDO,
    CALLBACK_BOOK,
    CALLBACK_CONFIRM_BOOKING,
    CALLBACK_CONFIRM_CANCEL,
    CALLBACK_DETAILS,
    CALLBACK_HOME,
    CALLBACK_NOTICE,
    CALLBACK_OVERVIEW,
    CALLBACK_WORKING,
)
from handlers.blocks.invoices import invoice_block_dicts, invoice_blocks, invoices_message
from handlers.blocks.labels import sort_for_display
from handlers.blocks.overview import entitlements_text, loading_view, overview_view
from handlers.blocks.primitives import MAX_VIEW_BLOCKS, MessagePayload
from handlers.blocks.progress import result_view, working_view
from handlers.blocks.replies import (
    help_message,
    list_message,
    notice_view,
    refusal_message,
    text_message,
)

__all__ = [
    "ACTION_ADD",
    "ACTION_CANCEL",
    "ACTION_OPEN_BOOKING",
    "ACTION_OPEN_DETAILS",
    "ACTION_PAGE_NEXT",
    "ACTION_PAGE_PREV",
    "ACTION_UNDO",
    "CALLBACK_BOOK",
    "CALLBACK_CONFIRM_BOOKING",
    "CALLBACK_CONFIRM_CANCEL",
    "CALLBACK_DETAILS",
    "CALLBACK_HOME",
    "CALLBACK_NOTICE",
    "CALLBACK_OVERVIEW",
    "CALLBACK_WORKING",
    "MAX_VIEW_BLOCKS",
    "MessagePayload",
    "billing_details_modal",
    "booking_confirmation_view",
    "booking_done_message",
    "booking_modal",
    "cancellation_confirmation_view",
    "cancellation_done_message",
    "cancellation_sentences",
    "entitlements_text",
    "help_message",
    "home_non_admin_view",
    "home_view",
    "invoice_block_dicts",
    "invoice_blocks",
    "invoices_message",
    "list_message",
    "loading_view",
    "notice_view",
    "overview_view",
    "refusal_message",
    "result_view",
    "sort_for_display",
    "text_message",
    "working_view",
]
