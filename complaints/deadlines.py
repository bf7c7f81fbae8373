"""Complaint cases as a source for the deadline check (see deadlines/engine.py).

A case owes its individual answer by ``due_at`` while it is received, acknowledged, in progress
or on hold; on hold leaves the check when the institution suspends the clock while waiting for
the complainant (resuming moves the deadline and re-arms the warning). A case answered once
owes nothing more, even moved back to in progress (``CaseQuerySet.answer_owed``). Warning: the
assigned officer while still an active complaint officer of the institution, else the assigned
team's members who are, else every complaint officer. Breach: the same people and the
institution's admins. Notices name the case by its reference, never the complainant.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, Role, User
from accounts.recipients import people_by_institution, unique
from complaints.models import Case, Team
from deadlines.sources import Subject, Texts, Threshold


class CaseDeadlines:
    name = "case"
    texts = Texts(
        warning_subject=_("Complaint %(label)s: answer due by %(due)s"),
        warning_body=_(
            "The individual answer to complaint %(label)s is due by %(due)s (%(left)s left). The "
            "warning threshold was crossed at %(crossed)s."
        ),
        breach_subject=_("Complaint %(label)s: answer deadline missed"),
        breach_body=_(
            "The individual answer to complaint %(label)s was due by %(due)s and has not been "
            "sent: late by %(late)s."
        ),
    )
    missed_template = "complaints/_missed_cases.html"

    def to_warn(self, now: datetime) -> QuerySet[Case]:
        return Case.objects.answer_owed().filter(warned_at__isnull=True, warn_at__lte=now)

    def to_breach(self, now: datetime) -> QuerySet[Case]:
        return Case.objects.overdue(now).filter(breached_at__isnull=True)

    def missed(self, institution: Institution, now: datetime) -> QuerySet[Case]:
        return (
            Case.objects.for_institution(institution)
            .overdue(now)
            .select_related("assigned_officer", "category")
            .order_by("due_at", "pk")
        )

    def subjects(self, ids: list[int], threshold: Threshold) -> list[Subject]:
        rows = list(
            Case.objects.filter(pk__in=ids).values_list(
                "pk", "institution_id", "reference", "warn_at", "due_at", "assigned_officer_id",
                "assigned_team_id",
            )
        )  # fmt: skip
        institutions = Institution.objects.in_bulk({row[1] for row in rows})
        teams: dict[int, list[User]] = {}
        for team in Team.objects.filter(pk__in={row[6] for row in rows if row[6]}).prefetch_related(
            "members"
        ):
            teams[team.pk] = list(team.members.all())
        officers = people_by_institution(institutions, (Role.COMPLAINT_OFFICER,))
        admins = (
            people_by_institution(institutions, (Role.INSTITUTION_ADMIN,))
            if threshold is Threshold.BREACH
            else {}
        )
        subjects = []
        for pk, institution_id, reference, warn, due, officer_id, team_id in rows:
            staff = officers.get(institution_id, [])
            serving = {user.pk: user for user in staff}
            first_line: list[User] = [serving[officer_id]] if officer_id in serving else []
            if not first_line:
                members = [user for user in teams.get(team_id or 0, []) if user.pk in serving]
                first_line = members or staff
            institution = institutions[institution_id]
            subjects.append(
                Subject(
                    pk=pk,
                    institution=institution,
                    label=reference,
                    url=reverse(
                        "complaints:case-detail",
                        kwargs={"institution_slug": institution.slug, "reference": reference},
                    ),
                    warn_at=warn,
                    due_at=due,
                    recipients=unique(first_line, admins.get(institution_id, [])),
                )
            )
        return subjects


CASES = CaseDeadlines()
