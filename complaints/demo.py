"""Demo complaints: every status, source and category across the demo institutions, some near
and past their deadline, one on hold (its complainant e-mailed a tracking link), the answered
ones with their printed answer letter, the closed one under legal hold, two recommendations.
The cyber-harassment case escalated from a social item is moderation's
(moderation.demo.seed_escalations, run after this).

Each institution gets a "Complaints service" team of its officers and a default route to it.
Idempotent: an institution that already has cases is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Institution, Membership, Role, User
from complaints.categories import ensure_builtin
from complaints.models import (
    Case,
    Category,
    Correspondence,
    LetterKind,
    Recommendation,
    RoutingRule,
    Team,
)
from complaints.services import cases
from complaints.services.cases import ComplainantData
from complaints.services.holds import hold_place
from complaints.services.recommendations import recommendation_save
from complaints.services.tracking import Via, tracking_send

# (days ago, source, category, language, subject, complainant name, final step)
CASES = [
    (1, "web_form", "information_error", "fr", "Date erronée sur la page de recrutement",
     "Sophie Lambert", "received"),
    (3, "phone", "service_quality", "nl", "Niemand neemt de telefoon op", "Tom Claes",
     "acknowledged"),
    (12, "email", "accessibility", "en", "Online form unusable with a screen reader",
     "Alex Morgan", "in_progress"),
    (18, "letter", "staff_behaviour", "fr", "Accueil désagréable au guichet", "Jean Dubois",
     "on_hold"),
    (26, "in_person", "privacy", "nl", "Mijn gegevens werden zonder toestemming gedeeld",
     "Els Wouters", "in_progress"),  # the warning zone: 75 % of 30 days are gone
    (35, "email", "service_quality", "fr", "Aucune réponse à ma demande de remboursement",
     "Paul Lefèvre", "acknowledged"),  # overdue
    (40, "web_form", "other", "de", "Antrag auf Auskunft", "Karl Schmidt", "answered"),
    (60, "phone", "staff_behaviour", "nl", "Onbeleefde medewerker", "Lotte Peeters", "closed"),
]  # fmt: skip


@dataclass
class ComplaintSeedReport:
    cases: int = 0


def seed_complaints() -> ComplaintSeedReport:
    ensure_builtin(Category)
    report = ComplaintSeedReport()
    for institution in Institution.objects.order_by("slug"):
        officers = _officers(institution)
        if not officers or Case.objects.for_institution(institution).exists():
            continue
        _route(institution, officers)
        officer = officers[0]
        for days, source, category, language, subject, name, step in CASES:
            case = cases.case_register(
                institution=institution,
                actor=None if source == "web_form" else officer,
                source=source,
                category=Category.objects.get(institution=None, code=category),
                subject=subject,
                description=f"{subject}.",
                language=language,
                complainant=ComplainantData(name=name, email=_email(name)),
                received_at=timezone.now() - timedelta(days=days, hours=2),
            )
            _advance(case, officer, step, days)
            report.cases += 1
        _recommendations(institution, officer)
    return report


def _recommendations(institution: Institution, officer: User) -> None:
    cases_ = Case.objects.for_institution(institution)
    for title, body, status, category in (
        (
            "Answer the phone line until 17:00",
            "Several complainants could not reach us by phone after 15:00. Extend the hours of "
            "the free number and announce them on the website.",
            Recommendation.Status.SENT,
            "service_quality",
        ),
        (
            "Make the online forms usable with a screen reader",
            "Fix the labels and error messages of the online forms (WCAG 2.1 AA) and test them "
            "with assistive technology before each publication.",
            Recommendation.Status.DRAFT,
            "accessibility",
        ),
    ):
        category_row = Category.objects.get(institution=None, code=category)
        recommendation_save(
            institution=institution,
            actor=officer,
            recommendation=Recommendation(title=title, body=body, status=status),
            categories=[category_row],
            cases=cases_.filter(category=category_row),
        )


def _officers(institution: Institution) -> list[User]:
    ids = (
        Membership.objects.for_institution(institution)
        .active()
        .filter(role=Role.COMPLAINT_OFFICER)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _route(institution: Institution, officers: list[User]) -> None:
    team, _ = Team.objects.get_or_create(institution=institution, name="Complaints service")
    team.members.set(officers)
    RoutingRule.objects.get_or_create(
        institution=institution,
        is_default=True,
        defaults={"name": "Complaints service", "team": team},
    )


def _advance(case: Case, officer: User, step: str, days: int) -> None:
    now = timezone.now()
    if step == "received":
        return
    cases.case_acknowledge(case=case, actor=officer, at=case.received_at + timedelta(hours=20))
    if step in ("in_progress", "on_hold", "answered", "closed"):
        cases.case_start(case=case, actor=officer)
    if step == "on_hold":
        cases.case_hold(
            case=case,
            actor=officer,
            reason="Waiting for the complainant's copy of the letter",
            at=now - timedelta(days=4),
        )
        tracking_send(case=case, actor=officer, via=Via.OFFICER)
    if step in ("answered", "closed"):
        _answer_by_letter(case, officer, at=now - timedelta(days=days - 20))
    if step == "closed":
        cases.case_close(case=case, actor=officer, outcome="partly_founded")
        hold_place(
            institution=case.institution,
            actor=officer,
            case=case,
            reason="The complainant brought the matter to court: keep the file (demo)",
        )


ANSWERS = {
    "fr": "Madame, Monsieur,\n\nNous avons examiné votre plainte et vous répondons ci-dessous.",
    "nl": "Geachte mevrouw, geachte heer,\n\nWe hebben uw klacht onderzocht en antwoorden u "
    "hieronder.",
    "en": "Dear Sir or Madam,\n\nWe have looked into your complaint and answer it below.",
}


def _answer_by_letter(case: Case, officer: User, at: datetime) -> None:
    """The answer as a printed letter filed with the case, as ``letter_send`` files one, but
    dated in the past like the rest of the demo case."""
    letter = Correspondence.objects.create(
        institution_id=case.institution_id,
        case=case,
        kind=LetterKind.ANSWER,
        channel=Correspondence.Channel.LETTER,
        subject=case.subject,
        body=ANSWERS.get(case.language, ANSWERS["en"]),
        sent_at=at,
        sent_by=officer,
    )
    cases.case_answer(
        case=case, actor=officer, at=at, details={"channel": letter.channel, "letter_id": letter.pk}
    )


def _email(name: str) -> str:
    local = "".join(c for c in name.lower().replace(" ", ".") if c.isascii() and c != "'")
    return f"{local}@example.org"
