"""The API through HTTP: tokens (hashed, shown once, last use, revocation, expiry, rate
limit), decisions and complaints through the same services as the pages, with the token's
name as actor, and bad input answered with JSON errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import digest, token_revoke
from api.tests.conftest import ALL_SCOPES, ApiClient, World, make_token
from charter.selectors import rules_justifying
from complaints.models import Case, TimelineEvent
from complaints.tests.factories import builtin
from moderation.models import Decision, Item

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(f"api-v1:{name}", kwargs=kwargs)


@pytest.fixture
def client_all(defence, defence_admin) -> ApiClient:
    return ApiClient(make_token(defence, defence_admin, *ALL_SCOPES, name="Ticketing"))


def test_the_secret_is_stored_hashed_and_last_use_written_once_a_minute(
    world: World, defence, defence_admin
) -> None:
    secret = make_token(defence, defence_admin, "items:read", name="Intranet")
    token = ApiToken.objects.get(name="Intranet")
    assert token.secret_sha256 == digest(secret)
    assert secret not in str(vars(token))
    assert token.last_used_at is None
    client = ApiClient(secret)
    assert client.get(url("channel-list")).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get(url("channel-list"))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get(url("channel-list"))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_revocation_is_immediate_and_expiry_ends_a_token(
    world: World, defence, defence_admin
) -> None:
    secret = make_token(defence, defence_admin, "items:read", name="Chatbot")
    client = ApiClient(secret)
    assert client.get(url("item-list")).status_code == 200
    token_revoke(token=ApiToken.objects.get(name="Chatbot"), actor=defence_admin)
    refused = client.get(url("item-list"))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]
    later = ApiClient(make_token(defence, defence_admin, "items:read", name="Short"))
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert later.get(url("item-list")).status_code == 401


def test_a_malformed_authorization_is_a_json_401(world: World) -> None:
    for header in ("Bearer", "Bearer a b", "Bearer gs_nothing", "Bearer \u00e9"):
        response = ApiClient().get(url("item-list"), headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["error"]


def test_rate_limit_answers_429_with_retry_after(
    world: World, client_all: ApiClient, settings
) -> None:
    settings.API_RATE_LIMIT = (2, 60)
    assert client_all.get(url("channel-list")).status_code == 200
    assert client_all.get(url("channel-list")).status_code == 200
    limited = client_all.get(url("channel-list"))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["error"]


def test_item_list_pages_with_the_queue_cursor(
    world: World, client_all: ApiClient, defence
) -> None:
    first = client_all.get(url("item-list"), {"size": 1}).json()
    assert len(first["results"]) == 1
    assert first["next"]
    second = client_all.get(url("item-list"), {"size": 1, "after": first["next"]}).json()
    ids = {row["id"] for row in first["results"] + second["results"]}
    assert ids == set(
        Item.objects.for_institution(defence).filter(status="open").values_list("pk", flat=True)
    )
    decided = client_all.get(url("item-list"), {"status": "no_action"}).json()["results"]
    assert [row["status"] for row in decided] == ["no_action"]


@pytest.mark.parametrize(
    "query",
    [{"after": "garbage"}, {"size": "0"}, {"size": "x"}, {"status": "nonsense"},
     {"due_within": "-3"}, {"channel": "abc"}],
)  # fmt: skip
def test_bad_filters_are_400_with_the_field(world: World, client_all: ApiClient, query) -> None:
    response = client_all.get(url("item-list"), query)
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= set(query)


def test_hide_cites_a_rule_and_records_the_token_as_actor(
    world: World, client_all: ApiClient, defence
) -> None:
    decide = url("item-decide", item_id=world.item_id)
    refused = client_all.post_json(decide, {"action": "hide", "reasons": "Spam."})
    assert refused.status_code == 400
    assert "rule" in refused.json()["error"]
    rule = rules_justifying(defence, "hide").first()
    done = client_all.post_json(decide, {"action": "hide", "rule": rule.pk, "reasons": "Spam."})
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["item_status"] == "hidden"
    assert body["proposed"] is False
    assert body["decision"]["actor"] == "API: Ticketing"
    decision = Decision.objects.get(pk=body["decision"]["id"])
    assert decision.actor.api_token.name == "Ticketing"
    assert decision.statement  # the public decision page, as from the item page
    again = client_all.post_json(decide, {"action": "no_action"})
    assert again.status_code == 400
    history = client_all.get(url("item-history", item_id=world.item_id)).json()
    assert [d["action"] for d in history["decisions"]] == ["hide"]


def test_reply_and_escalation_go_through_the_services(world: World, client_all: ApiClient) -> None:
    decide = url("item-decide", item_id=world.item_id)
    empty = client_all.post_json(decide, {"action": "reply", "text": "  "})
    assert empty.status_code == 400
    assert empty.json()["error"] == "Write the reply first."
    no_category = client_all.post_json(decide, {"action": "escalate", "subject": "Threat"})
    assert no_category.status_code == 400
    category = builtin()
    escalated = client_all.post_json(
        decide, {"action": "escalate", "category": category.pk, "subject": "Threat"}
    )
    assert escalated.status_code == 201, escalated.content
    reference = escalated.json()["decision"]["case"]
    assert Case.objects.filter(reference=reference).exists()


def test_malformed_json_and_unknown_actions_are_400(world: World, client_all: ApiClient) -> None:
    decide = url("item-decide", item_id=world.item_id)
    broken = client_all.post(decide, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["error"]
    unknown = client_all.post_json(decide, {"action": "ban"})
    assert unknown.status_code == 400
    assert "action" in unknown.json()["fields"]
    listed = client_all.post_json(decide, ["action"])
    assert listed.status_code == 400
    too_big = client_all.get(url("item-detail", item_id=2**40))
    assert too_big.status_code == 404
    assert too_big.json() == {"error": "Not found."}


def test_case_create_hold_resume_with_the_token_in_the_timeline(
    world: World, client_all: ApiClient
) -> None:
    category = builtin()
    created = client_all.post_json(
        url("case-list"),
        {"source": "email", "category": category.pk, "subject": "Guichet",
         "description": "Attente.", "language": "fr", "name": "Marc", "email": "marc@example.be"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    assert created.json()["complainant"]["email"] == "marc@example.be"
    status = url("case-status", reference=reference)
    no_reason = client_all.post_json(status, {"action": "hold"})
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]
    held = client_all.post_json(status, {"action": "hold", "reason": "Waiting for the documents"})
    assert held.json()["status"] == "on_hold"
    resumed = client_all.post_json(status, {"action": "resume"})
    assert resumed.json()["status"] == "in_progress"
    actors = set(
        TimelineEvent.objects.filter(case__reference=reference).values_list(
            "actor__full_name", flat=True
        )
    )
    assert actors == {"API: Ticketing"}
    letters = client_all.get(url("case-letters", reference=reference))
    assert letters.status_code == 200
    assert letters.json() == []
    bad = client_all.post_json(url("case-list"), {"source": "pigeon", "category": 2**33})
    assert bad.status_code == 400
    assert {"source", "category"} <= set(bad.json()["fields"])


def test_statistics_statements_and_transparency(world: World, client_all: ApiClient) -> None:
    month = timezone.localdate().strftime("%Y-%m")
    figures = client_all.get(url("statistics"), {"month": month}).json()
    assert figures["month"] == month
    assert figures["tables"]
    assert client_all.get(url("statistics"), {"month": "2026-13"}).status_code == 400
    lines = client_all.get(url("statements"), {"month": month})
    assert lines["Content-Type"] == "application/jsonl"
    for line in b"".join(lines.streaming_content).decode().splitlines():
        json.loads(line)
    public = ApiClient().get(url("transparency", slug="defence"))
    assert public.status_code == 200
    assert len(public.json()["months"]) == 12
    assert ApiClient().get(url("transparency", slug="nobody")).status_code == 404


def test_charters_show_published_versions_only(world: World, client_all: ApiClient) -> None:
    charter = client_all.get(url("charter-detail", charter_id=world.charter_id)).json()
    assert [v["number"] for v in charter["versions"]] == [1]
    assert charter["versions"][0]["rules"][0]["texts"]


def test_schema_and_docs_are_served_without_a_cdn(client) -> None:
    schema = client.get(url("schema"), {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"] == "3.1.0"
    docs = client.get(url("docs"))
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/" in docs.content


def test_admin_creates_a_token_shown_once_and_revokes_it(
    defence, defence_admin, police_communicator
) -> None:
    from django.test import Client

    admin = Client()
    admin.force_login(defence_admin)
    page = reverse("api:tokens", kwargs={"institution_slug": "defence"})
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    created = admin.post(
        page, {"name": "Statistics unit", "scopes": ["reports:read"], "expires_on": expires}
    )
    assert created.status_code == 200
    secret = created.context["secret"]
    assert secret.startswith("gs_")
    assert secret.encode() in created.content
    assert secret.encode() not in admin.get(page).content  # shown once
    token = ApiToken.objects.get(name="Statistics unit")
    assert token.scopes == ["reports:read"]
    assert token.created_by == defence_admin
    duplicate = admin.post(
        page, {"name": "Statistics unit", "scopes": ["reports:read"], "expires_on": expires}
    )
    assert duplicate.status_code == 400
    too_late = admin.post(
        page, {"name": "Later", "scopes": ["reports:read"], "expires_on": "2099-01-01"}
    )
    assert too_late.status_code == 400
    revoke = reverse(
        "api:token-revoke", kwargs={"institution_slug": "defence", "token_id": token.pk}
    )
    assert admin.post(revoke).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert ApiClient(secret).get(url("statistics")).status_code == 401
    assert token.history.count() == 2  # created, revoked: with who did it
    outsider = Client()
    outsider.force_login(police_communicator)
    assert outsider.post(revoke).status_code == 404


def test_unknown_api_addresses_are_json_404s(client) -> None:
    for path in ("/api/v1/nothing/", "/api/v1/items/-1/", "/api/v2/items/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"error": "Not found."}


def test_an_admin_cannot_revoke_another_institutions_token(
    defence_admin, police, world: World
) -> None:
    from django.test import Client

    make_token(police, None, "items:read", name="Police tool")
    theirs = ApiToken.objects.get(name="Police tool")
    admin = Client()
    admin.force_login(defence_admin)
    revoke = reverse(
        "api:token-revoke", kwargs={"institution_slug": "defence", "token_id": theirs.pk}
    )
    assert admin.post(revoke).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
