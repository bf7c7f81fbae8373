"""A published version, its texts and its rules cannot change by any path."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from charter.immutability import PublishedVersionError
from charter.models import CharterRule, CharterRuleText, CharterText, CharterVersion
from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(defence, defence_admin) -> CharterVersion:
    charter = published_charter(defence, defence_admin)
    return CharterVersion.objects.get(charter=charter, number=1)


def test_save_and_delete_are_refused(version: CharterVersion) -> None:
    version.change_summary = "rewritten history"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        version.delete()
    text = CharterText.objects.filter(version=version).first()
    text.body_markdown = "changed"
    with pytest.raises(PublishedVersionError):
        text.save()
    with pytest.raises(PublishedVersionError):
        CharterRule.objects.filter(version=version).first().delete()


@pytest.mark.parametrize("model", [CharterVersion, CharterText, CharterRule, CharterRuleText])
def test_queryset_update_and_delete_are_refused(version: CharterVersion, model) -> None:
    rows = (
        model.objects.filter(pk=version.pk)
        if model is CharterVersion
        else model.objects.filter(version=version)
    )
    with pytest.raises(PublishedVersionError):
        rows.update(institution=version.institution)
    with pytest.raises(PublishedVersionError):
        rows.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE charter_charterversion SET change_summary = 'x' WHERE id = %(version)s",
        "DELETE FROM charter_charterversion WHERE id = %(version)s",
        "UPDATE charter_chartertext SET body_markdown = 'x' WHERE version_id = %(version)s",
        "DELETE FROM charter_chartertext WHERE version_id = %(version)s",
        "UPDATE charter_charterrule SET number = number + 100 WHERE version_id = %(version)s",
        "DELETE FROM charter_charterruletext WHERE version_id = %(version)s",
        "INSERT INTO charter_charterrule (institution_id, version_id, number, position, "
        "justifies_hide, justifies_remove) SELECT institution_id, id, 99, 99, true, true "
        "FROM charter_charterversion WHERE id = %(version)s",
    ],
)
def test_raw_sql_is_refused_by_postgresql(version: CharterVersion, sql: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("database triggers exist on PostgreSQL only")
    with (
        pytest.raises(DatabaseError, match=r"published|Cannot"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, {"version": version.pk})
    assert CharterText.objects.filter(version=version).exclude(body_markdown="x").exists()


def test_drafts_remain_editable_in_sql(defence, defence_admin) -> None:
    charter = published_charter(defence, defence_admin, draft=True)
    draft = charter.versions.drafts().get()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE charter_charterversion SET change_summary = 'ok' WHERE id = %s", [draft.pk]
        )
    draft.refresh_from_db()
    assert draft.change_summary == "ok"


def test_the_admin_cannot_change_or_delete_a_published_version(version: CharterVersion) -> None:
    from django.contrib.admin.sites import site

    from accounts.models import User

    admin = site._registry[CharterVersion]
    root = User.objects.create_superuser("root@example.be", "a long passphrase 4242")

    class Request:
        user = root

    assert not admin.has_change_permission(Request(), version)
    assert not admin.has_delete_permission(Request(), version)


def test_the_editor_form_cannot_change_a_published_version(
    client: Client, defence, defence_admin, version: CharterVersion
) -> None:
    """The editor only ever edits the draft: with none, it sends the editor to start one."""
    client.force_login(defence_admin)
    url = "/i/defence/charters/house-rules/draft/"
    response = client.post(
        url,
        {
            "action": "save",
            "title_fr": "x",
            "body_fr": "changed",
            "rules-TOTAL_FORMS": "0",
            "rules-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert CharterText.objects.get(version=version, language="fr").body_markdown != "changed"
