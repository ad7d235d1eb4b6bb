"""What the listeners read back from Slack: view metadata, button values, quantities."""

from __future__ import annotations

import uuid

import pytest

from domain.addons import Outcome
from handlers import requests
from handlers.requests import BookingRequest, CancellationRequest, MetadataError, QuantityInputError
from tests.unit.blocks.samples import LANGS, NONCE


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "[]",
        '"users"',
        '{"option":"users","quantity":1}',
        '{"option":"users","quantity":1,"nonce":"' + NONCE + '","extra":1}',
        '{"option":"users","quantity":0,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":true,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":"3","nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":1.5,"nonce":"' + NONCE + '"}',
        '{"option":"users","quantity":1,"nonce":"abc"}',
        '{"option":"Users!","quantity":1,"nonce":"' + NONCE + '"}',
        '{"option":7,"quantity":1,"nonce":"' + NONCE + '"}',
        "x" * 3001,
    ],
)
def test_malformed_booking_metadata_is_refused(raw: object) -> None:
    with pytest.raises(MetadataError):
        requests.parse_booking_metadata(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "{}",
        '{"addon_id":7}',
        '{"addon_id":"7","outcome":"cancellation"}',
        '{"addon_id":0,"outcome":"cancellation"}',
        '{"addon_id":7,"outcome":"refund"}',
        '{"addon_id":7,"outcome":"cancellation","x":null}',
    ],
)
def test_malformed_cancellation_metadata_is_refused(raw: str) -> None:
    with pytest.raises(MetadataError):
        requests.parse_cancellation_metadata(raw)


def test_metadata_round_trips() -> None:
    request = BookingRequest("users", 1000, NONCE)
    assert requests.parse_booking_metadata(request.to_metadata()) == request
    cancel = CancellationRequest(12345, Outcome.WITHDRAWAL)
    assert requests.parse_cancellation_metadata(cancel.to_metadata()) == cancel


@pytest.mark.parametrize(("value", "expected"), [("7", 7), (" 42 ", 42)])
def test_addon_ids_from_buttons_and_text(value: str, expected: int) -> None:
    assert requests.parse_addon_id(value) == expected


@pytest.mark.parametrize("value", ["", "0", "-1", "abc", "1.5", None, "9" * 30])
def test_bad_addon_ids_are_refused(value: object) -> None:
    with pytest.raises(MetadataError):
        requests.parse_addon_id(value)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), (" 3 ", 3), ("1000", 1000), ("+5", 5), ("007", 7)]
)
def test_good_quantities(raw: str, expected: int) -> None:
    assert requests.parse_quantity(raw, 1000) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  ", "empty"),
        ("0", "zero"),
        ("-0", "zero"),
        ("-3", "negative"),
        ("−3", "negative"),
        ("2.5", "decimal"),
        ("2,5", "decimal"),
        ("3.0", "decimal"),
        ("1001", "too_large"),
        ("9" * 25, "too_large"),
        ("abc", "not_a_number"),
        ("3 GB", "not_a_number"),
        ("1e3", "not_a_number"),
    ],
)
def test_bad_quantities_name_their_problem(raw: object, reason: str) -> None:
    with pytest.raises(QuantityInputError) as caught:
        requests.parse_quantity(raw, 1000)
    assert caught.value.reason == reason


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "reason", ["empty", "not_a_number", "zero", "negative", "decimal", "too_large"]
)
def test_every_quantity_problem_has_an_inline_text(reason: str, lang: str) -> None:
    text = QuantityInputError(reason, 1000).text(lang)
    assert text
    assert "{" not in text


def test_quantity_errors_are_keyed_by_the_input_block() -> None:
    error = QuantityInputError("too_large", 1000)
    assert requests.quantity_errors("users", error, "de") == {
        "qty_users": "Höchstens 1.000 auf einmal."
    }


def test_quantity_is_read_from_the_view_state() -> None:
    state = {
        "qty_users": {"qty": {"type": "number_input", "value": "3"}},
        "qty_storage": {"qty": {"type": "number_input", "value": None}},
    }
    assert requests.quantity_from_state(state, "users") == "3"
    assert requests.quantity_from_state(state, "storage") is None
    assert requests.quantity_from_state({}, "users") is None


def test_a_fresh_nonce_is_a_uuid() -> None:
    assert uuid.UUID(requests.new_nonce())
    assert requests.new_nonce() != requests.new_nonce()
