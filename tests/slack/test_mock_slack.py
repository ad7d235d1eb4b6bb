"""The test harness itself: the mock Slack Web API and the signed requests.

The last tests run a tiny Bolt app over real HTTP against the mock, the way the tests of
the /addons handlers do, so a broken harness shows up here and not as a puzzling failure
elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack_fake import ConsoleUser, SlackStandIn, dm_channel
from bot.slack_fake.drawn import find_button, state_values
from bot.slack_fake.signing import SlackSigner, signature
from domain.catalog import Catalog
from handlers import blocks
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MEMBER_EN, OTHER_TEAM, OUTSIDER, MockSlack

SECRET = "harness-signing-secret"


# -- the mock Web API -----------------------------------------------------------------


async def test_users_info_answers_and_is_recorded(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    answer = await slack_client.users_info(user=ADMIN, include_locale=True)
    assert answer["user"]["is_admin"] is True
    assert answer["user"]["locale"] == "de-DE"
    [call] = slack_mock.calls_to("users.info")
    assert call.params["user"] == ADMIN
    assert call.params["include_locale"] in ("1", "true", True)
    assert call.token == BOT_TOKEN
    assert call.http_method == "GET"


async def test_users_info_gives_the_locale_only_when_asked(slack_client: AsyncWebClient) -> None:
    answer = await slack_client.users_info(user=MEMBER_EN)
    assert "locale" not in answer["user"]
    assert answer["user"]["is_admin"] is False


async def test_users_info_tells_the_team_of_a_foreign_user(slack_client: AsyncWebClient) -> None:
    answer = await slack_client.users_info(user=OUTSIDER, include_locale=True)
    assert answer["user"]["team_id"] == OTHER_TEAM


async def test_unknown_user(slack_client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await slack_client.users_info(user="U0NOBODY")
    assert caught.value.response["error"] == "user_not_found"


async def test_a_wrong_token_is_refused(slack_mock: MockSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=slack_mock.url)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    assert caught.value.response["error"] == "invalid_auth"
    assert slack_mock.calls_to("auth.test")[0].status == 200


async def test_auth_test(slack_client: AsyncWebClient) -> None:
    answer = await slack_client.auth_test()
    assert answer["ok"]
    assert answer["bot_id"]
    assert answer["user_id"]


async def test_views_open_returns_the_view_with_an_id_and_records_it(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    answer = await slack_client.views_open(trigger_id="1.2.3", view=blocks.loading_view("de"))
    view = answer["view"]
    assert view["id"].startswith("V")
    assert view["callback_id"] == blocks.CALLBACK_OVERVIEW
    assert view["hash"]
    assert view["root_view_id"] == view["id"]
    assert slack_mock.views[view["id"]] == view
    [call] = slack_mock.calls_to("views.open")
    assert call.params["trigger_id"] == "1.2.3"
    assert call.params["view"]["title"]["text"] == "Zusatzoptionen"
    assert slack_mock.last_view()["blocks"][0]["block_id"] == "loading"


async def test_views_update_checks_the_hash(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    opened = (await slack_client.views_open(trigger_id="t", view=blocks.loading_view("de")))["view"]
    notice = blocks.notice_view("de", "fertig")
    updated = (
        await slack_client.views_update(view_id=opened["id"], hash=opened["hash"], view=notice)
    )["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert slack_mock.views[opened["id"]]["blocks"][0]["text"]["text"] == "fertig"
    with pytest.raises(SlackApiError) as caught:
        await slack_client.views_update(view_id=opened["id"], hash=opened["hash"], view=notice)
    assert caught.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as caught:
        await slack_client.views_update(view_id="V0NOTHERE", view=notice)
    assert caught.value.response["error"] == "not_found"


async def test_views_push_stacks_on_the_open_modal(slack_client: AsyncWebClient) -> None:
    root = await slack_client.views_open(trigger_id="t1", view=blocks.loading_view("en"))
    pushed = await slack_client.views_push(trigger_id="t2", view=blocks.notice_view("en", "x"))
    assert pushed["view"]["previous_view_id"] == root["view"]["id"]
    assert pushed["view"]["root_view_id"] == root["view"]["id"]


async def test_views_push_stacks_on_the_view_the_trigger_came_from(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    root = await slack_client.views_open(trigger_id="t1", view=blocks.loading_view("en"))
    await slack_client.views_push(trigger_id="t2", view=blocks.notice_view("en", "closed"))
    slack_mock.trigger_views["t3"] = root["view"]["id"]  # a button in the root was pressed
    pushed = await slack_client.views_push(trigger_id="t3", view=blocks.notice_view("en", "x"))
    assert pushed["view"]["previous_view_id"] == root["view"]["id"]


async def test_an_expired_trigger_is_refused(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    slack_mock.expired_triggers.add("old")
    with pytest.raises(SlackApiError) as caught:
        await slack_client.views_open(trigger_id="old", view=blocks.loading_view("de"))
    assert caught.value.response["error"] == "expired_trigger_id"


async def test_views_publish_keeps_one_home_per_user(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    first = await slack_client.views_publish(user_id=ADMIN, view=blocks.home_non_admin_view("de"))
    second = await slack_client.views_publish(user_id=ADMIN, view=blocks.home_non_admin_view("en"))
    assert first["view"]["id"] == second["view"]["id"]
    assert slack_mock.home[ADMIN]["type"] == "home"
    assert slack_mock.home[ADMIN]["blocks"][0]["text"]["text"] == "Add-ons"


async def test_messages_and_conversations(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    message = blocks.help_message("de", Catalog())
    await slack_client.chat_postEphemeral(channel="C1", user=ADMIN, **message)
    posted = await slack_client.chat_postMessage(channel="C1", text="hallo")
    dm = await slack_client.conversations_open(users=ADMIN)
    assert posted["ts"]
    assert dm["channel"]["id"].startswith("D")
    [ephemeral] = slack_mock.calls_to("chat.postEphemeral")
    assert ephemeral.params["user"] == ADMIN
    assert ephemeral.params["blocks"][0]["block_id"] == "help"
    assert slack_mock.methods() == ["chat.postEphemeral", "chat.postMessage", "conversations.open"]


async def test_scripted_server_errors_and_rate_limits(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    slack_mock.fail("users.info", status=500, times=2)
    slack_mock.rate_limit("views.open", retry_after=7)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await slack_client.users_info(user=ADMIN)
        assert caught.value.response.status_code == 500
    assert (await slack_client.users_info(user=ADMIN))["ok"]
    with pytest.raises(SlackApiError) as caught:
        await slack_client.views_open(trigger_id="t", view=blocks.loading_view("de"))
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["retry-after"] == "7"
    assert [c.status for c in slack_mock.calls_to("users.info")] == [500, 500, 200]


async def test_a_scripted_ok_false_answer(
    slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    slack_mock.fail("views.publish", status=200, error="not_enabled")
    with pytest.raises(SlackApiError) as caught:
        await slack_client.views_publish(user_id=ADMIN, view=blocks.home_non_admin_view("de"))
    assert caught.value.response["error"] == "not_enabled"


async def test_response_urls_record_what_is_posted(slack_mock: MockSlack) -> None:
    url = slack_mock.new_response_url()
    answer = await AsyncWebhookClient(url).send(text="hallo", response_type="ephemeral")
    assert answer.status_code == 200
    assert slack_mock.response_posts() == [{"text": "hallo", "response_type": "ephemeral"}]
    assert list(slack_mock.responses[url.rsplit("/", 1)[1]]) == [
        {"text": "hallo", "response_type": "ephemeral"}
    ]


async def test_form_and_query_bodies_are_understood(slack_mock: MockSlack) -> None:
    view = json.dumps({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []})
    async with aiohttp.ClientSession() as session:
        async with session.post(
            slack_mock.url + "views.open",
            data={"token": BOT_TOKEN, "trigger_id": "t", "view": view},
        ) as r:
            assert (await r.json())["ok"] is True
        async with session.get(
            slack_mock.url + "users.info",
            params={"user": ADMIN, "include_locale": "true"},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        ) as r:
            assert (await r.json())["user"]["locale"] == "de-DE"
    assert slack_mock.calls_to("views.open")[0].params["view"]["title"]["text"] == "T"


async def test_wait_for_reports_what_was_called(slack_mock: MockSlack) -> None:
    with pytest.raises(TimeoutError, match=r"views\.open called 0 times"):
        await slack_mock.wait_for("views.open", timeout=0.05)


# -- the console's flavour: strict, as Slack is -----------------------------------------


async def test_the_strict_fake_accepts_only_its_own_token_triggers_and_response_urls() -> None:
    users = [ConsoleUser("U0ANNA0001", "anna.admin", True), ConsoleUser("U0MAX00001", "max", False)]
    async with SlackStandIn("T0DEMO", users, "xoxb-console") as fake:
        client = AsyncWebClient(token="xoxb-console", base_url=fake.url)
        with pytest.raises(SlackApiError) as caught:
            await client.views_open(trigger_id="1.2.3", view=blocks.loading_view("de"))
        assert caught.value.response["error"] == "invalid_trigger_id"
        assert fake.notes == ["Slack would refuse views.open: invalid_trigger_id"]
        opened = await client.views_open(
            trigger_id=fake.trigger("U0ANNA0001"), view=blocks.loading_view("de")
        )
        assert fake.top("U0ANNA0001") is fake.surfaces[opened["view"]["id"]]
        assert fake.top("U0MAX00001") is None
        wrong = AsyncWebClient(token="xoxb-other", base_url=fake.url)
        with pytest.raises(SlackApiError) as caught:
            await wrong.auth_test()
        assert caught.value.response["error"] == "invalid_auth"
        async with aiohttp.ClientSession() as session:
            made = fake.response_url("U0MAX00001", "C0GENERAL1")
            async with session.post(made, json={"text": "hallo"}) as answer:
                assert answer.status == 200
            async with session.post(f"{fake.base}/response/R999999", json={}) as answer:
                assert answer.status == 404
        assert fake.posted[-1].user == "U0MAX00001"
        assert fake.posted[-1].kind == "ephemeral"
        assert fake.posted[-1].message["text"] == "hallo"


async def test_a_direct_message_goes_to_the_users_dm_channel(slack_mock: MockSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=slack_mock.url)
    dm = await client.conversations_open(users=ADMIN)
    posted = await client.chat_postMessage(channel=ADMIN, text="Rechnung")
    assert posted["channel"] == dm["channel"]["id"] == dm_channel(ADMIN)
    assert slack_mock.posted[-1].kind == "dm"
    assert slack_mock.posted[-1].user == ADMIN
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="U0NOBODY", text="?")
    assert caught.value.response["error"] == "channel_not_found"


# -- signed requests ------------------------------------------------------------------


def test_signatures_are_the_ones_slack_sdk_verifies() -> None:
    signer = SlackSigner(SECRET)
    request = signer.slash_command(user_id=ADMIN, text="liste")
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(request.body, request.headers)
    assert not verifier.is_valid_request(request.forged().body, request.forged().headers)
    other = request.resigned("another-secret")
    assert not verifier.is_valid_request(other.body, other.headers)
    stale = signer.slash_command(user_id=ADMIN, text="liste", timestamp=signer.stale())
    assert not verifier.is_valid_request(stale.body, stale.headers)
    assert request.headers["X-Slack-Signature"] == signature(
        SECRET, request.headers["X-Slack-Request-Timestamp"], request.body
    )


def test_a_slash_command_is_form_encoded_like_slacks() -> None:
    request = SlackSigner(SECRET).slash_command(user_id=ADMIN, text="buchen users 3")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "command=%2Faddons" in request.body
    assert "text=buchen+users+3" in request.body
    assert request.payload["trigger_id"]
    assert request.payload["response_url"]


def test_an_interaction_is_one_payload_field() -> None:
    view = {
        "id": "V1",
        "hash": "h",
        "type": "modal",
        "callback_id": "c",
        "private_metadata": "{}",
        "blocks": blocks.booking_modal(Catalog()["users"], "de")["blocks"],
    }
    request = SlackSigner(SECRET).view_submission(
        user_id=ADMIN, view=view, values=state_values(view, {"qty_users": "3"})
    )
    assert request.body.startswith("payload=")
    assert request.payload["view"]["state"]["values"] == {
        "qty_users": {"qty": {"type": "number_input", "value": "3"}}
    }


def test_state_values_refuse_inputs_the_view_does_not_have() -> None:
    with pytest.raises(KeyError):
        state_values({"blocks": []}, {"qty_users": "3"})


def test_find_button_only_finds_drawn_buttons() -> None:
    view = {
        "blocks": [
            {
                "type": "section",
                "block_id": "addon_7",
                "accessory": {"type": "button", "action_id": "addon_cancel", "value": "7"},
            }
        ]
    }
    assert find_button(view, "addon_cancel", "7")[0] == "addon_7"
    with pytest.raises(LookupError):
        find_button(view, "addon_cancel", "8")


# -- a tiny Bolt app over real HTTP against the mock ----------------------------------


@pytest_asyncio.fixture
async def tiny_app(slack_mock: MockSlack) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A Bolt app on 127.0.0.1:<free port> using the mock as its Web API."""
    seen: dict[str, Any] = {}
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=slack_mock.url), signing_secret=SECRET
    )

    @app.command("/addons")
    async def command(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=blocks.loading_view("de"))

    @app.view(blocks.CALLBACK_BOOK)
    async def submit(ack: Any, view: dict[str, Any]) -> None:
        seen["values"] = view["state"]["values"]
        await ack(response_action="errors", errors={"qty_users": "zu viel"})

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view=blocks.home_non_admin_view("de"))

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events", seen
    finally:
        await runner.cleanup()


async def post(url: str, request: Any) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=request.data, headers=request.headers) as response,
    ):
        return response.status, await response.text()


async def test_a_signed_command_reaches_bolt_which_opens_a_view(
    tiny_app: tuple[str, dict[str, Any]], slack_mock: MockSlack
) -> None:
    url, _ = tiny_app
    signer = SlackSigner(SECRET, response_urls=slack_mock.new_response_url)
    request = signer.slash_command(user_id=ADMIN)
    status, _ = await post(url, request)
    assert status == 200
    [call] = await slack_mock.wait_for("views.open")
    assert call.params["trigger_id"] == request.payload["trigger_id"]


@pytest.mark.parametrize("how", ["forged", "stale", "other_secret"])
async def test_bolt_refuses_bad_signatures_and_calls_nothing(
    tiny_app: tuple[str, dict[str, Any]], slack_mock: MockSlack, how: str
) -> None:
    url, _ = tiny_app
    signer = SlackSigner(SECRET)
    request = {
        "forged": lambda: signer.slash_command(user_id=ADMIN).forged(),
        "stale": lambda: signer.slash_command(user_id=ADMIN, timestamp=signer.stale()),
        "other_secret": lambda: signer.slash_command(user_id=ADMIN).resigned("nope"),
    }[how]()
    status, _ = await post(url, request)
    assert status == 401
    assert slack_mock.calls == []


async def test_a_view_submission_carries_state_and_gets_inline_errors(
    tiny_app: tuple[str, dict[str, Any]], slack_mock: MockSlack, slack_client: AsyncWebClient
) -> None:
    url, seen = tiny_app
    modal = blocks.booking_modal(Catalog()["users"], "de")
    opened = (await slack_client.views_open(trigger_id="t", view=modal))["view"]
    request = SlackSigner(SECRET).view_submission(
        user_id=ADMIN, view=opened, values=state_values(opened, {"qty_users": "5000"})
    )
    status, text = await post(url, request)
    assert status == 200
    assert json.loads(text) == {"response_action": "errors", "errors": {"qty_users": "zu viel"}}
    assert seen["values"]["qty_users"]["qty"]["value"] == "5000"


async def test_an_app_home_event_is_signed_json(
    tiny_app: tuple[str, dict[str, Any]], slack_mock: MockSlack
) -> None:
    url, _ = tiny_app
    status, _ = await post(url, SlackSigner(SECRET).app_home_opened(user_id=ADMIN))
    assert status == 200
    [call] = await slack_mock.wait_for("views.publish")
    assert call.params["user_id"] == ADMIN
