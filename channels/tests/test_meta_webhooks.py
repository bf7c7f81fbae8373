"""Meta webhook parsing, with payloads shaped as Meta documents them (channels/tests/fixtures):
Messenger messages and echoes, Instagram comments and messages, the page's own activity."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.connectors.base import PayloadError
from channels.connectors.meta import parse
from channels.connectors.meta.messaging import conversation_key, is_message_id, window_closes
from channels.models import Channel

FIXTURES = Path(__file__).parent / "fixtures"


def payload(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def channel(handle: str = "", platform: str = "facebook") -> Channel:
    return Channel(platform=platform, handle=handle)


def test_a_messenger_message_is_a_direct_message_and_its_echo_is_our_own() -> None:
    message, echo = parse(payload("meta_messenger_message.json"), channel())
    assert (message.kind, message.own, message.author_handle) == (
        "direct_message",
        False,
        "6543210987654321",
    )
    assert message.external_id == "m_1457764197618:41d102a3e1ae206a38"
    assert message.occurred_at == datetime(2025, 11, 25, 8, 0, tzinfo=UTC)  # milliseconds
    assert message.parent_external_id == conversation_key("6543210987654321")
    assert (echo.own, echo.parent_external_id) == (True, message.parent_external_id)


def test_instagram_comments_are_kept_and_the_accounts_own_reply_is_marked() -> None:
    comment, own_reply = parse(payload("meta_instagram_comments.json"), channel("@selor_be"))
    assert (comment.kind, comment.own, comment.author_name) == ("comment", False, "@jan.peeters")
    assert comment.parent_external_id == "17901234567890123"  # the media
    assert comment.author_url == "https://www.instagram.com/jan.peeters/"
    assert (own_reply.kind, own_reply.own) == ("reply", True)
    assert own_reply.parent_external_id == comment.external_id


def test_an_instagram_username_equal_to_the_handle_is_our_own() -> None:
    body = payload("meta_instagram_comments.json")
    body["entry"][0]["changes"][1]["value"]["from"]["id"] = "555"  # an app-scoped id
    own_reply = parse(body, channel("@selor_be"))[1]
    assert own_reply.own


def test_instagram_messages_and_their_echoes() -> None:
    message, echo = parse(payload("meta_instagram_message.json"), channel(platform="instagram"))
    assert (message.kind, message.own, echo.own) == ("direct_message", False, True)
    assert echo.parent_external_id == conversation_key("998877665544332")


def test_the_pages_own_comment_is_marked_by_the_entry_id_or_the_channels_page_id() -> None:
    (own,) = parse(payload("meta_page_own_comment.json"), channel())
    assert (own.own, own.kind, own.parent_external_id) == (True, "reply", "998877_112233")
    body = payload("meta_page_own_comment.json")
    body["entry"][0]["id"] = "1"
    assert parse(body, channel("104017331234567"))[0].own
    assert not parse(body, channel("42"))[0].own


def test_a_visitors_comment_is_not_our_own() -> None:
    (event,) = parse(payload_text("meta_comment_add.json"), channel("104017331234567"))
    assert not event.own


def payload_text(name: str) -> object:
    return json.loads((FIXTURES / name).read_bytes().strip())


def test_a_message_without_its_mid_is_refused() -> None:
    body = payload("meta_messenger_message.json")
    del body["entry"][0]["messaging"][0]["message"]["mid"]
    with pytest.raises(PayloadError, match="mid"):
        parse(body, channel())


def test_an_attachment_without_text_says_what_it_carried() -> None:
    body = payload("meta_messenger_message.json")
    body["entry"][0]["messaging"][0]["message"] = {
        "mid": "m_2",
        "attachments": [{"type": "image", "payload": {"url": "https://example.test/a.jpg"}}],
    }
    assert parse(body, channel())[0].text == "[image]"


def test_message_ids_are_told_from_comment_ids() -> None:
    assert is_message_id("m_1457764197618:41d102a3e1ae206a38")
    assert is_message_id("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx")
    assert not is_message_id("998877_112233")
    assert not is_message_id("17865799348089039")


def test_the_window_closes_24_hours_after_the_last_message() -> None:
    last = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert window_closes(last) == datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
