"""Charter asks moderation (through charter.citations) which rules decisions cite: a new version
of the house rules that leaves out a cited rule is published only when the editor confirms."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.citations import citation_counts
from charter.models import CharterRule, CharterVersion
from charter.services import draft_save, draft_start, version_publish
from charter.tests.factories import TEXTS, published_charter, rules
from moderation.services import decisions
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
PUBLISH = "/i/defence/charters/house-rules/draft/publish/"


@pytest.fixture
def cited_r2(defence, defence_admin, defence_communicator) -> CharterVersion:
    """House rules R1-R3, a removal citing R2, and a draft that deletes R2."""
    charter = published_charter(defence, defence_admin)
    item = item_apply_event(
        channel=ChannelFactory(institution=defence),
        event=ItemEvent(external_id="spam-1", verb=Verb.CREATE, author_name="Bot", text="Promo"),
    )
    r2 = CharterRule.objects.get(version__status="published", number=2)
    decisions.item_remove(item=item, actor=defence_communicator, rule=r2, reasons="Publicité.")
    draft = draft_start(charter=charter, actor=defence_admin)
    deleted = draft.rules.get(number=2).pk
    draft_save(
        version=draft,
        actor=defence_admin,
        texts=TEXTS,
        rules=rules(1, 3),
        deleted_rule_ids=[deleted],
    )
    return draft


def test_moderation_tells_charter_which_rules_decisions_cite(cited_r2) -> None:
    in_force = CharterRule.objects.filter(version__status="published")
    counts = citation_counts(list(in_force.values_list("pk", flat=True)))
    assert counts == {in_force.get(number=2).pk: 1}


def test_publishing_without_a_cited_rule_needs_consent(cited_r2, defence_admin) -> None:
    with pytest.raises(ValidationError, match="leaves out R2, which moderation decisions cite"):
        version_publish(version=cited_r2, actor=defence_admin, change_summary="R2 goes.")
    cited_r2.refresh_from_db()
    assert not cited_r2.is_published
    version_publish(
        version=cited_r2, actor=defence_admin, change_summary="R2 goes.", drop_cited_rules=True
    )
    assert CharterVersion.objects.get(pk=cited_r2.pk).is_published


def test_the_publish_page_warns_and_asks_for_consent(cited_r2, defence) -> None:
    client = Client()
    client.force_login(member(defence, Role.CHARTER_EDITOR))
    page = client.get(PUBLISH)
    assert "leaves out rules that moderation decisions cite" in page.content.decode()
    assert [(c.kind, c.code, c.citations) for c in page.context["changes"].changes] == [
        ("removed", "R2", 1)
    ]
    refused = client.post(PUBLISH, {"change_summary": "R2 goes."})
    assert refused.status_code == 200
    assert "which moderation decisions cite" in refused.content.decode()
    assert not CharterVersion.objects.get(pk=cited_r2.pk).is_published
    published = client.post(PUBLISH, {"change_summary": "R2 goes.", "drop_cited_rules": "on"})
    assert published.status_code == 302
    assert CharterVersion.objects.get(pk=cited_r2.pk).is_published
