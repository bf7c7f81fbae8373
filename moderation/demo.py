"""Demo queue: a few hundred realistic items across the demo channels, watch terms that hit some
of them, saved replies in three languages, the demo communicators on duty, one harassment item
marked with its evidence, outgoing posts in every review state on this month's calendar, two
sensitive accounts and a removal of one's comment waiting for a second moderator (four eyes);
then (``seed_escalations``, once the complaints services exist) one cyber-harassment complaint
opened from an insulting item; then (``seed_contests``) two hides contested per institution, one
reversed.

Items (24 per channel, over 400 in all) are spread over the last 30 hours, so some are fresh,
some near their 24-hour deadline and some past it. Deterministic (fixed random seed) and
idempotent (skipped once a channel has them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Institution, Membership, Role, User
from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel, WatchTerm
from charter.selectors import rules_justifying
from complaints.models import Category
from complaints.services.cases import case_open_from_item
from complaints.services.evidence import advice_record, evidence_preserve
from complaints.services.routing import active_officers
from moderation.models import (
    Contest,
    Item,
    ItemKind,
    ItemStatus,
    Post,
    SavedReply,
    SensitiveAccount,
)
from moderation.services import ladder, posts
from moderation.services.assignment import duty_set, moderators
from moderation.services.contests import contest_decide, contest_open
from moderation.services.decisions import item_hide, item_mark_harassment, item_remove
from moderation.services.four_eyes import sensitive_account_save
from moderation.services.ingest import item_apply_event
from moderation.social_items import social_item

PER_CHANNEL = 24

# (kind of message, language, text): compliments, questions, complaints, off-topic, spam.
MESSAGES = [
    ("compliment", "fr", "Bravo pour cette belle initiative, continuez comme ça !"),
    ("compliment", "nl", "Mooi initiatief, proficiat aan het hele team!"),
    ("compliment", "en", "Great work, thank you for keeping us informed."),
    ("question", "fr", "Bonjour, où puis-je trouver le formulaire d'inscription ?"),
    ("question", "nl", "Goedemiddag, tot wanneer kan ik me nog inschrijven?"),
    ("question", "en", "Hello, is there an English version of this page?"),
    ("question", "fr", "Les bureaux sont-ils ouverts pendant les vacances de Noël ?"),
    ("question", "nl", "Is er een telefoonnummer dat ook 's avonds bereikbaar is?"),
    ("complaint", "fr", "Trois semaines sans réponse à mon courriel, ce n'est pas sérieux."),
    ("complaint", "nl", "Ik wacht al een maand op een antwoord op mijn klacht."),
    ("complaint", "en", "Your website has been down all morning, very frustrating."),
    ("off-topic", "fr", "Quelqu'un sait quel temps il fera demain à Namur ?"),
    ("off-topic", "nl", "Wie gaat er zaterdag naar de match?"),
    ("spam", "en", "Earn 5000 EUR a week from home!!! Click my profile now"),
    ("spam", "fr", "Gagnez un iPhone gratuit en cliquant sur ce lien"),
    ("watch", "fr", "Il y a une alerte à la bombe près de la caserne, que se passe-t-il ?"),
    ("watch", "nl", "Is er een bommelding aan het station? Dringend antwoord graag."),
]
# The first channel's waiting items (minutes ago, language, author, text): some fresh, some near
# their deadline, some overdue, one insulting (escalated to a complaint by seed_escalations).
ITEMS = [
    (
        20,
        "fr",
        "Claire D.",
        "Bonjour, les inscriptions pour la journée portes ouvertes sont-elles encore possibles ?",
    ),
    (180, "nl", "Pieter V.", "Waar kan ik de resultaten van de selectie terugvinden?"),
    (19 * 60, "fr", "Marc L.", "Toujours pas de réponse à mon courriel de la semaine passée..."),
    (23 * 60, "nl", "An J.", "Is de website vandaag offline? Ik krijg een foutmelding."),
    (27 * 60, "en", "Sam K.", "Could you share the English version of the announcement?"),
    (50 * 60, "fr", "Anonyme", "Vous êtes tous des incapables, honte à vous."),
]


AUTHORS = ["Claire D.", "Pieter V.", "Sam K.", "Nadia B.", "Wout M.", "Julie R.", "Tom G.",
           "Fatima E.", "Bart S.", "Chloé L.", "Koen D.", "Emma W."]  # fmt: skip
WATCH_TERMS = [
    ("alerte à la bombe", "fr", True),
    ("bommelding", "nl", True),
    ("caserne", "", False),
]
SAVED_REPLIES = [
    ("fr", "Merci", "Bonjour {author}, merci pour votre message ! L'équipe de {institution}"),
    ("nl", "Bedankt", "Dag {author}, bedankt voor uw bericht! Het team van {institution}"),
    ("en", "Thank you", "Hello {author}, thank you for your message! The {institution} team"),
    ("fr", "Plainte transmise",
     "Bonjour {author}, nous avons transmis votre plainte à notre service des plaintes, qui "
     "vous répondra personnellement."),
    ("nl", "Klacht doorgestuurd",
     "Dag {author}, we hebben uw klacht doorgestuurd naar onze klachtendienst, die u "
     "persoonlijk zal antwoorden."),
    ("en", "Complaint passed on",
     "Hello {author}, we have passed your complaint to our complaints service, which will "
     "answer you personally."),
]  # fmt: skip


@dataclass
class QueueSeedReport:
    items: int = 0


@dataclass
class EscalationSeedReport:
    cases: int = 0


def seed_queue() -> QueueSeedReport:
    report = QueueSeedReport()
    randomness = random.Random(2026)  # noqa: S311 (demo data, not security)
    now = timezone.now()
    report.items += _first_channel_items(now)
    for institution in Institution.objects.order_by("slug"):
        _watch_terms(institution)
        _saved_replies(institution)
        _on_duty(institution)
        for channel in Channel.objects.for_institution(institution).order_by("pk"):
            if channel.items.filter(external_id__startswith="queue-").exists():
                continue
            for number in range(PER_CHANNEL):
                _, language, text = randomness.choice(MESSAGES)
                minutes = randomness.randint(5, 30 * 60)
                item_apply_event(
                    channel=channel,
                    event=ItemEvent(
                        external_id=f"queue-{channel.pk}-{number}",
                        verb=Verb.CREATE,
                        occurred_at=now - timedelta(minutes=minutes),
                        author_name=randomness.choice(AUTHORS),
                        text=text,
                        language=language,
                    ),
                    now=now - timedelta(minutes=minutes),  # received then: some near, some past
                )
                report.items += 1
        first_channel = Channel.objects.for_institution(institution).order_by("pk").first()
        if first_channel is not None:
            _harassment(first_channel, now)
            _posts(institution, first_channel, now)
            _four_eyes(first_channel, now)
    return report


def _first_channel_items(now: datetime) -> int:
    """``ITEMS`` on each institution's first channel, before anyone is on duty or watching."""
    created = 0
    for institution in Institution.objects.order_by("slug"):
        channel = Channel.objects.for_institution(institution).order_by("pk").first()
        if channel is None or channel.items.filter(external_id__startswith="demo-").exists():
            continue
        for number, (minutes, language, author, text) in enumerate(ITEMS, start=1):
            item_apply_event(
                channel=channel,
                event=ItemEvent(
                    external_id=f"demo-{channel.pk}-{number}",
                    verb=Verb.CREATE,
                    occurred_at=now - timedelta(minutes=minutes),
                    author_name=author,
                    text=text,
                    language=language,
                ),
                now=now - timedelta(minutes=minutes),  # received then: the clock counts from it
            )
        created += len(ITEMS)
    return created


def seed_escalations() -> EscalationSeedReport:
    """A cyber-harassment complaint opened from the insulting item, with its evidence, in every
    institution with a complaint officer. Run after complaints.demo, whose routing rules send
    the case to the complaints service (and which leaves an institution with cases alone)."""
    report = EscalationSeedReport()
    for institution in Institution.objects.order_by("slug"):
        officer = active_officers(institution).order_by("pk").first()
        item = (
            Item.objects.for_institution(institution)
            .filter(text__icontains="honte", complaint_cases__isnull=True)
            .order_by("pk")
            .first()
        )
        if officer is None or item is None:
            continue
        data = social_item(item)
        case = case_open_from_item(
            item=data,
            actor=officer,
            category=Category.objects.get(institution=None, code="cyber_harassment"),
            subject="Insultes répétées sous nos publications",
        )
        evidence_preserve(case=case, actor=officer, item=data)
        advice_record(case=case, actor=officer, step="do_not_respond")
        report.cases += 1
    return report


def _harassment(channel: Channel, now: datetime) -> None:
    if channel.items.filter(external_id=f"harassment-{channel.pk}").exists():
        return
    team = list(moderators(channel.institution)[:1])
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=f"harassment-{channel.pk}",
            verb=Verb.CREATE,
            occurred_at=now - timedelta(hours=2),
            author_name="Anon 4521",
            text="Toi la modératrice, on sait où tu travailles. Fais attention en rentrant.",
            language="fr",
            permalink="https://social.example/@anon4521/1",
            raw={"id": "1", "account": {"acct": "anon4521"}},
        ),
        now=now - timedelta(hours=2),
    )
    if team:
        item_mark_harassment(
            item=item, actor=team[0], advice=["do_not_respond", "document", "police_complaint"],
            referral_target="trusted_person", referral_person="Personne de confiance (HR)",
        )  # fmt: skip


def _posts(institution: Institution, channel: Channel, now: datetime) -> None:
    """Drafts, reviews, a sensitive post and published ones spread over this month."""
    if Post.objects.for_institution(institution).exists():
        return
    team = list(moderators(institution))
    if len(team) < 2:
        return
    author, reviewer = team[0], team[1]
    plans = [
        ("Journée portes ouvertes", 3, "published", False),
        ("Recrutement : séance d'information", 7, "approved", False),
        ("Bilan de l'exercice hivernal", 10, "in_review", False),
        ("Réaction à l'article de presse", 12, "in_review", True),
        ("Nouvelle brochure", 15, "changes_requested", False),
        ("Calendrier des fêtes", 20, "draft", False),
    ]
    start = now.astimezone(institution.zone).replace(day=1, hour=10, minute=0, second=0)
    for title, day, state, sensitive in plans:
        post = posts.post_create(
            institution=institution,
            author=author,
            draft=posts.PostDraft(
                channel=channel, title=title, planned_at=start + timedelta(days=day - 1),
                sensitive=sensitive,
                texts={"fr": f"{title}. Plus d'infos sur notre site.",
                       "nl": f"{title} (NL). Meer info op onze website."},
            ),
        )  # fmt: skip
        if state == "draft":
            continue
        post = posts.post_submit(post=post, actor=author)
        if state == "changes_requested":
            posts.post_request_changes(post=post, actor=reviewer, note="Ajoutez le lien.")
        elif state in ("approved", "published"):
            post = posts.post_approve(post=post, actor=reviewer)
            if state == "published":
                posts.post_publish(
                    post=post, actor=author, url=f"https://social.example/posts/{post.pk}"
                )


SENSITIVE_ACCOUNTS = (
    ("@journaliste.demo", "Journaliste (démo)", SensitiveAccount.Category.JOURNALIST),
    ("@echevin.demo", "Échevin (démo)", SensitiveAccount.Category.ELECTED_OFFICIAL),
)


def _four_eyes(channel: Channel, now: datetime) -> None:
    """Two sensitive accounts on the channel's platform and, from one of them, an item whose
    removal a moderator proposed and a second one has still to approve (four eyes)."""
    institution = channel.institution
    if SensitiveAccount.objects.for_institution(institution).exists():
        return
    admin = User.objects.members_of(institution, (Role.INSTITUTION_ADMIN,)).first()
    if admin is None:
        return
    for handle, name, category in SENSITIVE_ACCOUNTS:
        sensitive_account_save(
            institution=institution,
            actor=admin,
            account=SensitiveAccount(
                platform=channel.platform, handle=handle, name=name, category=category
            ),
        )
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=f"four-eyes-{channel.pk}",
            verb=Verb.CREATE,
            occurred_at=now - timedelta(minutes=50),
            author_name="Journaliste (démo)",
            author_handle=SENSITIVE_ACCOUNTS[0][0],
            text="Votre communiqué d'hier est mensonger, bande d'incapables.",
            language="fr",
        ),
        now=now - timedelta(minutes=50),
    )
    rule = rules_justifying(institution, "remove").first()
    proposer = moderators(institution).first()
    if rule is None or proposer is None:
        return
    item_remove(
        item=item, actor=proposer, rule=rule,
        reasons="Insulte envers le personnel (règle sur le respect).",
    )  # fmt: skip


def _watch_terms(institution: Institution) -> None:
    for term, language, urgent in WATCH_TERMS:
        WatchTerm.objects.get_or_create(
            institution=institution, term=term, defaults={"language": language, "urgent": urgent}
        )


def _saved_replies(institution: Institution) -> None:
    for language, title, text in SAVED_REPLIES:
        SavedReply.objects.get_or_create(
            institution=institution, language=language, title=title, defaults={"text": text}
        )


def _on_duty(institution: Institution) -> None:
    ids = (
        Membership.objects.for_institution(institution)
        .active()
        .filter(role__in=(Role.COMMUNICATOR, Role.SPOKESPERSON))
        .values("user_id")
    )
    people = list(User.objects.filter(pk__in=ids).order_by("pk"))
    for user in people:
        duty_set(institution=institution, user=user, on_duty=True)
    admin = User.objects.members_of(institution, (Role.INSTITUTION_ADMIN,)).first()
    if people and admin is not None:  # this week's duty officer, for the escalation ladder
        week = ladder.week_start(institution, timezone.now())
        ladder.duty_officer_set(institution=institution, actor=admin, week=week, user=people[0])


@dataclass
class ContestSeedReport:
    contests: int = 0


DEMO_CONTESTS = (
    ("Message publicitaire répété sous plusieurs publications.", "", ""),
    (
        "Publicité pour un site commercial sans rapport avec nos publications.",
        "Ce n'était pas de la publicité : je renvoyais vers une association sans but lucratif.",
        "",
    ),
    (
        "Propos insultants envers d'autres participants.",
        "Mijn bericht was scherp, maar niet beledigend: ik citeerde een krantenartikel.",
        "Le message cite un article de presse ; il est vif mais ne vise personne.",
    ),
)
"""(reasons of the hide, the person's explanation or "" for a hide nobody contested, the
reversal's reasons or "" to leave the contest open)."""


def seed_contests() -> ContestSeedReport:
    """Three hides in every institution with house rules and two moderators, each with its
    public page: one not contested, one contested and still being reviewed, one reversed by the
    second moderator.
    Idempotent (skipped once an institution has contests)."""
    report = ContestSeedReport()
    for institution in Institution.objects.order_by("slug"):
        team = list(moderators(institution)[:2])
        rule = rules_justifying(institution, "hide").first()
        if len(team) < 2 or rule is None:
            continue
        if Contest.objects.for_institution(institution).exists():
            continue
        items = (
            Item.objects.for_institution(institution)
            .filter(status=ItemStatus.OPEN)
            .exclude(kind=ItemKind.DIRECT_MESSAGE)
            .order_by("pk")[: len(DEMO_CONTESTS)]
        )
        for item, (reasons, explanation, reversal) in zip(items, DEMO_CONTESTS, strict=False):
            hidden = item_hide(item=item, actor=team[0], rule=rule, reasons=reasons).decision
            if not explanation:
                continue
            contest = contest_open(
                statement=hidden.statement,
                explanation=explanation,
                contact_email="",
                language=hidden.statement.language,
            )
            if reversal:
                contest_decide(contest=contest, actor=team[1], outcome="reversed", reasons=reversal)
            report.contests += 1
    return report
