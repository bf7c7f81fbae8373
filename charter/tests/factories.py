"""Charters set up through the services, as the product creates them."""

from __future__ import annotations

from accounts.models import Institution, User
from charter.models import Charter, CharterVersion
from charter.services import (
    RuleInput,
    TextInput,
    charter_create,
    draft_save,
    draft_start,
    version_publish,
)

TEXTS = [
    TextInput("fr", "Règles de la page", "Bienvenue sur notre page.\n\n## Respect\n\nSoyez poli."),
    TextInput("nl", "Huisregels", "Welkom op onze pagina.\n\n## Respect\n\nWees beleefd."),
]


def rules(*numbers: int, hide_only: tuple[int, ...] = ()) -> list[RuleInput]:
    return [
        RuleInput(
            number,
            justifies_hide=True,
            justifies_remove=number not in hide_only,
            texts={
                "fr": (f"Règle {number}", f"Texte de la règle {number}."),
                "nl": (f"Regel {number}", f"Tekst van regel {number}."),
            },
        )
        for number in numbers
    ]


def published_charter(
    institution: Institution,
    actor: User,
    *,
    slug: str = "house-rules",
    audience: str = "public",
    rule_numbers: tuple[int, ...] = (1, 2, 3),
    draft: bool = False,
    house_rules: bool = True,
) -> Charter:
    """A charter with version 1 published (and a draft version 2 when asked); a public one is
    the institution's house rules unless told otherwise."""
    charter = charter_create(
        institution=institution,
        actor=actor,
        audience=audience,
        slug=slug,
        title=slug.title(),
        house_rules=house_rules and audience == "public",
    )
    version = draft_start(charter=charter, actor=actor)
    draft_save(version=version, actor=actor, texts=TEXTS, rules=rules(*rule_numbers))
    version_publish(version=version, actor=actor, change_summary="First version.")
    if draft:
        draft_start(charter=charter, actor=actor)
    return charter


def publish_new_version(
    charter: Charter, actor: User, rule_numbers: tuple[int, ...], summary: str = "Update."
) -> CharterVersion:
    version = draft_start(charter=charter, actor=actor)
    draft_save(version=version, actor=actor, texts=TEXTS, rules=rules(*rule_numbers))
    return version_publish(version=version, actor=actor, change_summary=summary)
