"""Widgets are drawn by Jinja2, templates that exist only for Django's engine still work."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as JinjaTemplate
from django.test import Client

from accounts.models import User
from conftest import enrol_totp


def test_django_widget_templates_come_from_jinja2_and_the_others_from_django() -> None:
    renderer = get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), JinjaTemplate)
    wrapper = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert isinstance(wrapper, DjangoTemplate)


def test_a_select_renders_escaped_and_selected() -> None:
    field = forms.ChoiceField(choices=[("a", "<A>"), ("b", "B & co")])
    html = field.widget.render("pick", "b", attrs={"id": "id_pick"})
    assert '<option value="a">&lt;A&gt;</option>' in html
    assert '<option value="b" selected>B &amp; co</option>' in html


@pytest.mark.django_db
def test_the_admin_change_form_renders_its_django_only_widgets(client: Client) -> None:
    admin = User.objects.create_superuser(email="root@example.org", password="x-long-password")
    enrol_totp(admin)  # the admin is behind the second factor
    client.force_login(admin)
    response = client.get("/admin/accounts/membership/add/")
    assert response.status_code == 200
    assert "related-widget-wrapper" in response.content.decode()
