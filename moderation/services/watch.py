"""Keyword watch on items: match an item against its institution's watch terms (the matching
itself is channels.keywords), set its priority, record hits, alert.

Invariants: a term counts once per item (unique hit); an urgent term notifies the channel's
moderation team members who still moderate in the institution (or, if none, the institution's
moderators) once per item and term.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services.notifications import notification_send
from channels.keywords import find_hits
from channels.models import KeywordHit, WatchTerm
from moderation.models import Item
from moderation.services.assignment import moderators

URGENT_SUBJECT = gettext_lazy("Urgent watch term “%(term)s” on %(channel)s")
URGENT_BODY = gettext_lazy("%(author)s wrote: %(excerpt)s")


def item_match_keywords(item: Item) -> None:
    """Set the item's hits and priority from the text it shows now (call after saving it)."""
    terms = {
        term.pk: term
        for term in WatchTerm.objects.for_institution(item.institution).filter(is_active=True)
    }
    hits = find_hits((term.as_watch() for term in terms.values()), item.text, item.language)
    keyword_hits = [
        {"term_id": hit.term_id, "term": hit.term, "urgent": hit.urgent} for hit in hits
    ]
    priority = 2 if any(hit.urgent for hit in hits) else (1 if hits else 0)
    if (keyword_hits, priority) != (item.keyword_hits, item.priority):
        item.keyword_hits, item.priority = keyword_hits, priority
        item.save(update_fields=["keyword_hits", "priority"])
    for hit in hits:
        _, created = KeywordHit.objects.get_or_create(
            term=terms[hit.term_id], item=item, defaults={"institution": item.institution}
        )
        if created and hit.urgent and item.status == "open":  # not a deleted or historic one
            transaction.on_commit(partial(_alert, item, terms[hit.term_id]))


def _alert(item: Item, term: WatchTerm) -> None:
    for user in _team(item):
        notification_send(
            recipient=user,
            institution=item.institution,
            kind="keyword.urgent",
            subject=URGENT_SUBJECT,
            body=URGENT_BODY,
            params={
                "term": term.term,
                "channel": item.channel.name,
                "author": item.author_name or "?",
                "excerpt": item.text[:280],
            },
            dedupe_key=f"keyword:{item.pk}:{term.pk}",
            about=item.about_key,
        )


def _team(item: Item) -> list[User]:
    """The channel's team members who still moderate here, else the institution's moderators."""
    staff = moderators(item.institution_id)
    return list(staff.filter(moderated_channels=item.channel_id)) or list(staff)
