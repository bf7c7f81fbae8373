"""The API (``api-v1`` namespace, walked by api/tests/test_walk.py) and the admins' token
page (``api`` namespace, in the URL walker's EXPECTATIONS)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.auth import PUBLIC
from api.views import tokens, v1


class Schema(SpectacularAPIView):
    scopes = {"GET": PUBLIC}
    authentication_classes: list[Any] = []


class Docs(SpectacularSwaggerSplitView):
    scopes = {"GET": PUBLIC}
    authentication_classes: list[Any] = []


def api(view: Any) -> Any:
    """An API view: the token authenticates it, not the session (LoginRequiredMiddleware
    lets it through; the view refuses what the token may not do)."""
    return login_not_required(view.as_view())


v1_patterns = [
    path("schema/", api(Schema), name="schema"),
    path("docs/", login_not_required(Docs.as_view(url_name="api-v1:schema")), name="docs"),
    path("channels/", api(v1.ChannelList), name="channel-list"),
    path("channels/<int:channel_id>/", api(v1.ChannelDetail), name="channel-detail"),
    path("items/", api(v1.ItemList), name="item-list"),
    path("items/<int:item_id>/", api(v1.ItemDetail), name="item-detail"),
    path("items/<int:item_id>/history/", api(v1.ItemHistory), name="item-history"),
    path("items/<int:item_id>/decisions/", api(v1.ItemDecide), name="item-decide"),
    path("decisions/<int:decision_id>/", api(v1.DecisionDetail), name="decision-detail"),
    path("cases/", api(v1.CaseList), name="case-list"),
    path("cases/<str:reference>/", api(v1.CaseDetail), name="case-detail"),
    path("cases/<str:reference>/status/", api(v1.CaseStatus), name="case-status"),
    path("cases/<str:reference>/letters/", api(v1.CaseLetters), name="case-letters"),
    path("categories/", api(v1.CategoryList), name="category-list"),
    path("routing-rules/", api(v1.RoutingRuleList), name="routing-rule-list"),
    path("charters/", api(v1.CharterList), name="charter-list"),
    path("charters/<int:charter_id>/", api(v1.CharterDetail), name="charter-detail"),
    path("statistics/", api(v1.Statistics), name="statistics"),
    path("statements/", api(v1.Statements), name="statements"),
    path("transparency/<slug:slug>/", api(v1.Transparency), name="transparency"),
]

app_name = "api"

urlpatterns = [
    path("i/<slug:institution_slug>/api-tokens/", tokens.token_list, name="tokens"),
    path(
        "i/<slug:institution_slug>/api-tokens/<int:token_id>/revoke/",
        tokens.token_revoke_view,
        name="token-revoke",
    ),
]
