"""Decision pages (issue 15, point 1): every hide or removal gets a public page at an
unguessable address; the person is told where it is through the platform when it allows a
private message, otherwise the item page gives the communicator the message to send."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, InternalError, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from charter.selectors import rules_justifying
from charter.services import draft_save, draft_start, version_publish
from charter.tests.factories import TEXTS, published_charter, rules
from govsocial.ledger.selectors import entry_for
from moderation.models import DecisionStatement, Item, PlatformAction
from moderation.models.contests import StatementImmutableError
from moderation.services import decisions
from moderation.services.decision_pages import notice_text, statement_url
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
PAGE_ID = "104017331234567"
REASONS = "Publicité pour un site commercial, sans rapport avec la page."


@pytest.fixture
def house_rules(defence, defence_admin):
    return published_charter(defence, defence_admin)


def facebook(institution, *, connected: bool = True) -> Channel:
    channel = ChannelFactory(institution=institution, platform="facebook", handle=PAGE_ID)
    if connected:
        channel.access_token = "page-token"
        channel.save()
    return channel


def comment(channel: Channel, number: int = 1, language: str = "nl", **fields) -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=f"{PAGE_ID}_{number}", verb=Verb.CREATE, author_name="Lies Peeters",
            text="Koop volgers op mijn site!", language=language, **fields,
        ),
    )  # fmt: skip


def hide(item: Item, actor) -> DecisionStatement:
    rule = rules_justifying(item.institution, "hide").first()
    decision = decisions.item_hide(item=item, actor=actor, rule=rule, reasons=REASONS).decision
    return DecisionStatement.objects.get(decision=decision)


def remove(item: Item, actor) -> DecisionStatement:
    rule = rules_justifying(item.institution, "remove").first()
    decision = decisions.item_remove(item=item, actor=actor, rule=rule, reasons=REASONS).decision
    return DecisionStatement.objects.get(decision=decision)


def page_of(statement: DecisionStatement, language: str = "en") -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/decisions/{statement.token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_hide_gets_a_page_at_an_unguessable_address(
    defence, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    other = hide(comment(facebook(defence), 2), defence_communicator)
    assert len(statement.token) >= 32
    assert statement.token != other.token
    assert statement.language == "nl"  # the item's language
    assert Client().get(f"/decisions/{statement.token[:-1]}x/").status_code == 404
    assert Client().get("/decisions/R1/").status_code == 404


def test_only_hides_and_removals_get_a_page(defence, house_rules, defence_communicator) -> None:
    item = comment(facebook(defence))
    decisions.item_no_action(item=item, actor=defence_communicator)
    assert not DecisionStatement.objects.exists()


def test_the_page_says_what_why_and_where_never_who(
    defence, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    html = page_of(statement)
    assert "Decision: content hidden" in html
    assert statement.decision.item.channel.name in html
    assert REASONS in html
    assert "R1" in html
    assert "/charters/defence/house-rules/?v=1#R1" in html  # the version applied
    assert "Being carried out on the platform." in html  # the hide is queued
    assert "Contest this decision" in html
    assert 'name="robots" content="noindex"' in html
    for private in (
        defence_communicator.full_name,
        defence_communicator.email,
        "Lies Peeters",
        "Koop volgers",
    ):
        assert private not in html


def test_the_page_shows_its_ledger_entry_but_not_the_record_behind_it(
    defence, house_rules, defence_communicator
) -> None:
    """The entry's hashes, to follow in the day's published list (issue 15, point 4); not the
    canonical document, which holds the moderator's account id and any internal note."""
    statement = hide(comment(facebook(defence)), defence_communicator)
    entry = entry_for(statement.decision)
    assert entry is not None
    html = page_of(statement)
    assert entry.entry_hash in html
    assert entry.content_hash in html
    assert "Published on the transparency page after" in html  # the day's digest, once it ends
    assert "Canonical content" not in html
    assert f'"actor":{defence_communicator.pk}' not in html


def test_the_page_speaks_french_dutch_and_english(
    defence, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    client = Client()
    response = client.get(f"/decisions/{statement.token}/?lang=nl")
    assert response.status_code == 302
    assert response.url == f"/decisions/{statement.token}/"
    html = client.get(response.url).content.decode()
    assert 'lang="nl"' in html
    assert "Tekst van regel 1." in html  # the rule as the Dutch version of the rules reads
    french = page_of(statement, "fr")
    assert "Texte de la règle 1." in french


def test_a_rule_changed_since_links_to_the_version_in_force(
    defence, defence_admin, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    assert "/charters/defence/house-rules/#R1" not in page_of(statement)
    draft = draft_start(charter=house_rules, actor=defence_admin)
    changed = rules(1, 2, 3)
    changed[0].texts["fr"] = ("Règle 1", "Un texte plus précis.")
    draft_save(version=draft, actor=defence_admin, texts=TEXTS, rules=changed)
    version_publish(version=draft, actor=defence_admin, change_summary="R1 clarified.")
    html = page_of(statement, "fr")
    assert "Texte de la règle 1." in html  # still the wording applied
    assert "Un texte plus précis." not in html
    assert "/charters/defence/house-rules/?v=1#R1" in html
    assert "/charters/defence/house-rules/#R1" in html
    english = page_of(statement)
    assert "This rule reads differently in the house rules in force." in english


def test_the_person_is_told_through_a_private_reply_in_their_language_before_the_delete(
    defence, house_rules, defence_communicator
) -> None:
    statement = remove(comment(facebook(defence)), defence_communicator)
    actions = list(statement.decision.platform_actions.order_by("pk"))
    assert [(a.kind, a.state) for a in actions] == [
        ("private_reply", "queued"),
        ("delete", "queued"),
    ]
    message = actions[0].text
    assert statement_url(statement) in message
    assert message.startswith(statement.decision.item.institution.name_in("nl"))
    assert statement_url(statement).endswith("?lang=nl")


def test_no_private_message_where_the_platform_cannot_send_one(
    defence, house_rules, defence_communicator
) -> None:
    unconnected = hide(comment(facebook(defence, connected=False)), defence_communicator)
    assert not unconnected.decision.platform_actions.filter(kind="private_reply").exists()
    youtube = ChannelFactory(institution=defence, platform="youtube")
    on_youtube = hide(comment(youtube, 5), defence_communicator)
    assert not on_youtube.decision.platform_actions.filter(kind="private_reply").exists()


def test_no_private_reply_to_a_comment_older_than_seven_days(
    defence, house_rules, defence_communicator
) -> None:
    channel = facebook(defence)
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        item = comment(channel)
    statement = hide(item, defence_communicator)
    assert list(statement.decision.platform_actions.values_list("kind", flat=True)) == ["hide"]


def test_the_item_page_gives_the_link_and_the_message_to_send_by_hand(
    defence, house_rules, defence_communicator
) -> None:
    item = comment(facebook(defence, connected=False), language="fr")
    statement = hide(item, defence_communicator)
    client = Client()
    client.force_login(defence_communicator)
    html = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert f'href="{statement_url(statement, for_person=False)}"' in html  # no ?lang=
    assert statement_url(statement) in html  # in the message to send
    assert "copy this message and send it to the person" in html
    assert notice_text(statement).split(" ")[0] in html
    assert notice_text(statement).startswith(defence.name_in("fr"))  # the person's language


def test_the_item_page_says_when_the_platform_sends_the_link(
    defence, house_rules, defence_communicator
) -> None:
    item = comment(facebook(defence))
    hide(item, defence_communicator)
    client = Client()
    client.force_login(defence_communicator)
    html = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "The link is sent to the person through the platform" in html


def test_the_page_says_whether_the_platform_carried_it_out(
    defence, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence, connected=False)), defence_communicator)
    assert "To be carried out on the platform by the institution" in page_of(statement)
    action = statement.decision.platform_actions.get(kind="hide")
    PlatformAction.objects.filter(pk=action.pk).update(
        state="done_by_hand", done_at=timezone.now(), done_by=defence_communicator
    )
    assert "Carried out on the platform." in page_of(statement)


def test_a_decision_page_row_is_append_only(defence, house_rules, defence_communicator) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    with pytest.raises(StatementImmutableError):
        statement.save()
    with pytest.raises(StatementImmutableError):
        DecisionStatement.objects.filter(pk=statement.pk).update(language="fr")
    for sql in ("UPDATE moderation_decisionstatement SET language = 'fr'",
                "DELETE FROM moderation_decisionstatement"):  # fmt: skip
        with (
            pytest.raises(InternalError, match="statement_append_only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    with pytest.raises(IntegrityError), transaction.atomic():  # one page per decision
        DecisionStatement.objects.create(
            institution=defence, decision=statement.decision, language="fr"
        )


def test_the_person_language_falls_back_to_the_institutions(
    defence, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence), language="de"), defence_communicator)
    assert statement.language == defence.default_language


def test_an_outsider_reads_the_same_public_page(
    defence, police, house_rules, defence_communicator
) -> None:
    statement = hide(comment(facebook(defence)), defence_communicator)
    client = Client()
    client.force_login(member(police, "communicator"))
    assert client.get(f"/decisions/{statement.token}/").status_code == 200
