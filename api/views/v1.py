"""The REST API, version 1: thin views over the services, selectors and querysets the pages
use. No rule lives here: a refusal is the service's, with the page's message.

Every view declares ``scopes`` (api.auth); every query starts from the token's institution.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Institution
from api import serializers as out
from api.auth import PUBLIC, ServiceRefused, institution_of
from api.models import Scope
from channels.models import Channel
from charter.models import Charter, CharterRule
from complaints.filters import CaseFilter
from complaints.models import Case, Category, RoutingRule, TimelineEvent
from complaints.services import cases as case_services
from complaints.services.cases import CaseTransitionError, ComplainantData
from moderation.models import Decision, Item
from moderation.selectors import Cursor, item_page_items, queue_items
from moderation.services import decisions
from moderation.services.outcomes import DecisionRefused, Outcome
from reports.monthly import monthly_report
from reports.periods import Month
from reports.statements import as_json_lines, statements
from reports.transparency import transparency_cached

ERRORS = {
    400: OpenApiResponse(out.ErrorSerializer, description="Bad input, or a refusal"),
    401: OpenApiResponse(out.ErrorSerializer, description="No token, or not valid"),
    403: OpenApiResponse(out.ErrorSerializer, description="The token lacks the scope"),
    404: OpenApiResponse(out.ErrorSerializer, description="Not found"),
    429: OpenApiResponse(out.ErrorSerializer, description="Rate limit: see Retry-After"),
}
PUBLIC_ERRORS = {code: ERRORS[code] for code in (400, 404, 429)}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def responses(ok: dict[Any, Any]) -> dict[Any, Any]:
    """The success response(s) and every error an endpoint with a token may answer."""
    return {**ok, **ERRORS}


def _id(number: int) -> int:
    """A path id: PostgreSQL integers only (a bigger number is simply not found)."""
    if number > 2**31 - 1:
        raise exceptions.NotFound
    return number


# --- channels ---------------------------------------------------------------------------------


class ChannelList(APIView):
    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.ChannelSerializer(many=True)}), tags=["items"])
    def get(self, request: Request) -> Response:
        channels = Channel.objects.for_institution(institution_of(request)).order_by("pk")
        return Response(out.ChannelSerializer(channels, many=True).data)


class ChannelDetail(APIView):
    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.ChannelSerializer}), tags=["items"])
    def get(self, request: Request, channel_id: int) -> Response:
        channel = get_object_or_404(
            Channel.objects.for_institution(institution_of(request)), pk=_id(channel_id)
        )
        return Response(out.ChannelSerializer(channel).data)


# --- items ------------------------------------------------------------------------------------

QUEUE_FILTERS = [
    OpenApiParameter("status", str, description="open (default), answered, hidden, ..."),
    OpenApiParameter("channel", int),
    OpenApiParameter("platform", str),
    OpenApiParameter("language", str),
    OpenApiParameter("assigned", str, enum=["me", "unassigned"]),
    OpenApiParameter("hits", bool),
    OpenApiParameter("due_within", int, description="hours, 1 to 720"),
    OpenApiParameter("breached", bool),
    OpenApiParameter("second_look", bool),
    OpenApiParameter("not_executed", bool),
    OpenApiParameter("after", str, description="the `next` cursor of the previous page"),
    OpenApiParameter("size", int, description=f"rows per page, 1 to {MAX_PAGE_SIZE}"),
]


class ItemList(APIView):
    """The queue: the same filters, order and keyset pages as the queue page."""

    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(
        parameters=QUEUE_FILTERS, responses=responses({200: out.ItemPageSerializer}),
        tags=["items"], operation_id="items_list",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        params = request.query_params.copy()
        size = _size(params.pop("size", [""])[-1])
        after = params.pop("after", [""])[-1]
        cursor = Cursor.decode(after) if after else None
        if after and cursor is None:
            raise exceptions.ValidationError({"after": [_("This is not a cursor of this list.")]})
        if not params:
            params = QueryDict("status=open", mutable=True)
        found = queue_items(institution_of(request), request.user, params)
        if not found.filters.is_valid():
            raise exceptions.ValidationError(found.filters.errors)
        page = found.page(now=timezone.now(), cursor=cursor, size=size)
        return Response(
            {
                "results": out.QueueItemSerializer(page.items, many=True).data,
                "next": page.next_cursor.encode() if page.next_cursor else None,
            }
        )


def _size(value: str) -> int:
    if not value:
        return PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError(
            {"size": [_("A number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE}]}
        )
    return int(value)


def _item(request: Request, item_id: int) -> Item:
    return get_object_or_404(item_page_items(institution_of(request)), pk=_id(item_id))


class ItemDetail(APIView):
    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.ItemSerializer}), tags=["items"])
    def get(self, request: Request, item_id: int) -> Response:
        return Response(out.ItemSerializer(_item(request, item_id)).data)


def _decisions(institution: Institution) -> QuerySet[Decision]:
    return Decision.objects.for_institution(institution).select_related("actor", "case")


class ItemHistory(APIView):
    """Its decisions (who, what, when, citing which rule) and the revisions of its text."""

    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.ItemHistorySerializer}), tags=["items"])
    def get(self, request: Request, item_id: int) -> Response:
        item = _item(request, item_id)
        found = _decisions(item.institution).filter(item=item).order_by("created_at", "pk")
        return Response(
            {
                "decisions": out.DecisionSerializer(found, many=True).data,
                "revisions": out.RevisionSerializer(
                    item.revisions.order_by("edited_at"), many=True
                ).data,
            }
        )


class ItemDecide(APIView):
    """Decide on the item exactly as the item page does, through the same services: a reply,
    a hide or removal citing a house rule in force (proposed for a second look when four eyes
    apply), no action, or an escalation to a complaint."""

    scopes = {"POST": Scope.ITEMS_ACT}

    @extend_schema(
        request=out.DecisionCreateSerializer,
        responses=responses({201: out.DecisionOutcomeSerializer}),
        tags=["items"],
    )
    def post(self, request: Request, item_id: int) -> Response:
        item = _item(request, item_id)
        form = out.DecisionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            outcome = _decide(item, request.user, data)
        except DecisionRefused as refused:
            raise ServiceRefused(str(refused)) from refused
        decision = _decisions(item.institution).get(pk=outcome.decision.pk)
        return Response(
            {
                "decision": out.DecisionSerializer(decision).data,
                "item_status": outcome.item.status,
                "proposed": outcome.proposal is not None,
            },
            status=201,
        )


def _decide(item: Item, actor: Any, data: dict[str, Any]) -> Outcome:
    action = data["action"]
    note = data.get("note", "")
    if action == "reply":
        return decisions.item_reply(item=item, actor=actor, text=data.get("text", ""), note=note)
    if action in ("hide", "remove"):
        rule = CharterRule.objects.filter(pk=data["rule"]).first() if "rule" in data else None
        moderate = decisions.item_hide if action == "hide" else decisions.item_remove
        return moderate(
            item=item,
            actor=actor,
            rule=rule,
            reasons=data.get("reasons", ""),
            concerns_criticism=data.get("concerns_criticism", False),
        )
    if action == "no_action":
        return decisions.item_no_action(item=item, actor=actor, note=note)
    category = decisions.escalation_category(item, data.get("category"))
    return decisions.item_escalate(
        item=item, actor=actor, category=category, subject=data.get("subject", ""), note=note
    )


class DecisionDetail(APIView):
    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.DecisionSerializer}), tags=["items"])
    def get(self, request: Request, decision_id: int) -> Response:
        decision = get_object_or_404(_decisions(institution_of(request)), pk=_id(decision_id))
        return Response(out.DecisionSerializer(decision).data)


# --- complaints -------------------------------------------------------------------------------


class CaseList(APIView):
    """Complaints (with the officers' filters), by deadline; registering one from any source."""

    scopes = {"GET": Scope.CASES_READ, "POST": Scope.CASES_WRITE}

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="open (default), all, or a status"),
            OpenApiParameter("category", int),
            OpenApiParameter("source", str),
            OpenApiParameter("q", str, description="reference or subject"),
            OpenApiParameter("deadline", str),
            OpenApiParameter("page", int),
        ],
        responses=responses({200: out.CasePageSerializer}),
        tags=["cases"],
        operation_id="cases_list",
    )
    def get(self, request: Request) -> Response:
        institution = institution_of(request)
        data = request.query_params.copy()
        number = data.pop("page", ["1"])[-1]
        if not data:
            data = QueryDict("status=open", mutable=True)
        filters = CaseFilter(
            data, queryset=Case.objects.for_institution(institution), institution=institution
        )
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        if not number.isdigit() or not 1 <= int(number) <= 100_000:
            raise exceptions.ValidationError({"page": [_("A page number.")]})
        paginator = Paginator(filters.qs.order_by("due_at", "pk"), PAGE_SIZE)
        page = paginator.get_page(number)
        return Response(
            {
                "results": out.CaseRowSerializer(page, many=True).data,
                "next_page": page.next_page_number() if page.has_next() else None,
            }
        )

    @extend_schema(
        request=out.CaseCreateSerializer,
        responses=responses({201: out.CaseDetailSerializer}),
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        institution = institution_of(request)
        form = out.CaseCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        category = Category.objects.available_to(institution).filter(pk=data["category"]).first()
        if category is None:
            raise exceptions.ValidationError({"category": [_("No such category.")]})
        try:
            case = case_services.case_register(
                institution=institution,
                actor=request.user,
                source=data["source"],
                category=category,
                subject=data["subject"],
                description=data["description"],
                language=data["language"],
                received_at=data.get("received_at"),
                complainant=ComplainantData(
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    postal_address=data["postal_address"],
                    is_staff_member=data["is_staff_member"],
                ),
            )
        except CaseTransitionError as error:
            raise ServiceRefused(str(error)) from error
        return Response(out.CaseDetailSerializer(_case(request, case.reference)).data, status=201)


def _case(request: Request, reference: str) -> Case:
    return get_object_or_404(
        Case.objects.for_institution(institution_of(request))
        .select_related("complainant")
        .prefetch_related(Prefetch("timeline", TimelineEvent.objects.select_related("actor"))),
        reference=reference,
    )


class CaseDetail(APIView):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(responses=responses({200: out.CaseDetailSerializer}), tags=["cases"])
    def get(self, request: Request, reference: str) -> Response:
        return Response(out.CaseDetailSerializer(_case(request, reference)).data)


class CaseStatus(APIView):
    """Move the case as the case page's buttons do (hold and resume included)."""

    scopes = {"POST": Scope.CASES_WRITE}

    @extend_schema(
        request=out.CaseStatusSerializer,
        responses=responses({200: out.CaseDetailSerializer}),
        tags=["cases"],
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        form = out.CaseStatusSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        actor = request.user
        try:
            match data["action"]:
                case "acknowledge":
                    case_services.case_acknowledge(case=case, actor=actor)
                case "start":
                    case_services.case_start(case=case, actor=actor)
                case "hold":
                    case_services.case_hold(case=case, actor=actor, reason=data.get("reason", ""))
                case "resume":
                    case_services.case_resume(case=case, actor=actor)
                case "answer":
                    case_services.case_answer(case=case, actor=actor)
                case "close":
                    case_services.case_close(
                        case=case, actor=actor, outcome=data.get("outcome", "")
                    )
                case "reopen":
                    case_services.case_reopen(case=case, actor=actor, reason=data.get("reason", ""))
        except CaseTransitionError as error:
            raise ServiceRefused(str(error)) from error
        return Response(out.CaseDetailSerializer(_case(request, reference)).data)


class CaseLetters(APIView):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(responses=responses({200: out.LetterSerializer(many=True)}), tags=["cases"])
    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        letters = case.correspondence.select_related("sent_by").order_by("sent_at", "pk")
        return Response(out.LetterSerializer(letters, many=True).data)


class CategoryList(APIView):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(responses=responses({200: out.CategorySerializer(many=True)}), tags=["cases"])
    def get(self, request: Request) -> Response:
        found = Category.objects.of_institution(institution_of(request)).order_by("code", "pk")
        return Response(out.CategorySerializer(found, many=True).data)


class RoutingRuleList(APIView):
    scopes = {"GET": Scope.CASES_READ}

    @extend_schema(responses=responses({200: out.RoutingRuleSerializer(many=True)}), tags=["cases"])
    def get(self, request: Request) -> Response:
        rules = (
            RoutingRule.objects.filter(institution=institution_of(request))
            .select_related("team", "officer")
            .prefetch_related("categories", "channels")
            .order_by("position", "pk")
        )
        return Response(out.RoutingRuleSerializer(rules, many=True).data)


# --- charters ---------------------------------------------------------------------------------


class CharterList(APIView):
    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.CharterSerializer(many=True)}), tags=["charters"])
    def get(self, request: Request) -> Response:
        charters = Charter.objects.for_institution(institution_of(request)).order_by("pk")
        return Response(out.CharterSerializer(charters, many=True).data)


class CharterDetail(APIView):
    """The charter and its published versions with their texts and rules (no draft)."""

    scopes = {"GET": Scope.ITEMS_READ}

    @extend_schema(responses=responses({200: out.CharterDetailSerializer}), tags=["charters"])
    def get(self, request: Request, charter_id: int) -> Response:
        charter = get_object_or_404(
            Charter.objects.for_institution(institution_of(request)), pk=_id(charter_id)
        )
        return Response(out.CharterDetailSerializer(charter).data)


# --- reports ----------------------------------------------------------------------------------

MONTH = OpenApiParameter("month", str, description="YYYY-MM (default: last month)")


def _month(request: Request, institution: Institution, default: Month) -> Month:
    value = request.query_params.get("month", "")
    if not value:
        return default
    month = Month.parse(value, institution.zone)
    if month is None:
        raise exceptions.ValidationError({"month": [_("Give the month as YYYY-MM.")]})
    return month


class Statistics(APIView):
    """The monthly report's tables (the month, the month before, the same month a year
    earlier), as the report page computes them."""

    scopes = {"GET": Scope.REPORTS_READ}

    @extend_schema(
        parameters=[MONTH, OpenApiParameter("channel", int)],
        responses=responses({200: out.StatisticsSerializer}),
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        institution = institution_of(request)
        now = timezone.now()
        month = _month(request, institution, Month.containing(now, institution.zone).previous())
        channel = None
        value = request.query_params.get("channel", "")
        if value:
            if not value.isdigit():
                raise exceptions.ValidationError({"channel": [_("A channel id.")]})
            channel = get_object_or_404(
                Channel.objects.for_institution(institution), pk=_id(int(value))
            )
        report = monthly_report(institution, month, now, channel)
        return Response(
            {
                "month": month.key,
                "periods": [period.key for period in report.periods],
                "channel": channel.pk if channel else None,
                "tables": [
                    {
                        "key": table.key,
                        "title": str(table.title),
                        "dimension": str(table.dimension),
                        "rows": [
                            {"label": str(row.label), "values": row.values, "unit": str(row.unit)}
                            for row in table.rows
                        ],
                    }
                    for table in report.tables
                ],
            }
        )


class Statements(APIView):
    """Hides and removals of a month as DSA statements of reasons, JSON Lines (the export of
    the reports page)."""

    scopes = {"GET": Scope.REPORTS_READ}

    @extend_schema(
        parameters=[MONTH],
        responses={
            (200, "application/jsonl"): OpenApiResponse(
                OpenApiTypes.STR, description="One statement of reasons (JSON) per line"
            ),
            **{code: ERRORS[code] for code in (400, 401, 403, 429)},
        },
        tags=["reports"],
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        institution = institution_of(request)
        month = _month(request, institution, Month.containing(timezone.now(), institution.zone))
        return StreamingHttpResponse(
            as_json_lines(statements(institution, month)), content_type="application/jsonl"
        )


class Transparency(APIView):
    """Public, no token: the figures of the transparency page (cached as the page is)."""

    scopes = {"GET": PUBLIC}
    authentication_classes: list[Any] = []

    @extend_schema(
        responses={200: out.TransparencySerializer, **PUBLIC_ERRORS},
        auth=[],
        tags=["public"],
    )
    def get(self, request: Request, slug: str) -> Response:
        institution = get_object_or_404(Institution, slug=slug)
        months = transparency_cached(institution)
        return Response(
            {
                "institution": institution.slug,
                "months": [
                    {
                        "month": month.month.key,
                        "handled": month.handled,
                        "answered_in_time_share": month.answered_in_time_share,
                        "complaints_received": month.complaints_received,
                        "complaints_in_time_share": month.complaints_in_time_share,
                        "contests_received": month.contests_received,
                        "contests_upheld": month.contests_upheld,
                        "contests_reversed": month.contests_reversed,
                        "rules": [vars(rule) for rule in month.rules],
                    }
                    for month in months
                ],
            }
        )
