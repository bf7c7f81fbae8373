"""Dashboard, monthly report (with CSV), statements of reasons export, transparency page."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, Role
from accounts.tenancy import InstitutionRequest, requires_role
from channels.models import Channel
from govsocial.csv_export import csv_download
from govsocial.ledger.canonical import GENESIS
from govsocial.ledger.models import LedgerDigest
from govsocial.ledger.selectors import ALGORITHM, published_day, published_digests
from moderation.views.platform_to_do import ROLES as TO_DO_ROLES
from reports.charts import bar_chart
from reports.dashboard import dashboard as dashboard_figures
from reports.monthly import monthly_report
from reports.periods import Month
from reports.statements import as_json_lines, statements
from reports.transparency import transparency_cached

READERS = (Role.COMMUNICATOR, Role.COMPLAINT_OFFICER, Role.INSTITUTION_ADMIN)


@requires_role(*READERS)
def dashboard(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    roles = request.institution_roles
    return render(
        request,
        "reports/dashboard.html",
        {
            "figures": dashboard_figures(request.institution, timezone.now()),
            "can_queue": Role.COMMUNICATOR in roles,
            "can_to_do": bool(roles & set(TO_DO_ROLES)),  # who the to-do list opens to
            "can_cases": Role.COMPLAINT_OFFICER in roles,
            "is_admin": Role.INSTITUTION_ADMIN in roles,
        },
    )


@requires_role(*READERS)
def monthly(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """``?month=YYYY-MM`` (last month by default), ``&channel=<id>``; ``&table=<key>`` with
    ``&format=csv`` downloads one table."""
    institution = request.institution
    now = timezone.now()
    month = Month.parse(request.GET.get("month", ""), institution.zone)
    if month is None:
        month = Month.containing(now, institution.zone).previous()
    channel = None
    channel_id = request.GET.get("channel", "")
    if channel_id.isdigit():
        channel = get_object_or_404(Channel.objects.for_institution(institution), pk=channel_id)
    report = monthly_report(institution, month, now, channel)
    if request.GET.get("format") == "csv":
        table = report.table(request.GET.get("table", ""))
        if table is None:
            raise Http404(_("No such table in the report."))
        suffix = f"-{channel.pk}" if channel else ""
        header = [table.dimension, *(period.label for period in report.periods), _("unit")]
        rows = ([row.label, *("" if v is None else v for v in row.values), row.unit]
                for row in table.rows)  # fmt: skip
        return csv_download(f"{institution.slug}-{month.key}{suffix}-{table.key}.csv", header, rows)
    return render(
        request,
        "reports/monthly.html",
        {
            "report": report,
            "charts": {table.key: bar_chart(table) for table in report.tables if table.chart},
            "channels": Channel.objects.for_institution(institution),
            "months": Month.recent(now, institution.zone, 25),  # the picker
            "can_export": Role.INSTITUTION_ADMIN in request.institution_roles,
        },
    )


@requires_role(Role.INSTITUTION_ADMIN)
def statement_export(request: InstitutionRequest, institution_slug: str) -> StreamingHttpResponse:
    """Hides and removals of a month as DSA statements of reasons, JSON Lines."""
    institution = request.institution
    month = Month.parse(request.GET.get("month", ""), institution.zone) or Month.containing(
        timezone.now(), institution.zone
    )
    response = StreamingHttpResponse(
        as_json_lines(statements(institution, month)), content_type="application/jsonl"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{institution.slug}-{month.key}-statements-of-reasons.jsonl"'
    )
    return response


DIGESTS_SHOWN = 31
"""The page lists the last month of digests; ledger.json has them all."""


@login_not_required
def transparency(request: HttpRequest, institution_slug: str) -> HttpResponse:
    """Public and unauthenticated: its figures are cached (``transparency_cached``)."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    months = transparency_cached(institution)
    digests = LedgerDigest.objects.filter(institution=institution).order_by("-day")
    return render(
        request,
        "reports/transparency.html",
        {
            "institution": institution,
            "months": months,
            "digests": digests[:DIGESTS_SHOWN],
        },
    )


LEDGER_DAY = "%Y-%m-%d"


@login_not_required
def ledger_index(request: HttpRequest, institution_slug: str) -> JsonResponse:
    """Public: every published daily digest of the institution's ledger, newest first. Hashes,
    sequence numbers and counts only (docs/accountability.md, "A verifiable record")."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    return JsonResponse(
        {
            "institution": institution.slug,
            "time_zone": institution.time_zone,
            "algorithm": ALGORITHM,
            "genesis": GENESIS,
            "digests": published_digests(institution),
        }
    )


@login_not_required
def ledger_day(request: HttpRequest, institution_slug: str, day: str) -> JsonResponse:
    """Public: one published day, its entries' hashes and the previous day's head, enough to
    recompute the day's digest without any other data."""
    institution = get_object_or_404(Institution, slug=institution_slug)
    try:
        when = datetime.strptime(day, LEDGER_DAY).date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        return JsonResponse({"error": _("Give the day as YYYY-MM-DD.")}, status=404)
    published = published_day(institution, when)
    if published is None:
        return JsonResponse({"error": _("No digest has been published for this day.")}, status=404)
    return JsonResponse(
        {"institution": institution.slug, "algorithm": ALGORITHM, "genesis": GENESIS, **published}
    )
