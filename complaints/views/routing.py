"""Routing rules, teams and categories (institution admins), with a rule tester."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from complaints.forms import CategoryForm, RouteTestForm, RoutingRuleForm, TeamForm
from complaints.models import Category, RoutingRule, Team
from complaints.services.routing import (
    RouteFacts,
    officer_for,
    rule_for,
    rule_position_next,
    rule_reorder,
)

ADMIN = Role.INSTITUTION_ADMIN


@requires_role(ADMIN)
def routing_overview(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    institution = request.institution
    rule_form = RoutingRuleForm(institution=institution, prefix="rule")
    team_form = TeamForm(institution=institution, prefix="team")
    if request.method == "POST" and "rule-name" in request.POST:
        rule_form = RoutingRuleForm(request.POST, institution=institution, prefix="rule")
        if rule_form.is_valid():
            _save_rule(rule_form, request, new=True)
            return redirect("complaints:routing", institution_slug=institution_slug)
    elif request.method == "POST":
        team_form = TeamForm(request.POST, institution=institution, prefix="team")
        if team_form.is_valid():
            team = team_form.save(commit=False)
            team.institution = institution
            team.save()
            team_form.save_m2m()
            messages.success(request, _("Team “%(name)s” added.") % {"name": team.name})
            return redirect("complaints:routing", institution_slug=institution_slug)
    test_form = RouteTestForm(request.GET or None, institution=institution)
    outcome = None
    if test_form.is_bound and test_form.is_valid():
        data = test_form.cleaned_data
        facts = RouteFacts(
            category_id=data["category"].pk,
            source=data["source"],
            channel_id=data["channel"].pk if data["channel"] else None,
            language=data["language"],
            text=data["text"],
        )
        rule = rule_for(institution, facts)
        outcome = {"rule": rule, "officer": officer_for(institution, rule) if rule else None}
    rules = (
        RoutingRule.objects.for_institution(institution)
        .select_related("team", "officer")
        .prefetch_related("categories", "channels")
        .order_by("is_default", "position", "pk")
    )
    return render(
        request,
        "complaints/routing.html",
        {
            "rules": rules,
            "teams": Team.objects.for_institution(institution).prefetch_related("members"),
            "rule_form": rule_form,
            "team_form": team_form,
            "test_form": test_form,
            "outcome": outcome,
        },
    )


@requires_role(ADMIN)
def rule_edit(request: InstitutionRequest, institution_slug: str, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule.objects.for_institution(request.institution), pk=rule_id)
    form = RoutingRuleForm(request.POST or None, instance=rule, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        _save_rule(form, request, new=False)
        return redirect("complaints:routing", institution_slug=institution_slug)
    return render(request, "complaints/rule_edit.html", {"form": form, "rule": rule})


@require_POST
@requires_role(ADMIN)
def rule_move(
    request: InstitutionRequest, institution_slug: str, rule_id: int, direction: str
) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    if not rule_reorder(institution=request.institution, rule_id=rule_id, up=direction == "up"):
        raise Http404
    messages.success(request, _("The routing rule was moved."))
    return redirect("complaints:routing", institution_slug=institution_slug)


@requires_role(ADMIN)
def team_edit(request: InstitutionRequest, institution_slug: str, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.for_institution(request.institution), pk=team_id)
    form = TeamForm(request.POST or None, instance=team, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
        return redirect("complaints:routing", institution_slug=institution_slug)
    return render(request, "complaints/team_edit.html", {"form": form, "team": team})


def _save_rule(form: RoutingRuleForm, request: InstitutionRequest, *, new: bool) -> None:
    rule = form.save(commit=False)
    if new:
        rule.institution = request.institution
        rule.position = rule_position_next(request.institution)
    rule.save()
    form.save_m2m()
    messages.success(request, _("Routing rule “%(name)s” saved.") % {"name": rule.name})


@requires_role(ADMIN)
def category_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The built-in categories, and the institution's own (added, renamed, retired here)."""
    editing_id = request.POST.get("category_id") or request.GET.get("edit")
    instance = None
    if editing_id and str(editing_id).isdigit():
        instance = get_object_or_404(
            Category.objects.filter(institution=request.institution), pk=int(editing_id)
        )
    form = CategoryForm(request.POST or None, instance=instance, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        category = form.save()
        messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
        return redirect("complaints:category-list", institution_slug=institution_slug)
    return render(
        request,
        "complaints/category_list.html",
        {
            "builtin": Category.objects.filter(institution__isnull=True),
            "own": Category.objects.filter(institution=request.institution),
            "form": form,
            "editing": instance,
        },
    )
