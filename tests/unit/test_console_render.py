"""The console's drawing of Block Kit and its stand-in's view stack, without I/O."""

from __future__ import annotations

from typing import Any

from bot.entrypoints.console.render import draw_message, draw_view, mrkdwn
from bot.slack_fake import ConsoleUser, SlackStandIn


def _row(block_id: str, option: str, status: str, button: dict[str, Any] | None) -> dict[str, Any]:
    fields = [("OPTION", option), ("PREIS", "11,80 €"), ("STATUS / AKTION", status)]
    block: dict[str, Any] = {
        "type": "section",
        "block_id": block_id,
        "fields": [{"type": "mrkdwn", "text": f"*{title}*\n{value}"} for title, value in fields],
    }
    if button:
        block["accessory"] = button
    return block


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


MODAL: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Zusatzoptionen"},
    "submit": {"type": "plain_text", "text": "Fertig"},
    "close": {"type": "plain_text", "text": "Schließen"},
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Ihre Zusatzoptionen"}},
        {
            "type": "input",
            "block_id": "qty_users",
            "optional": True,
            "label": {"type": "plain_text", "text": "Anzahl"},
            "element": {
                "type": "number_input",
                "action_id": "qty",
                "initial_value": "1",
                "is_decimal_allowed": False,
            },
        },
        _row(
            "addon_2",
            "Zusätzliche Benutzer (+2)",
            "Aktiv",
            _button("Kündigen", "addon_cancel", "2", "danger"),
        ),
        _row("addon_1", "Erweiterter Speicherplatz (+10 GB)", "Beendet am 17.05.2026", None),
    ],
}


def test_rows_of_titled_fields_become_one_table_with_the_red_button_numbered() -> None:
    drawn = draw_view(MODAL, lang="de")
    text = "\n".join(drawn.lines)
    assert "│ OPTION                              PREIS    STATUS / AKTION" in text
    assert "│ Zusätzliche Benutzer (+2)           11,80 €  Aktiv" in text
    assert "[2] Kündigen (rot)" in text
    assert "│ Erweiterter Speicherplatz (+10 GB)  11,80 €  Beendet am 17.05.2026" in text
    assert drawn.targets[2].action_id == "addon_cancel"
    assert drawn.targets[2].element["value"] == "2"


def test_inputs_submit_and_close_are_numbered_in_reading_order() -> None:
    drawn = draw_view(
        MODAL,
        lang="en",
        values={("qty_users", "qty"): "3"},
        errors={"qty_users": "At most 1,000 at a time."},
    )
    text = "\n".join(drawn.lines)
    assert "[1] Anzahl (optional): 3" in text
    assert "⚠ At most 1,000 at a time." in text
    assert "[2] Kündigen (red)" in text
    assert drawn.lines[-1] == "└─ [3] Fertig   [4] Schließen"
    assert [t.kind for t in drawn.targets.values()] == ["input", "button", "submit", "close"]


def test_mrkdwn_loses_its_marks_but_keeps_its_words() -> None:
    assert mrkdwn("*Summe: 5,90 €*") == "Summe: 5,90 €"
    assert mrkdwn("`/addons buchen &lt;Option&gt;` :warning:") == "`/addons buchen <Option>` ⚠"
    assert mrkdwn("<https://example.com|Hilfe> für <@U1>") == "Hilfe (https://example.com) für @U1"


def test_a_message_shows_its_blocks_or_else_its_text() -> None:
    assert draw_message({"text": "nur *Text*"}, lang="de") == ["  nur Text"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "aus *Blöcken*"}}]
    assert draw_message({"text": "fallback", "blocks": blocks}, lang="de") == ["  aus Blöcken"]


def test_the_stand_in_keeps_typed_values_across_an_update_and_closes_back_to_below() -> None:
    standin = SlackStandIn("T0DEMO", [ConsoleUser("U1", "anna.admin", True)], "xoxb-test")
    overview = standin.open("U1", dict(MODAL))
    overview.values[("qty_users", "qty")] = "2"
    confirmation = standin.push("U1", {"type": "modal", "blocks": []})
    assert confirmation is not None
    assert confirmation.full("T0DEMO")["previous_view_id"] == overview.id
    overview.replace(dict(MODAL))
    assert overview.state_values() == {"qty_users": {"qty": {"type": "number_input", "value": "2"}}}
    assert overview.hash.endswith(".2")
    standin.close("U1", confirmation.id)
    assert standin.top("U1") is overview
    assert standin.push("U1", {"type": "modal"})
    assert standin.push("U1", {"type": "modal"})
    assert standin.push("U1", {"type": "modal"}) is None  # Slack stacks three at most
