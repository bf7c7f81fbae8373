"""Webhooks fuzzed: whatever headers, parameters and body anyone sends, never a 5xx.

Each test draws from one mixed strategy (printable, non-ASCII, huge numbers, NUL, the right
value) and goes through the test client, so every middleware is exercised; an exception in a
view would raise here. The examples are many but cheap: unauthenticated junk is refused before
the database (the channel lookup is cached), and only the signed cases store rows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Channel, InboundDelivery
from channels.tests.factories import TEST_SECRET, TEST_VERIFY_TOKEN, ChannelFactory

pytestmark = pytest.mark.django_db


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
JUNK = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(min_codepoint=0x80, max_codepoint=0x2FFF), max_size=40),
    st.integers().map(str),
    st.integers(min_value=10**20, max_value=10**400).map(str),
    st.text(alphabet="0123456789", min_size=0, max_size=500),
    st.just("\x00"),
)
SIGNATURE = st.one_of(JUNK, JUNK.map(lambda text: "sha256=" + text))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
BODY = st.one_of(
    st.binary(max_size=600),
    JSON.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(["object", "entry", "items"]), JSON, max_size=3).map(
        lambda value: json.dumps(value).encode()
    ),
)


@pytest.fixture(autouse=True)
def _quiet_logs() -> Iterator[None]:
    """Thousands of refusals each log a warning; formatting them would cost more than the rest."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def channel(defence) -> Channel:
    return ChannelFactory(institution=defence)


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(TEST_SECRET.encode(), body, hashlib.sha256).hexdigest()


def assert_answered(response, allowed: set[int]) -> None:
    """No 5xx, and only the expected answers (411: the test client sends no length when the
    body is empty)."""
    assert response.status_code < 500
    assert response.status_code in allowed | {411}, response.content


@fuzz(800)
@given(method=METHODS, signature=SIGNATURE, agent=JUNK, content_type=JUNK, body=BODY)
def test_meta_deliveries_with_junk_signatures_are_refused(
    client: Client, channel: Channel, method, signature, agent, content_type, body
) -> None:
    response = client.generic(
        method,
        f"/hooks/meta/{channel.webhook_id}/",
        body,
        content_type=content_type,
        headers={"X-Hub-Signature-256": signature, "User-Agent": agent},
    )
    assert_answered(response, {400, 403, 405})
    assert not InboundDelivery.objects.exists()


@fuzz(500)
@given(mode=JUNK, token=st.one_of(JUNK, st.just(TEST_VERIFY_TOKEN)), challenge=JUNK)
def test_meta_handshakes_with_junk_are_refused(
    client: Client, channel: Channel, mode, token, challenge
) -> None:
    params = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge}
    response = client.get(f"/hooks/meta/{channel.webhook_id}/", params)
    assert_answered(response, {200, 403})
    if response.status_code == 200:
        assert response.content == challenge.encode()


@fuzz(800)
@given(
    stamp=st.one_of(JUNK, st.integers(-400, 400).map(lambda d: str(int(time.time()) + d))),
    signature=SIGNATURE,
    body=BODY,
)
def test_generic_deliveries_with_junk_headers_are_refused(
    client: Client, channel: Channel, stamp, signature, body
) -> None:
    response = client.post(
        f"/hooks/generic/{channel.webhook_id}/",
        body,
        content_type="application/json",
        headers={"X-GovSocial-Timestamp": stamp, "X-GovSocial-Signature": signature},
    )
    assert_answered(response, {400, 403})
    assert not InboundDelivery.objects.exists()


@fuzz(150)
@given(body=BODY, agent=JUNK, stamp=JUNK)
def test_signed_meta_deliveries_of_any_body_are_stored_or_refused_with_a_reason(
    client: Client, channel: Channel, body, agent, stamp
) -> None:
    response = client.post(
        f"/hooks/meta/{channel.webhook_id}/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body), "User-Agent": agent,
                 "X-GovSocial-Timestamp": stamp},
    )  # fmt: skip
    assert_answered(response, {200, 400})
    if response.status_code == 400:
        assert response.json()["error"]
    if body:
        stored = InboundDelivery.objects.get(body_sha256=hashlib.sha256(body).hexdigest())
        assert bytes(stored.body) == body


@fuzz(150)
@given(body=BODY)
def test_signed_generic_deliveries_of_any_body_are_stored_or_refused_with_a_reason(
    client: Client, channel: Channel, body
) -> None:
    stamp = str(int(time.time()))
    response = client.post(
        f"/hooks/generic/{channel.webhook_id}/",
        body,
        content_type="application/json",
        headers={"X-GovSocial-Timestamp": stamp, "X-GovSocial-Signature": sign(
            stamp.encode() + b"." + body)},
    )  # fmt: skip
    assert_answered(response, {200, 400})


@fuzz(150)
@given(
    length=st.one_of(
        JUNK.filter(lambda text: not (text.isascii() and text.isdigit())),
        st.integers(10**7, 10**600).map(str),
        st.integers(10**7, 10**60).map(lambda n: "0" * 30 + str(n)),
    )
)
def test_junk_content_lengths_are_refused_before_the_body_is_read(
    client: Client, channel: Channel, length
) -> None:
    response = client.post(
        f"/hooks/meta/{channel.webhook_id}/", b"{}", content_type="application/json",
        CONTENT_LENGTH=length,
    )  # fmt: skip
    assert_answered(response, {400, 413})


@pytest.mark.parametrize(
    ("path", "headers", "params"),
    [
        ("meta", {"X-Hub-Signature-256": "sha256=é"}, None),
        ("meta", {}, {"hub.mode": "subscribe", "hub.verify_token": "é", "hub.challenge": "1"}),
        ("generic", {"X-GovSocial-Timestamp": "9" * 400}, None),
        ("generic", {"X-GovSocial-Timestamp": str(int(time.time())),
                     "X-GovSocial-Signature": "sha256=ü"}, None),
    ],
)  # fmt: skip
def test_the_reported_junk_is_refused(client: Client, channel: Channel, path, headers, params):
    url = f"/hooks/{path}/{channel.webhook_id}/"
    if params:
        response = client.get(url, params)
    else:
        response = client.post(url, b"{}", content_type="application/json", headers=headers)
    assert response.status_code in {400, 403}
