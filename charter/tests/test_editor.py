"""The editor: drafts prefilled from the version in force, validation messages, publication."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import member
from charter.models import CharterRule, CharterRuleText, CharterVersion
from charter.tests.factories import published_charter
from charter.tests.posting import submitted

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


def page_data(client: Client, **edits: str | None) -> dict[str, str]:
    """The draft form as the browser submits it untouched, then the editor's edits (None unticks
    a box or empties a field). The draft of ``published_charter`` holds R1, R2 and R3 (rows 0-2)
    and an empty row 3 for a new rule."""
    response = client.get(f"{BASE}draft/")
    data = submitted(response.context["texts_form"], response.context["rules_formset"])
    data = {**data, "action": "save", **edits}
    return {name: value for name, value in data.items() if value is not None}


def rule_ids(draft: CharterVersion) -> dict[int, int]:
    return dict(draft.rules.values_list("number", "pk"))


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


def test_an_untouched_draft_keeps_every_rule(editor_client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, rule_numbers=tuple(range(1, 8)), draft=True)
    draft = CharterVersion.objects.drafts().get()
    before = rule_ids(draft)
    response = editor_client.post(f"{BASE}draft/", page_data(editor_client))
    assert response.status_code == 302
    assert rule_ids(draft) == before
    assert list(draft.rules.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert CharterRuleText.objects.filter(version=draft).count() == 14


def test_saving_a_draft_then_publishing_it(editor_client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, draft=True)
    edits = {
        "body_fr": "Bienvenue.",
        "rules-0-justifies_remove": None,
        "rules-1-justifies_hide": None,
        "rules-1-text_fr": "Pas de spam.",
        "rules-2-DELETE": "on",
        "rules-3-number": "4",
        "rules-3-ORDER": "4",
        "rules-3-justifies_hide": "on",
        "rules-3-title_fr": "Usurpation",
        "rules-3-text_fr": "Se faire passer pour un autre.",
    }
    assert editor_client.post(f"{BASE}draft/", page_data(editor_client, **edits)).status_code == 302
    page = editor_client.get(f"{BASE}draft/publish/").content.decode()
    assert "What will become public" in page
    assert "Pas de spam." in page
    assert "Rules changed since version 1 (in force)" in page
    changes = [
        (c.kind, c.code)
        for c in editor_client.get(f"{BASE}draft/publish/").context["changes"].changes
    ]
    assert changes == [("changed", "R1"), ("changed", "R2"), ("removed", "R3"), ("added", "R4")]
    response = editor_client.post(f"{BASE}draft/publish/", {"change_summary": "R3 goes."})
    assert response.status_code == 302
    version = CharterVersion.objects.get(number=2)
    assert version.is_published
    assert version.published_by.email.startswith("person")
    assert list(version.rules.values_list("number", "justifies_hide", "justifies_remove")) == [
        (1, True, False),
        (2, False, True),
        (4, True, False),
    ]


def test_the_publish_page_says_what_changed_in_each_rule(
    editor_client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, draft=True)
    edits = {"rules-0-text_nl": "Nieuwe tekst.", "rules-1-justifies_hide": None}
    editor_client.post(f"{BASE}draft/", page_data(editor_client, **edits))
    changes = editor_client.get(f"{BASE}draft/publish/").context["changes"]
    assert [(c.code, c.what) for c in changes.changes] == [
        ("R1", ["text (NL)"]),
        ("R2", ["can justify hiding"]),
    ]
    assert changes.removed_cited == []


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"body_fr": "   ", "body_nl": ""}, "Write the text in at least one language."),
        ({"rules-1-number": "1"}, "Each rule number may be used once; repeated: R1."),
        ({"rules-1-text_fr": "", "rules-1-text_nl": ""}, "Rule R2 has no text."),
        ({"rules-1-text_nl": ""}, "Rule R2 has a title in nl but no text."),
        ({"title_fr": ""}, "Give a title to the fr text."),
        ({"rules-0-number": "abc"}, "Enter a whole number."),
        ({"rules-0-number": ""}, "This field is required."),
        ({"rules-3-number": ""}, "This field is required."),
    ],
)
def test_bad_drafts_get_a_clear_message_and_lose_nothing(
    editor_client: Client, defence, defence_admin, edits: dict[str, str], message: str
) -> None:
    published_charter(defence, defence_admin, draft=True)
    draft = CharterVersion.objects.drafts().get()
    before = rule_ids(draft)
    typed = {
        "rules-3-number": "9",
        "rules-3-title_nl": "Nieuwe regel",
        "rules-3-text_nl": "Getypte tekst.",
    }
    response = editor_client.post(f"{BASE}draft/", page_data(editor_client, **(typed | edits)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rule_ids(draft) == before
    shown = submitted(response.context["texts_form"], response.context["rules_formset"])
    assert shown["rules-3-text_nl"] == "Getypte tekst."
    assert [shown[f"rules-{row}-rule_id"] for row in range(3)] == [
        str(before[number]) for number in (1, 2, 3)
    ]


def test_rules_are_saved_in_the_chosen_order(editor_client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, draft=True)
    draft = CharterVersion.objects.drafts().get()
    before = rule_ids(draft)
    edits = {"rules-0-ORDER": "3", "rules-2-ORDER": "1"}
    editor_client.post(f"{BASE}draft/", page_data(editor_client, **edits))
    assert list(draft.rules.values_list("number", flat=True)) == [3, 2, 1]
    assert rule_ids(draft) == before


def test_renumbering_two_rules_keeps_each_rule_with_its_text(
    editor_client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, draft=True)
    draft = CharterVersion.objects.drafts().get()
    before = rule_ids(draft)
    edits = {"rules-0-number": "2", "rules-1-number": "1"}
    assert editor_client.post(f"{BASE}draft/", page_data(editor_client, **edits)).status_code == 302
    assert rule_ids(draft) == {1: before[2], 2: before[1], 3: before[3]}
    assert CharterRule.objects.get(pk=before[1]).texts.get(language="fr").text == (
        "Texte de la règle 1."
    )


def test_a_save_from_a_page_opened_before_another_editor_added_a_rule_is_refused(
    editor_client: Client, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, draft=True)
    draft = CharterVersion.objects.drafts().get()
    stale = page_data(editor_client, **{"rules-0-text_fr": "Ma modification."})
    other_editor = page_data(editor_client, **{"rules-3-number": "8", "rules-3-text_fr": "R8."})
    assert editor_client.post(f"{BASE}draft/", other_editor).status_code == 302
    response = editor_client.post(f"{BASE}draft/", stale)
    assert response.status_code == 200
    assert "leaves out R8 without deleting them" in response.content.decode()
    assert list(draft.rules.values_list("number", flat=True)) == [1, 2, 3, 8]


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
