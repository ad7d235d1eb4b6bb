"""The user's moves in Slack, as Slack makes them: slash commands, App Home, buttons,
inputs, submitting and closing modals, and what Slack does with the app's answers."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.response import BoltResponse

from bot.entrypoints.console.render import Target, input_value, required_text, text_of
from bot.entrypoints.console.state import CHANNEL, TEAM, Session
from bot.entrypoints.console.step import dispatch, step
from bot.slack_fake import Posted, Surface, dm_channel
from handlers.commands import COMMAND


def close_modals(s: Session) -> None:
    """Typing elsewhere in Slack first closes an open modal (Esc)."""
    if s.standin.top(s.user) is not None:
        s.standin.clear(s.user)


async def slash(s: Session, text: str) -> None:
    """``/addons …`` typed in the channel; a synchronous answer shows as ephemeral."""
    command, _, rest = text.partition(" ")
    close_modals(s)
    s.place = "channel"
    if command != COMMAND:
        # Slack sends the app only the commands its manifest declares; anything else Slack
        # answers itself, so it never reaches the app (nor Bolt's hints for developers).
        s.screen.say(
            f"{command} is not a valid command. In Slack, all messages that "
            'start with "/" are interpreted as commands.'
        )
        s.screen.note(f"this app's command is {COMMAND}; :help lists what the console knows")
        return
    user = s.me
    signed = s.requests.slash_command(
        user_id=user.id,
        user_name=user.name,
        command=command,
        text=rest.strip(),
        channel_id=CHANNEL[0],
        channel_name=CHANNEL[1],
        response_url=s.standin.response_url(user.id, CHANNEL[0]),
        trigger_id=s.standin.trigger(user.id),
    )
    response = await dispatch(s, signed)
    if response.status == 200 and response.body:
        s.standin.posted.append(
            Posted("ephemeral", user.id, CHANNEL[0], _message_body(response.body))
        )


async def home(s: Session) -> None:
    """Open the app's Home tab."""
    close_modals(s)
    s.place = "home"
    current = s.standin.home(s.user)
    signed = s.requests.app_home_opened(
        user_id=s.user, channel=dm_channel(s.user), view=current.full(TEAM) if current else None
    )
    await dispatch(s, signed)


async def press(s: Session, number: int, value: str | None) -> None:
    """``[number]`` on the view in front: fill an input, press a button, submit or close."""
    focus = s.focus()
    target = s.targets.get(number)
    if focus is None or target is None:
        where = "this view" if focus is not None else "the screen"
        s.screen.note(f"there is no [{number}] on {where}; type /addons or :home to open something")
        return
    if target.kind == "input":
        _fill(s, focus, target, value)
    elif target.kind == "button":
        if not _confirmed(s, target):
            return
        await step(s, lambda: _click(s, focus, target))
    elif target.kind == "submit":
        await step(s, lambda: _submit(s, focus))
    else:
        await step(s, lambda: _close(s, focus))


def _fill(s: Session, surface: Surface, target: Target, value: str | None) -> None:
    block = next(b for b in surface.view.get("blocks", []) if b.get("block_id") == target.block_id)
    if value is None:
        current = input_value(block, surface.values) or ""
        value = s.ask(f"{target.label} [{current}]: ")
        if value is None:
            return
        value = value.strip() or current
    surface.values[(target.block_id, target.action_id)] = value.strip() or None
    surface.errors.pop(target.block_id, None)
    s.screen.say(f"{target.label}: {value.strip() or '___'}")


def _confirmed(s: Session, target: Target) -> bool:
    """A button with a confirm dialog asks first, as Slack does."""
    confirm = target.element.get("confirm")
    if not isinstance(confirm, dict):
        return True
    yes = text_of(confirm.get("confirm")) or "Yes"
    no = text_of(confirm.get("deny")) or "Cancel"
    s.screen.say(
        f"┌─ {text_of(confirm.get('title'))}",
        f"│ {text_of(confirm.get('text'), s.screen.style)}",
    )
    answer = s.ask(f"└─ {yes} (y) / {no} (n)? ")
    return (answer or "").strip().lower() in ("y", "yes", "j", "ja", yes.lower())


async def _click(s: Session, surface: Surface, target: Target) -> None:
    element = target.element
    action: dict[str, Any] = {
        "type": element.get("type", "button"),
        "action_id": target.action_id,
        "block_id": target.block_id,
        "text": element.get("text"),
        "value": element.get("value"),
    }
    if element.get("style"):
        action["style"] = element["style"]
    if element.get("url"):
        s.screen.note(f"opens {element['url']} in the browser")
    signed = s.requests.block_actions(
        user_id=s.user,
        user_name=s.me.name,
        view=surface.full(TEAM),
        action=action,
        trigger_id=s.standin.trigger(s.user, surface.id),
    )
    await dispatch(s, signed)


async def _submit(s: Session, surface: Surface) -> None:
    missing = {}
    for block in surface.view.get("blocks", []):
        if (
            block.get("type") == "input"
            and not block.get("optional")
            and input_value(block, surface.values) in (None, "")
        ):
            missing[str(block.get("block_id", ""))] = required_text(s.lang)
    if missing:  # Slack's client refuses to submit; the app never hears of it
        surface.errors = missing
        return
    surface.errors = {}
    signed = s.requests.view_submission(
        user_id=s.user,
        user_name=s.me.name,
        view=surface.full(TEAM),
        trigger_id=s.standin.trigger(s.user, surface.id),
    )
    response = await dispatch(s, signed)
    _apply_submission(s, surface, response)


def _apply_submission(s: Session, surface: Surface, response: BoltResponse) -> None:
    """What Slack does with the app's answer to a view_submission."""
    if response.status != 200:
        s.screen.note("Slack would show: We had some trouble connecting. Try again?")
        return
    body = (response.body or "").strip()
    if not body:
        s.standin.close(s.user, surface.id)  # an empty ack closes the view
        return
    try:
        answer = json.loads(body)
    except ValueError:
        s.screen.note(f"Slack cannot read the app's answer: {body[:200]}")
        return
    action = answer.get("response_action")
    view = answer.get("view")
    if action == "errors":
        surface.errors = {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
    elif action == "update" and isinstance(view, dict):
        surface.replace(view)
    elif action == "push" and isinstance(view, dict):
        if s.standin.push(s.user, view) is None:
            s.screen.note("Slack would refuse the push: at most 3 views in a stack")
    elif action == "clear":
        s.standin.clear(s.user)
    else:
        s.screen.note(f"Slack would not understand response_action {action!r}")


async def _close(s: Session, surface: Surface) -> None:
    cleared = bool(surface.view.get("clear_on_close"))
    if surface.view.get("notify_on_close"):
        await dispatch(
            s,
            s.requests.view_closed(
                user_id=s.user, user_name=s.me.name, view=surface.full(TEAM), cleared=cleared
            ),
        )
    if cleared:
        s.standin.clear(s.user)
    else:
        s.standin.close(s.user, surface.id)


def _message_body(body: str) -> dict[str, Any]:
    """A synchronous answer to a slash command: JSON (text, blocks) or plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": body}
    return data if isinstance(data, dict) else {"text": body}
