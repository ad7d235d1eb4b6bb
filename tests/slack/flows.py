"""Steps of the Slack flows, as an admin takes them: open, press, type, confirm.

Each step sends a signed request to the running app and returns what Slack would now
show, read from the mock (``mock.views`` holds every view as Slack stores it).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from bot import services
from bot.slack_fake.drawn import find_button, state_values
from domain.addons import AddOn
from handlers import blocks, requests
from tests.slack.harness import Answer, RunningApp
from tests.slack.mock_slack import ADMIN

# The DESIGN example: period 18.03.2026–17.04.2026, today (START) is 03.04.2026.
ANCHOR = date(2026, 3, 18)


async def anchor_workspace(app: RunningApp, team_id: str | None = None) -> None:
    """Give the workspace the DESIGN example's billing anchor (18th of the month)."""
    await services.set_workspace(app.ctx, team_id or app.signer.team_id, ANCHOR, app.clock.now())


async def book_directly(
    app: RunningApp, option: str = "users", quantity: int = 1, team_id: str | None = None
) -> AddOn:
    """Book through the use case (a shortcut for tests about something else)."""
    booked = await services.book(
        app.ctx,
        team_id or app.signer.team_id,
        option,
        quantity,
        app.clock.now(),
        key=str(uuid.uuid4()),
        actor=ADMIN,
    )
    return booked.addon


async def addons(app: RunningApp, team_id: str | None = None) -> list[AddOn]:
    """What the database holds for the workspace, newest first."""
    return await services.list_addons(app.ctx, team_id or app.signer.team_id)


# How long until() waits before giving up: it returns as soon as the condition holds, so
# the bound only has to outlast a machine busy with other work.
UNTIL_SECONDS = 30.0


async def until(condition: Callable[[], bool]) -> None:
    """Wait for something the mock does not record (a log line); prefer mock.wait_for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + UNTIL_SECONDS
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the condition never became true")
        await asyncio.sleep(0.01)


def advance_days(app: RunningApp, days: int) -> None:
    """Move the app's clock forward by whole days."""
    app.clock.advance(timedelta(days=days))


# -- reading views --------------------------------------------------------------------


def texts(node: Any) -> list[str]:
    """Every text string in a view or block, in order (mrkdwn and plain_text alike)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(texts(item))
    return found


def view_text(view: Mapping[str, Any]) -> str:
    """All text of a view's title, blocks and buttons, one string per line."""
    return "\n".join(
        texts(
            {
                "title": view.get("title"),
                "blocks": view.get("blocks", []),
                "submit": view.get("submit"),
            }
        )
    )


def block(view: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    """The block with this block_id; fails if it is not drawn."""
    for candidate in view.get("blocks", []):
        if candidate.get("block_id") == block_id:
            found: dict[str, Any] = candidate
            return found
    raise LookupError(f"no block {block_id!r} in the view")


def block_text(view: Mapping[str, Any], block_id: str) -> str:
    """The text of one block."""
    return "\n".join(texts(block(view, block_id)))


def has_block(view: Mapping[str, Any], block_id: str) -> bool:
    """Whether a block with this block_id is drawn."""
    return any(b.get("block_id") == block_id for b in view.get("blocks", []))


def row(view: Mapping[str, Any], addon_id: int) -> dict[str, Any]:
    """The table row of one add-on."""
    return block(view, f"addon_{addon_id}")


def row_text(view: Mapping[str, Any], addon_id: int) -> str:
    """The text of one add-on's row, including its button."""
    return "\n".join(texts(row(view, addon_id)))


def row_ids(view: Mapping[str, Any]) -> list[int]:
    """The add-on ids of the table rows, top to bottom."""
    return [
        int(b["block_id"].removeprefix("addon_"))
        for b in view.get("blocks", [])
        if str(b.get("block_id", "")).startswith("addon_")
    ]


# -- acting ---------------------------------------------------------------------------


async def open_overview(
    app: RunningApp, user: str = ADMIN, *, team_id: str | None = None
) -> dict[str, Any]:
    """/addons: the overview opened filled (or, from a slow store, a placeholder opened and
    then filled); the filled overview."""
    updates = len(app.mock.calls_to("views.update"))
    opened = await app.send(app.signer.slash_command(user_id=user, team_id=team_id), "views.open")
    assert opened.status == 200, opened
    # the newest modal is the one just opened (App Home may be published after it, late
    # from an earlier change: a home tab, not this modal)
    view_id = [v for v, view in app.mock.views.items() if view.get("type") == "modal"][-1]
    if not is_placeholder(opened.params["view"]):
        return app.mock.views[view_id]
    update = await app.mock.wait_for_view_update(view_id, after=updates)
    return app.mock.views[str(update.params["view_id"])]


def is_placeholder(view: Mapping[str, Any]) -> bool:
    """The modal /addons opens when the overview is not ready within its budget."""
    return any(b.get("block_id") == "loading" for b in view.get("blocks", []))


def _as_drawn(view: Mapping[str, Any], typed: Mapping[str, str | None]) -> dict[str, str | None]:
    """Typed values keyed as the view draws its quantity inputs (``qty_users`` may be drawn
    as ``qty_users-g2``: the overview's inputs carry a generation)."""
    drawn = {str(b.get("block_id", "")) for b in view.get("blocks", [])}
    return {
        key if key in drawn or requests.qty_option_of(key) is None else qty_id(view, key[4:]): value
        for key, value in typed.items()
    }


async def press(
    app: RunningApp,
    view: Mapping[str, Any],
    action_id: str,
    value: str | None = None,
    *,
    expect: str = "views.push",
    user: str = ADMIN,
    typed: Mapping[str, str | None] | None = None,
    team_id: str | None = None,
) -> dict[str, Any]:
    """Press a drawn button; the view Slack shows afterwards (pushed, updated, ...)."""
    values = state_values(view, _as_drawn(view, typed)) if typed is not None else None
    call = await app.send(
        app.signer.click(
            user_id=user,
            view=view,
            action_id=action_id,
            value=value,
            values=values,
            team_id=team_id,
        ),
        expect,
    )
    if expect == "views.publish":
        return app.mock.home[str(call.params["user_id"])]
    if expect == "views.update":
        return app.mock.views[str(call.params["view_id"])]
    # The newest modal with that callback id (App Home may be republished meanwhile).
    wanted = call.params["view"].get("callback_id")
    modals = [v for v in app.mock.views.values() if v.get("type") != "home"]
    last = modals[-1]
    assert last["callback_id"] == wanted
    return last


async def submit(
    app: RunningApp,
    view: Mapping[str, Any],
    *,
    user: str = ADMIN,
    typed: Mapping[str, str | None] | None = None,
    team_id: str | None = None,
) -> Answer:
    """Submit a modal as drawn (with what was typed into its inputs)."""
    values = state_values(view, _as_drawn(view, typed)) if typed is not None else None
    return await app.post(
        app.signer.view_submission(user_id=user, view=view, values=values, team_id=team_id)
    )


async def submit_and_see(
    app: RunningApp,
    view: Mapping[str, Any],
    *,
    user: str = ADMIN,
    typed: Mapping[str, str | None] | None = None,
    team_id: str | None = None,
) -> dict[str, Any]:
    """Submit a modal; the view Slack finally shows in its place.

    A submission that writes (or needs users.info) is answered at once with a working
    view ("Wird gebucht …"), which views.update then replaces; one refused without I/O
    (a view this app did not draw) is answered inline with the notice.
    """
    before = len(app.mock.calls_to("views.update"))
    answer = await submit(app, view, user=user, typed=typed, team_id=team_id)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["response_action"] == "update", body
    if body["view"]["callback_id"] != blocks.CALLBACK_WORKING:
        return dict(body["view"])
    shown = await app.mock.wait_for_view_update(str(view["id"]), after=before)
    return dict(shown.params["view"])


async def confirm(
    app: RunningApp, confirmation: Mapping[str, Any], user: str = ADMIN
) -> dict[str, Any]:
    """Bestätigen: answered at once with "Wird …", then that view shows what happened.

    Returns the view shown in place of the confirmation once the work is done.
    """
    before = len(app.mock.calls_to("views.update"))
    answer = await submit(app, confirmation, user=user)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["response_action"] == "update", body
    assert body["view"]["callback_id"] == blocks.CALLBACK_WORKING, body
    shown = await app.mock.wait_for_view_update(str(confirmation["id"]), after=before)
    return dict(shown.params["view"])


async def confirm_and_return(
    app: RunningApp, confirmation: Mapping[str, Any], user: str = ADMIN
) -> dict[str, Any]:
    """Bestätigen on a pushed confirmation: the result is shown in its place and the
    overview below is redrawn; returns that overview."""
    below = str(confirmation["previous_view_id"])
    before = len(app.mock.calls_to("views.update"))
    await confirm(app, confirmation, user)
    await app.mock.wait_for_view_update(below, after=before)
    return app.mock.views[below]


async def book_through_overview(
    app: RunningApp, option: str, quantity: int, user: str = ADMIN
) -> dict[str, Any]:
    """/addons → type the quantity → Hinzufügen → Bestätigen; the refreshed overview."""
    overview = await open_overview(app, user)
    confirmation = await press(
        app,
        overview,
        blocks.ACTION_ADD,
        option,
        typed={qty_id(overview, option): str(quantity)},
        user=user,
    )
    return await confirm_and_return(app, confirmation, user)


def qty_id(view: Mapping[str, Any], option: str) -> str:
    """The block id of ``option``'s quantity input as this view has it (any generation)."""
    for b in view.get("blocks", []):
        if requests.qty_option_of(str(b.get("block_id", ""))) == option:
            return str(b["block_id"])
    raise AssertionError(f"no quantity input for {option!r} in the view")


def cancel_button(view: Mapping[str, Any], addon_id: int) -> dict[str, Any]:
    """The Kündigen button of one row (fails if there is none)."""
    return find_button(view, blocks.ACTION_CANCEL, str(addon_id))[1]
