"""The editor: drafts prefilled from the version in force, validation messages, publication."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from charter.models import CharterRule, CharterVersion
from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db
BASE = "/i/defence/charters/house-rules/"


@pytest.fixture
def editor(defence):
    return member(defence, Role.CHARTER_EDITOR)


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "action": "save",
        "title_fr": "Règles",
        "body_fr": "Bienvenue.",
        "title_nl": "",
        "body_nl": "",
        "title_en": "",
        "body_en": "",
        "rules-TOTAL_FORMS": "2",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "200",
        "rules-0-number": "1",
        "rules-0-ORDER": "1",
        "rules-0-justifies_hide": "on",
        "rules-0-title_fr": "Insultes",
        "rules-0-text_fr": "Pas d'insultes.",
        "rules-1-number": "2",
        "rules-1-ORDER": "2",
        "rules-1-justifies_remove": "on",
        "rules-1-title_fr": "Spam",
        "rules-1-text_fr": "Pas de spam.",
    }
    return {**data, **overrides}


def test_a_new_draft_is_prefilled_from_the_version_in_force(
    editor_client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, rule_numbers=(1, 2, 5))
    editor_client.post(f"{BASE}draft/start/")
    draft = CharterVersion.objects.drafts().get()
    assert draft.number == 2
    assert sorted(CharterRule.objects.filter(version=draft).values_list("number", flat=True)) == [
        1,
        2,
        5,
    ]
    page = editor_client.get(f"{BASE}draft/").content.decode()
    assert "Bienvenue sur notre page." in page


def test_saving_a_draft_then_publishing_it(editor_client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, draft=True)
    assert editor_client.post(f"{BASE}draft/", form_data()).status_code == 302
    page = editor_client.get(f"{BASE}draft/publish/").content.decode()
    assert "What will become public" in page
    assert "Pas de spam." in page
    response = editor_client.post(f"{BASE}draft/publish/", {"change_summary": "Two rules."})
    assert response.status_code == 302
    version = CharterVersion.objects.get(number=2)
    assert version.is_published
    assert version.published_by.email.startswith("person")
    assert list(version.rules.values_list("number", "justifies_hide", "justifies_remove")) == [
        (1, True, False),
        (2, False, True),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body_fr": "   "}, "Write the text in at least one language."),
        ({"rules-1-number": "1"}, "Each rule number may be used once; repeated: R1."),
        ({"rules-1-text_fr": ""}, "Rule R2 has no text."),
        ({"title_fr": ""}, "Give a title to the fr text."),
        ({"rules-0-number": "abc"}, "Enter a whole number."),
    ],
)
def test_bad_drafts_get_a_clear_message(
    editor_client: Client, defence, defence_admin, overrides: dict[str, str], message: str
) -> None:
    published_charter(defence, defence_admin, draft=True)
    response = editor_client.post(f"{BASE}draft/", form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_rules_are_saved_in_the_chosen_order(editor_client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, draft=True)
    editor_client.post(f"{BASE}draft/", form_data(**{"rules-0-ORDER": "2", "rules-1-ORDER": "1"}))
    draft = CharterVersion.objects.drafts().get()
    assert list(draft.rules.values_list("number", flat=True)) == [2, 1]


def test_publishing_without_a_summary_is_refused(
    editor_client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, draft=True)
    response = editor_client.post(f"{BASE}draft/publish/", {"change_summary": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not CharterVersion.objects.filter(number=2, status="published").exists()


def test_diff_shows_added_rules_side_by_side(editor_client: Client, defence, defence_admin) -> None:
    from charter.tests.factories import publish_new_version

    charter = published_charter(defence, defence_admin, rule_numbers=(1,))
    publish_new_version(charter, defence_admin, rule_numbers=(1, 2))
    page = editor_client.get(f"{BASE}diff/", {"a": "1", "b": "2", "lang": "fr"}).content.decode()
    assert "<ins>R2 · Règle 2</ins>" in page
    assert "added" in page
    missing = editor_client.get(f"{BASE}diff/", {"a": "1", "b": "7"})
    assert "Version 7 does not exist." in missing.content.decode()


def test_another_institutions_editor_cannot_see_drafts_or_publish(
    defence, defence_admin, police
) -> None:
    published_charter(defence, defence_admin, draft=True)
    outsider = member(police, Role.CHARTER_EDITOR)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"{BASE}draft/").status_code == 404
    assert client.post(f"{BASE}draft/publish/", {"change_summary": "hijack"}).status_code == 404
    assert not CharterVersion.objects.filter(number=2, status="published").exists()


@pytest.mark.parametrize(("language", "title"), [("fr", "Règles de la page"), ("nl", "Huisregels")])
def test_the_charter_list_and_page_show_the_title_in_the_editors_language(
    editor_client: Client, editor, defence, defence_admin, language: str, title: str
) -> None:
    """The working title ("House-Rules", English for the built-in charters) is not what a
    French- or Dutch-speaking editor reads: the published text's title is."""
    published_charter(defence, defence_admin)
    editor.preferred_language = language
    editor.save(update_fields=["preferred_language"])
    listing = editor_client.get("/i/defence/charters/").content.decode()
    assert f">{title}</a>" in listing
    assert "House-Rules" not in listing
    page = editor_client.get("/i/defence/charters/house-rules/").content.decode()
    assert f'<h1 class="h3">{title}</h1>' in page
