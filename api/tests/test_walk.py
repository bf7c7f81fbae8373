"""Every API endpoint, walked like the URL walker: without a token, with a token lacking the
scope, with another institution's token, with the right scope.

A new endpoint fails ``test_every_endpoint_is_walked`` until it is listed in ENDPOINTS, and
one whose view declares no scope for a method is refused to everybody (api.auth.HasScope).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.auth import PUBLIC, scope_of
from api.tests.conftest import ALL_SCOPES, ApiClient, World, make_token

OPEN = "open"
"""Docs and schema: no token, no data."""

ENDPOINTS: dict[str, dict[str, str]] = {
    # name: {url kwarg: the World field it takes}
    "api-v1:schema": {},
    "api-v1:docs": {},
    "api-v1:channel-list": {},
    "api-v1:channel-detail": {"channel_id": "channel_id"},
    "api-v1:item-list": {},
    "api-v1:item-detail": {"item_id": "item_id"},
    "api-v1:item-history": {"item_id": "item_id"},
    "api-v1:item-decide": {"item_id": "item_id"},
    "api-v1:decision-detail": {"decision_id": "decision_id"},
    "api-v1:case-list": {},
    "api-v1:case-detail": {"reference": "reference"},
    "api-v1:case-status": {"reference": "reference"},
    "api-v1:case-letters": {"reference": "reference"},
    "api-v1:category-list": {},
    "api-v1:routing-rule-list": {},
    "api-v1:charter-list": {},
    "api-v1:charter-detail": {"charter_id": "charter_id"},
    "api-v1:statistics": {},
    "api-v1:statements": {},
    "api-v1:transparency": {"slug": "defence"},
}
LISTS_OF_THE_INSTITUTION = {
    "api-v1:channel-list", "api-v1:item-list", "api-v1:case-list", "api-v1:routing-rule-list",
    "api-v1:charter-list", "api-v1:statistics", "api-v1:statements", "api-v1:category-list",
}  # fmt: skip


def api_patterns() -> dict[str, URLPattern]:
    resolver = get_resolver()
    inner = resolver.namespace_dict["api-v1"][1]
    return {f"api-v1:{p.name}": p for p in inner.url_patterns if isinstance(p, URLPattern)}


def view_class(name: str) -> type:
    return api_patterns()[name].callback.view_class  # type: ignore[attr-defined]


def url_of(name: str, world: World) -> str:
    kwargs = {
        key: (field if field == "defence" else getattr(world, field))
        for key, field in ENDPOINTS[name].items()
    }
    return reverse(name, kwargs=kwargs)


def methods(name: str) -> list[str]:
    return sorted(getattr(view_class(name), "scopes", {}))


WALK = [(name, method) for name in sorted(ENDPOINTS) for method in methods(name)]


def test_every_endpoint_is_walked() -> None:
    assert sorted(api_patterns()) == sorted(ENDPOINTS)


def test_every_endpoint_declares_a_scope_for_each_method() -> None:
    for name in ENDPOINTS:
        view = view_class(name)
        handled = {m.upper() for m in view.http_method_names if hasattr(view, m)} - {
            "OPTIONS", "HEAD"
        }  # fmt: skip
        assert handled <= set(getattr(view, "scopes", {})), name


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def call(client: ApiClient, method: str, url: str):
    if method == "POST":
        return client.post(url, {}, content_type="application/json")
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), WALK)
def test_without_a_token(name: str, method: str, world: World) -> None:
    response = call(ApiClient(), method, url_of(name, world))
    if scope_of(view_class(name)(), method) == PUBLIC:
        assert response.status_code in (200, 400), response.content
    else:
        assert response.status_code == 401
        assert response.json()["error"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), WALK)
def test_without_the_scope(name: str, method: str, world: World, defence, defence_admin) -> None:
    needed = scope_of(view_class(name)(), method)
    if needed == PUBLIC:
        pytest.skip("public")
    others = [scope for scope in ALL_SCOPES if scope != needed]
    response = call(
        ApiClient(make_token(defence, defence_admin, *others)), method, url_of(name, world)
    )
    assert response.status_code == 403
    assert needed in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), WALK)
def test_another_institutions_token(name: str, method: str, world: World, police) -> None:
    """Police's token with every scope never sees Defence's rows."""
    if scope_of(view_class(name)(), method) == PUBLIC:
        pytest.skip("public")
    response = call(ApiClient(make_token(police, None, *ALL_SCOPES)), method, url_of(name, world))
    if ENDPOINTS[name]:
        assert response.status_code == 404
        return
    assert name in LISTS_OF_THE_INSTITUTION
    body = text(response)
    assert response.status_code in (200, 400)
    assert "api-1" not in body
    assert "Spam: hidden" not in body
    assert world.reference not in body
    if name == "api-v1:case-list" and method == "GET":
        assert world.police_reference in body


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), WALK)
def test_with_the_scope(name: str, method: str, world: World, defence, defence_admin) -> None:
    needed = scope_of(view_class(name)(), method)
    client = ApiClient("" if needed == PUBLIC else make_token(defence, defence_admin, needed))
    response = call(client, method, url_of(name, world))
    if method == "POST":  # an empty body: refused with the fields to fill, by a JSON error
        assert response.status_code == 400
        assert response.json()["fields"]
    else:
        assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_a_token_without_cases_scope_never_sees_a_complainant(
    world: World, defence, defence_admin
) -> None:
    secret = make_token(defence, defence_admin, "items:read", "items:act", "reports:read")
    client = ApiClient(secret)
    for name in ENDPOINTS:
        if "GET" in methods(name) and name != "api-v1:schema":
            body = text(client.get(url_of(name, world)))
            assert "anne@example.be" not in body, name
            assert "Anne Dupont" not in body, name
