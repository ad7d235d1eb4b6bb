"""Fuzzing the running app over signed HTTP: slash-command text, button payloads, view
submissions (private_metadata and typed quantities), mutated Slack payloads and bodies
that are not even JSON.

Properties, for every request:
- never a 5xx;
- nothing that reaches a user (the HTTP answer, views, response_url posts, messages)
  shows a trace, an exception name or a source path, nor another workspace's add-on;
- never a change of state: the database is byte-for-byte the same before and after.
  Admins are fuzzed only with requests that must not act (invalid inputs, stale views,
  other workspaces' ids); everyone else (members, other workspaces' admins, unknown
  users, claimed teams) with anything, including confirmations that would book.

One app (and one mock Slack) serves the whole module on an event loop in a background
thread; the sync hypothesis tests hand each request to that loop and wait until the
listener's work after the acknowledgement is done before looking.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot import services
from bot.slack_fake.signing import FORM, JSON, SignedRequest
from domain.addons import Outcome
from handlers import blocks, requests
from handlers.i18n import t
from tests.reliability.support import LEAK, leaks, snapshot, user_facing_texts
from tests.slack.flows import anchor_workspace, open_overview, press, row_ids, texts
from tests.slack.harness import Answer, RunningApp, running_app
from tests.slack.mock_slack import (
    ADMIN,
    BOT_TOKEN,
    DEFAULT_TEAM,
    MEMBER,
    MEMBER_EN,
    OTHER_TEAM,
    OUTSIDER,
    OWNER,
    Call,
    MockSlack,
    default_users,
)

T = TypeVar("T")
# One worker runs this module (make test: --dist loadgroup), so its module-scoped
# fixture is set up once, not once per worker.
pytestmark = pytest.mark.xdist_group("fuzzing")

# In `make test` the fuzzers are bounded and deterministic (the same 150 examples per test
# until the test changes); RELIABILITY_FUZZ_EXAMPLES=5000 runs a longer, random search.
LONG_RUN = os.environ.get("RELIABILITY_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(LONG_RUN or 150),
    deadline=None,
    derandomize=not LONG_RUN,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

OTHER_MARK = "(+987)"  # how the other workspace's add-on would be labelled
NOBODY = "U0NOBODY01"  # a user id users.info does not know
ADMINS = [(ADMIN, DEFAULT_TEAM), (OWNER, DEFAULT_TEAM)]
NOT_ADMINS = [
    (MEMBER, DEFAULT_TEAM),
    (MEMBER_EN, DEFAULT_TEAM),
    (OUTSIDER, DEFAULT_TEAM),  # another workspace's admin claiming this workspace
    (ADMIN, OTHER_TEAM),  # this workspace's admin claiming another workspace
    (ADMIN, "T0UNKNOWN9"),
    (NOBODY, DEFAULT_TEAM),
]


# -- the app in a background thread ---------------------------------------------------


@dataclass
class Exchange:
    """One request: the HTTP answer and every Slack call its listener made."""

    answer: Answer
    calls: list[Call]


class World:
    """The running app with a seeded database and the views an admin has drawn.

    (A plain class, not a dataclass: hypothesis prints the fixture with every failing
    example, and this short repr keeps that readable.)
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        self.views: dict[str, dict[str, Any]] = {}
        self.own_live: list[int] = []  # active add-ons of DEFAULT_TEAM
        self.own_ended: list[int] = []
        self.other: list[int] = []  # OTHER_TEAM's add-ons
        self.bases: list[tuple[str, str, dict[str, Any]]] = []

    def __repr__(self) -> str:
        return f"World({self.path.name})"

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def start(self) -> None:
        self.stack = AsyncExitStack()
        self.mock = await self.stack.enter_async_context(
            MockSlack(default_users(), token=BOT_TOKEN)
        )
        self.app: RunningApp = await self.stack.enter_async_context(
            running_app(self.mock, self.path)
        )
        await self._seed()

    async def stop(self) -> None:
        await self.stack.aclose()

    async def _seed(self) -> None:
        app, ctx = self.app, self.app.ctx
        await anchor_workspace(app)
        await anchor_workspace(app, OTHER_TEAM)
        # The other workspace: 987 users (active) and storage with a Kündigung pending.
        big = await services.book(
            ctx, OTHER_TEAM, "users", 987, app.clock.now(), key=str(uuid.uuid4()), actor=OUTSIDER
        )
        early = datetime(2026, 3, 19, 9, 0, tzinfo=UTC)
        pending = await services.book(
            ctx, OTHER_TEAM, "storage", 5, early, key=str(uuid.uuid4()), actor=OUTSIDER
        )
        await services.cancel(
            ctx, OTHER_TEAM, pending.addon.id, Outcome.CANCELLATION, app.clock.now(), actor=OUTSIDER
        )
        self.other = [big.addon.id, pending.addon.id]

        # This workspace, as its admin clicks: two active add-ons and a withdrawn one.
        overview = await open_overview(app)
        used = await press(
            app,
            overview,
            blocks.ACTION_ADD,
            "storage",
            typed={requests.qty_block_id("storage"): "2"},
        )
        await self._submit(used)
        for quantity in ("1", "3"):
            confirmation = await press(
                app,
                overview,
                blocks.ACTION_ADD,
                "users",
                typed={requests.qty_block_id("users"): quantity},
            )
            await self._submit(confirmation)
        overview = await open_overview(app)
        third, first_users, storage = row_ids(overview)
        stale = await press(app, overview, blocks.ACTION_CANCEL, str(third))
        await self._submit(stale)
        self.own_live, self.own_ended = [storage, first_users], [third]
        overview = await open_overview(app)
        await app.send(app.signer.app_home_opened(user_id=ADMIN), "views.publish")
        home = self.mock.home[ADMIN]
        modal = await press(app, home, blocks.ACTION_OPEN_BOOKING, "users", expect="views.open")
        fresh = await press(
            app, overview, blocks.ACTION_ADD, "users", typed={requests.qty_block_id("users"): "5"}
        )
        withdraw = await press(app, overview, blocks.ACTION_CANCEL, str(first_users))
        self.views = {
            "overview": overview,
            "home": home,
            "modal": modal,
            "fresh": fresh,
            "used": used,
            "stale": stale,
            "withdraw": withdraw,
        }
        self.bases = self._bases()
        await self.settle()

    async def _submit(self, view: dict[str, Any]) -> None:
        answer = await self.app.post(self.app.signer.view_submission(user_id=ADMIN, view=view))
        assert answer.status == 200, answer.text
        await self.settle()

    def _bases(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Real payloads to mutate: (kind, content type, payload). Admins' ones must not
        act even unmutated; members' may be anything an admin could send."""
        s, v, live = self.app.signer, self.views, str(self.own_live[0])
        ended = str(self.own_ended[0])
        made = [
            s.slash_command(user_id=ADMIN, text=""),
            s.slash_command(user_id=ADMIN, text="buchen benutzer 3"),
            s.slash_command(user_id=OWNER, text=f"kündigen {live}"),
            s.slash_command(user_id=MEMBER, text="liste"),
            s.click(user_id=ADMIN, view=v["overview"], action_id=blocks.ACTION_ADD, value="users"),
            s.click(user_id=ADMIN, view=v["overview"], action_id=blocks.ACTION_CANCEL, value=live),
            s.block_actions(
                user_id=ADMIN,
                view=v["overview"],
                actions=[{"type": "button", "action_id": blocks.ACTION_UNDO, "value": ended}],
            ),
            s.click(
                user_id=ADMIN, view=v["home"], action_id=blocks.ACTION_OPEN_BOOKING, value="storage"
            ),
            s.view_submission(user_id=ADMIN, view=v["used"]),  # a repeat: books nothing
            s.view_submission(user_id=ADMIN, view=v["stale"]),  # withdrawn already
            s.view_submission(user_id=ADMIN, view=v["modal"]),
            s.view_submission(user_id=MEMBER, view=v["fresh"]),
            s.view_submission(user_id=MEMBER, view=v["withdraw"]),
            s.click(user_id=MEMBER, view=v["overview"], action_id=blocks.ACTION_CANCEL, value=live),
            s.app_home_opened(user_id=ADMIN),
        ]
        bases = []
        for request in made:
            content_type = request.headers["Content-Type"]
            kind = (
                "command"
                if "command" in request.payload
                else "event"
                if content_type == JSON
                else "interaction"
            )
            bases.append((kind, content_type, request.payload))
        return bases

    async def settle(self) -> None:
        """Wait until every listener still running after its ack has finished."""
        for _ in range(100):
            busy = [task for task in asyncio.all_tasks() if _is_listener(task)]
            if not busy:
                return
            await asyncio.wait(busy, timeout=10)
        raise AssertionError("listeners kept running")

    async def exchange(self, request: SignedRequest) -> Exchange:
        first = len(self.mock.calls)
        answer = await self.app.post(request)
        await self.settle()
        return Exchange(answer, self.mock.calls[first:])


def _is_listener(task: asyncio.Task[Any]) -> bool:
    """Bolt runs each listener (after ack) in a task of this coroutine."""
    name = getattr(task.get_coro(), "__qualname__", "")
    return "run_ack_function_asynchronously" in name or "lazy" in name


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(tmp_path_factory.mktemp("fuzz") / "addons.db")
    thread = threading.Thread(target=world.loop.run_forever, name="fuzzed-app", daemon=True)
    thread.start()
    try:
        world.run(world.start())
        yield world
        world.run(world.stop())
    finally:
        world.loop.call_soon_threadsafe(world.loop.stop)
        thread.join(timeout=10)
        world.loop.close()


def _sent(world: World, request: SignedRequest, sent: object) -> Exchange:
    """A fuzzed request: skip inputs that would be echoed back looking like a trace."""
    assume(not LEAK.search(json.dumps(sent, ensure_ascii=False, default=str)))
    return _check(world, request, sent)


def _check(world: World, request: SignedRequest, sent: object) -> Exchange:
    """Send one request; assert the three properties."""
    echo_other = OTHER_MARK in json.dumps(sent, ensure_ascii=False, default=str)
    before = snapshot(world.path)
    exchange = world.run(world.exchange(request))
    answer = exchange.answer
    assert answer.status < 500, (answer.status, answer.text[:300])
    shown = [answer.text, *user_facing_texts(exchange.calls)]
    assert leaks(shown) == []
    if not echo_other:
        assert not [text for text in shown if OTHER_MARK in text], "another workspace shown"
    after = snapshot(world.path)
    assert after == before, {
        name: (before[name], after[name]) for name in before if before[name] != after[name]
    }
    return exchange


# -- strategies -----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**25), 10**25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
NUMBER_TEXTS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "−3",
            "+5",
            "1.5",
            "1,5",
            "1e3",
            "1E400",
            "1000",
            "1001",
            "99999999999999999999",
            "9223372036854775808",
            "٣",
            "𝟓",
            "½",
            "0x10",
            "1_000",
            " 7 ",
            "007",
            "NaN",
            "Infinity",
            "-0",
            "5 5",
            "1\u200b",
            "١٠٠٠٠",
        ]
    ),
    st.text(max_size=12),
)
WORDS = st.sampled_from(
    [
        "",
        "hilfe",
        "help",
        "?",
        "liste",
        "list",
        "buchen",
        "book",
        "hinzufügen",
        "add",
        "kündigen",
        "KÜNDIGEN",
        "kuendigen",
        "cancel",
        "rechnung",
        "invoices",
        "users",
        "benutzer",
        "speicher",
        "storage",
        "Speicherplatz",
        "nutzer",
        "ユーザー",
        "🙂",
    ]
)
COMMAND_TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(WORDS, NUMBER_TEXTS, st.text(max_size=15)), max_size=5).map(" ".join),
    st.tuples(WORDS, WORDS, NUMBER_TEXTS).map(" ".join),
    st.sampled_from(
        [
            "buchen users 99999999999999999999",
            "kündigen -1",
            "kündigen 0",
            "buchen",
            "kündigen 999999999999999999",
            "kündigen 9223372036854775808",
            "kündigen 1e3",
            "buchen users " + "9" * 5000,
            "x" * 4000,
            " " * 3000,
            "buchen speicher ٣",
            "\x00",
            "buchen users\t5",
            "kündigen\n1",
            "liste " + "ä" * 3000,
        ]
    ),
    st.text(min_size=1000, max_size=4000),
)
COMMAND_NAMES = st.sampled_from(["/addons"] * 9 + ["/other", "/ADDONS", ""])


def _quantities(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """view.state.values with these raw values in the quantity inputs (or garbage)."""

    def shaped(users: Any, storage: Any) -> dict[str, Any]:
        return {
            requests.qty_block_id(key): {
                requests.ACTION_QTY: {"type": "number_input", "value": value}
            }
            for key, value in (("users", users), ("storage", storage))
        }

    return st.one_of(
        st.builds(shaped, values, values),
        st.just({}),
        st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=3),
    )


QUANTITY_VALUES = st.one_of(NUMBER_TEXTS, NUMBER_TEXTS, JSON_VALUES)


@st.composite
def _ids(draw: st.DrawFn, world: World) -> Any:
    """Add-on ids as a button value or metadata might carry them: ours, other teams'."""
    return draw(
        st.one_of(
            st.sampled_from(world.own_live + world.own_ended + world.other),
            st.sampled_from([0, -1, 2**63, 2**64, 10**30, 99999999999999999999]),
            st.integers(),
            JSON_VALUES,
        )
    )


def _booking_metadata(world: World) -> st.SearchStrategy[dict[str, Any]]:
    options = st.one_of(
        st.sampled_from(["users", "storage", "Users", "speicher", "", "users ", "a" * 70]),
        JSON_VALUES,
    )
    quantities = st.one_of(
        st.integers(1, 1000),
        st.integers(-(10**30), 10**30),
        st.sampled_from([0, -1, 1001, 2**63, 10**30, True, 1.0, 5.5, "5", None, [5]]),
        JSON_VALUES,
    )
    nonces = st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda u: str(u).upper()),
        st.sampled_from(["", "not-a-uuid", "{}"]),
        JSON_VALUES,
    )
    return st.fixed_dictionaries(
        {"option": options, "quantity": quantities, "nonce": nonces},
        optional={"extra": JSON_VALUES, "team_id": st.just(OTHER_TEAM)},
    )


def _cancellation_metadata(world: World) -> st.SearchStrategy[dict[str, Any]]:
    outcomes = st.one_of(
        st.sampled_from(["cancellation", "withdrawal", "WITHDRAWAL", ""]), JSON_VALUES
    )
    return st.fixed_dictionaries(
        {"addon_id": _ids(world), "outcome": outcomes}, optional={"extra": JSON_VALUES}
    )


def _metadata(world: World) -> st.SearchStrategy[str]:
    objects = st.one_of(
        _booking_metadata(world),
        _cancellation_metadata(world),
        st.fixed_dictionaries({"option": JSON_VALUES}),
    )
    return st.one_of(
        objects.map(lambda d: json.dumps(d, separators=(",", ":"))),
        st.tuples(objects.map(json.dumps), st.integers(0, 80)).map(lambda t: t[0][: t[1]]),
        JSON_VALUES.map(json.dumps),
        st.text(max_size=60),
        st.just("x" * 3001),
    )


def _would_act(world: World, callback: str, metadata: str) -> bool:
    """Whether an admin submitting this would rightly book or cancel (not fuzzed)."""
    try:
        data = json.loads(metadata)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    if callback == blocks.CALLBACK_CONFIRM_BOOKING and set(data) == {"option", "quantity", "nonce"}:
        try:
            uuid.UUID(str(data["nonce"]))
        except ValueError:
            return False
        return data["option"] in ("users", "storage") and type(data["quantity"]) is int
    if callback == blocks.CALLBACK_CONFIRM_CANCEL and set(data) == {"addon_id", "outcome"}:
        return data["addon_id"] in world.own_live
    return False


CALLBACKS = st.sampled_from(
    [
        blocks.CALLBACK_CONFIRM_BOOKING,
        blocks.CALLBACK_CONFIRM_BOOKING,
        blocks.CALLBACK_CONFIRM_CANCEL,
        blocks.CALLBACK_CONFIRM_CANCEL,
        blocks.CALLBACK_BOOK,
        blocks.CALLBACK_OVERVIEW,
        blocks.CALLBACK_NOTICE,
        blocks.CALLBACK_HOME,
        "unknown",
        "",
    ]
)
ACTION_IDS = st.sampled_from(
    [
        blocks.ACTION_ADD,
        blocks.ACTION_OPEN_BOOKING,
        blocks.ACTION_CANCEL,
        blocks.ACTION_UNDO,
        blocks.ACTION_PAGE_NEXT,
        blocks.ACTION_PAGE_PREV,
        requests.ACTION_QTY,
        "unknown_action",
        "",
    ]
)


# -- the tests ------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_slash_command_text_never_breaks_anything_nor_changes_state(
    world: World,
    data: st.DataObject,
) -> None:
    """Admins too: no text form of /addons writes anything (booking opens a dialog)."""
    user, team = data.draw(st.sampled_from(ADMINS + NOT_ADMINS), label="who")
    text = data.draw(COMMAND_TEXTS, label="text")
    command = data.draw(COMMAND_NAMES, label="command")
    request = world.app.signer.slash_command(user_id=user, team_id=team, text=text, command=command)
    _sent(world, request, text)


@FUZZ
@given(data=st.data())
def test_buttons_with_any_value_and_any_typed_quantity_never_break_anything(
    world: World,
    data: st.DataObject,
) -> None:
    """Every button with any value, in any view, with anything typed in the inputs.
    Admins too: no button writes, except taking back a pending Kündigung, and this
    workspace has none (the other workspace's pending one must stay out of reach)."""
    user, team = data.draw(st.sampled_from(ADMINS + NOT_ADMINS), label="who")
    action_id = data.draw(ACTION_IDS, label="action_id")
    value = data.draw(
        st.one_of(
            st.sampled_from(["users", "storage", "speicher", "", "0", "20", "-5"]),
            _ids(world).map(str),
            NUMBER_TEXTS,
            st.none(),
        ),
        label="value",
    )
    where = data.draw(st.sampled_from(["overview", "home", "modal", "fresh", None]), label="view")
    values = data.draw(_quantities(QUANTITY_VALUES), label="state")
    action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b"}
    if value is not None:
        action["value"] = value
    view = world.views[where] if where else None
    request = world.app.signer.block_actions(
        user_id=user, team_id=team, actions=[action], view=view, values=values if view else None
    )
    _sent(world, request, [value, values])


@FUZZ
@given(data=st.data())
def test_view_submissions_with_tampered_metadata_never_break_anything(
    world: World,
    data: st.DataObject,
) -> None:
    """Any callback, any private_metadata, any typed quantities. Non-admins may submit
    what would be a valid booking or Kündigen; admins only what must not act."""
    user, team = data.draw(st.sampled_from(ADMINS + NOT_ADMINS), label="who")
    callback = data.draw(CALLBACKS, label="callback_id")
    metadata = data.draw(_metadata(world), label="private_metadata")
    if (user, team) in ADMINS:
        assume(not _would_act(world, callback, metadata))
    values = data.draw(_quantities(QUANTITY_VALUES), label="state")
    base = data.draw(st.sampled_from(["fresh", "withdraw", "modal", "overview"]), label="on")
    view = {**world.views[base], "callback_id": callback}
    if data.draw(st.booleans(), label="no previous view"):
        view["previous_view_id"] = None
    request = world.app.signer.view_submission(
        user_id=user, team_id=team, view=view, values=values, private_metadata=metadata
    )
    _sent(world, request, [metadata, values])


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _mutate(node: Any, path: tuple[Any, ...], how: str, new: Any) -> Any:
    """A copy of ``node`` with the value at ``path`` deleted, replaced or re-typed."""
    if not path:
        return new if how != "stringify" else json.dumps(node)
    head, rest = path[0], path[1:]
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    if not rest and how == "delete":
        del copy[head]
    elif not rest and how == "stringify":
        copy[head] = json.dumps(copy[head]) if not isinstance(copy[head], str) else 7
    else:
        copy[head] = _mutate(copy[head], rest, how, new)
    return copy


# Values a mutation may put anywhere: other workspaces, other (non-admin) users, numbers.
POOL: st.SearchStrategy[object] = st.sampled_from(
    [
        OTHER_TEAM,
        "T0UNKNOWN9",
        MEMBER,
        NOBODY,
        "",
        None,
        0,
        -1,
        2**64,
        10**30,
        True,
        [],
        {},
        "null",
        "{",
        "V0000000000",
    ]
)


@FUZZ
@given(data=st.data())
def test_mutated_slack_payloads_never_break_anything_nor_change_state(
    world: World,
    data: st.DataObject,
) -> None:
    """Real payloads with fields deleted, retyped or replaced (missing user, team as a
    number, actions as a string, a view without state, ...), signed as Slack would."""
    kind, content_type, payload = data.draw(st.sampled_from(world.bases), label="base")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = list(_paths(payload))[1:]
        top = [path for path in paths if len(path) == 1]  # team, user, view, actions, ...
        path = data.draw(st.sampled_from(top) | st.sampled_from(paths), label="path")
        how = data.draw(st.sampled_from(["delete", "replace", "replace", "stringify"]), label="how")
        new = data.draw(st.one_of(POOL, JSON_VALUES), label="new")
        payload = _mutate(payload, path, how, new)
    signer = world.app.signer
    if kind == "command":
        body = urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        )
    elif kind == "event":
        body = json.dumps(payload, ensure_ascii=False)
    else:
        body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    request = signer.sign(body, content_type, payload=payload)
    _sent(world, request, payload)


RAW_BODIES = st.one_of(
    st.text(max_size=200).map(lambda s: ("payload=" + quote(s), FORM)),
    JSON_VALUES.map(lambda v: ("payload=" + quote(json.dumps(v)), FORM)),
    st.text(max_size=200).map(lambda s: ("payload=" + s, FORM)),
    JSON_VALUES.map(lambda v: (json.dumps(v), JSON)),
    st.text(max_size=200).map(lambda s: ("{" + s, JSON)),
    st.dictionaries(
        st.sampled_from(
            [
                "payload",
                "command",
                "team_id",
                "user_id",
                "text",
                "trigger_id",
                "type",
                "ssl_check",
                "token",
            ]
        ),
        st.text(max_size=30),
        max_size=6,
    ).map(lambda d: (urlencode(d), FORM)),
    st.text(max_size=200).map(lambda s: (s, FORM)),
)


@FUZZ
@given(raw=RAW_BODIES)
def test_bodies_that_are_not_what_slack_sends_are_refused_without_a_5xx(
    world: World,
    raw: tuple[str, str],
) -> None:
    """Signed (so past the signature check), but malformed JSON in payload=, JSON that is
    no object, a form body announced as JSON, random fields: a 4xx or a polite answer."""
    body, content_type = raw
    _sent(world, world.app.signer.sign(body, content_type), body)


def test_a_confirmation_tampered_with_a_huge_add_on_id_is_refused_as_no_longer_valid(
    world: World,
) -> None:
    """Found by the fuzzer: an id past SQLite's 64-bit integers is a tampered view like
    any other ("nicht mehr gültig"), not an unexpected failure that asks to try again."""
    invalid = t("de", "error.invalid_view")
    for addon_id in (2**63, 2**64, 10**30):
        metadata = json.dumps({"addon_id": addon_id, "outcome": "withdrawal"})
        request = world.app.signer.view_submission(
            user_id=ADMIN, view=world.views["withdraw"], private_metadata=metadata
        )
        exchange = _check(world, request, metadata)
        body = exchange.answer.json()
        assert body["response_action"] == "update", body
        assert texts(body["view"]["blocks"]) == [invalid], addon_id
