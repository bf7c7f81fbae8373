"""Form widgets rendered by Jinja2, everything else by Django's template engine.

Django draws every widget, and every option of a select, through a template. With the Django
template engine that was a fifth of the moderation queue's server time (its filter form: five
selects) and a good part of the item page's (its decision forms). Django ships the same widget
templates for Jinja2 (``django/forms/jinja2``), which renders them several times faster. Widgets
whose templates exist only for the Django engine (the admin's related-object wrapper,
third-party widgets) are still found there: Jinja2 is asked first, Django's engine second.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class JinjaFirstRenderer(BaseRenderer):
    def __init__(self) -> None:
        self.jinja = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.jinja.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
