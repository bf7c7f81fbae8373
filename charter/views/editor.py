"""The charter editor: charters list, drafts with live preview, publication, history and diff."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.tenancy import InstitutionRequest, requires_role
from charter.forms import (
    BaseRuleFormSet,
    CharterCreateForm,
    DiffForm,
    DraftTextsForm,
    PreviewForm,
    PublishForm,
    RuleFormSet,
)
from charter.models import Charter, CharterVersion
from charter.rendering import render_markdown
from charter.selectors import (
    charters_for_editor,
    localised_title,
    pick_text,
    rule_changes,
    rules_in_language,
    text_diff,
    version_as_text,
)
from charter.services import (
    charter_create,
    charter_make_house_rules,
    draft_save,
    draft_start,
    languages_missing,
    version_publish,
)

EDITORS = (Role.CHARTER_EDITOR, Role.INSTITUTION_ADMIN)


def _charter(request: InstitutionRequest, charter_slug: str) -> Charter:
    return get_object_or_404(
        Charter.objects.for_institution(request.institution), slug=charter_slug
    )


def _draft(charter: Charter) -> CharterVersion | None:
    return charter.versions.drafts().first()


@requires_role(*EDITORS)
def charter_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    language = translation.get_language() or "fr"
    charters = [
        (charter, localised_title(charter, language))
        for charter in charters_for_editor(request.institution)
    ]
    return render(request, "charter/charter_list.html", {"charters": charters})


@requires_role(*EDITORS)
def charter_create_view(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = CharterCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            charter = charter_create(
                institution=request.institution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Charter created: write its first draft."))
            return redirect(
                "charter:draft-edit", institution_slug=institution_slug, charter_slug=charter.slug
            )
    return render(request, "charter/charter_create.html", {"form": form})


@requires_role(*EDITORS)
def charter_detail(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    versions = charter.versions.select_related("published_by", "created_by")
    title = localised_title(charter, translation.get_language() or "fr")
    context = {
        "charter": charter,
        "versions": versions,
        "title": title,
        "designations": charter.history.select_related("history_user")[:20],
    }
    return render(request, "charter/charter_detail.html", context)


@require_POST
@requires_role(*EDITORS)
def charter_make_house_rules_view(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    try:
        charter_make_house_rules(charter=charter, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” are now the house rules: moderators cite their rules.")
            % {"title": charter.title},
        )
    return redirect(
        "charter:charter-detail", institution_slug=institution_slug, charter_slug=charter_slug
    )


@require_POST
@requires_role(*EDITORS)
def draft_start_view(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    draft = draft_start(charter=charter, actor=request.user)
    messages.success(request, _("Draft %(number)s is ready to edit.") % {"number": draft.number})
    return redirect(
        "charter:draft-edit", institution_slug=institution_slug, charter_slug=charter_slug
    )


def _initial(draft: CharterVersion) -> tuple[dict[str, str], list[dict[str, Any]]]:
    texts = {}
    for text in draft.texts.all():
        texts[f"title_{text.language}"] = text.title
        texts[f"body_{text.language}"] = text.body_markdown
    rules = []
    for position, rule in enumerate(draft.rules.prefetch_related("texts"), start=1):
        row: dict[str, Any] = {
            "rule_id": rule.pk,
            "number": rule.number,
            "justifies_hide": rule.justifies_hide,
            "justifies_remove": rule.justifies_remove,
            "ORDER": position,
        }
        for rule_text in rule.texts.all():
            row[f"title_{rule_text.language}"] = rule_text.title
            row[f"text_{rule_text.language}"] = rule_text.text
        rules.append(row)
    return texts, rules


@requires_role(*EDITORS)
def draft_edit(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    draft = _draft(charter)
    if draft is None:
        messages.info(request, _("This charter has no draft. Start one from the version in force."))
        return redirect(
            "charter:charter-detail", institution_slug=institution_slug, charter_slug=charter_slug
        )
    texts_initial, rules_initial = _initial(draft)
    posted = request.method == "POST"
    texts_form = DraftTextsForm(request.POST if posted else None, initial=texts_initial)
    # A posted formset gets no initial data: its rows say which rule they edit (rule_id), and
    # the draft may have changed since the page was rendered (a blank new row would otherwise be
    # compared with a rule someone else added meanwhile).
    rules_formset = cast(
        BaseRuleFormSet,
        RuleFormSet(request.POST, prefix="rules")
        if posted
        else RuleFormSet(initial=rules_initial, prefix="rules"),
    )
    previews: dict[str, str] = {}
    if posted and texts_form.is_valid() and rules_formset.is_valid():
        if request.POST.get("action") == "preview":
            previews = {
                code: render_markdown(body.body_markdown)
                for code, body in ((t.language, t) for t in texts_form.text_inputs())
            }
        else:
            try:
                draft_save(
                    version=draft,
                    actor=request.user,
                    texts=texts_form.text_inputs(),
                    rules=rules_formset.rule_inputs(),
                    deleted_rule_ids=rules_formset.deleted_rule_ids(),
                )
            except ValidationError as error:
                texts_form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(
                    "charter:draft-edit",
                    institution_slug=institution_slug,
                    charter_slug=charter_slug,
                )
    context = {
        "charter": charter,
        "draft": draft,
        "texts_form": texts_form,
        "rules_formset": rules_formset,
        "previews": previews,
        "missing": languages_missing(draft),
    }
    return render(request, "charter/draft_edit.html", context)


@require_POST
@requires_role(*EDITORS)
def draft_preview(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """htmx live preview: the same pipeline as publication and the public page."""
    field = request.POST.get("field", "body")
    form = PreviewForm({"body": request.POST.get(field, "")})
    if not form.is_valid():
        return HttpResponseBadRequest(_("The text is too long to preview."))
    html = render_markdown(form.cleaned_data["body"])
    return render(request, "charter/draft_edit.html#preview", {"preview_html": html})


@requires_role(*EDITORS)
def version_publish_view(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    draft = _draft(charter)
    if draft is None:
        messages.info(request, _("There is no draft to publish."))
        return redirect(
            "charter:charter-detail", institution_slug=institution_slug, charter_slug=charter_slug
        )
    changes = rule_changes(draft, request.LANGUAGE_CODE)
    form = PublishForm(request.POST or None, cited_rules_left_out=bool(changes.removed_cited))
    if request.method == "POST" and form.is_valid():
        try:
            version_publish(
                version=draft,
                actor=request.user,
                change_summary=form.cleaned_data["change_summary"],
                drop_cited_rules=form.cleaned_data.get("drop_cited_rules", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Version %(number)s is published.") % {"number": draft.number}
            )
            return redirect(
                "charter:charter-detail",
                institution_slug=institution_slug,
                charter_slug=charter_slug,
            )
    texts = [(text, render_markdown(text.body_markdown)) for text in draft.texts.all()]
    context = {
        "charter": charter,
        "draft": draft,
        "form": form,
        "texts": texts,
        "rules": rules_in_language(draft, request.LANGUAGE_CODE),
        "changes": changes,
        "missing": languages_missing(draft),
    }
    return render(request, "charter/version_publish.html", context)


@requires_role(*EDITORS)
def version_diff(
    request: InstitutionRequest, institution_slug: str, charter_slug: str
) -> HttpResponse:
    charter = _charter(request, charter_slug)
    form = DiffForm(request.GET or None)
    context: dict[str, Any] = {"charter": charter, "form": form, "versions": charter.versions.all()}
    if form.is_valid():
        numbers = (form.cleaned_data["a"], form.cleaned_data["b"])
        found = {v.number: v for v in charter.versions.filter(number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            form.add_error(None, _("Version %(number)s does not exist.") % {"number": unknown[0]})
        else:
            language = form.cleaned_data["lang"] or request.LANGUAGE_CODE
            left, right = (found[n] for n in numbers)
            context.update(
                left=left,
                right=right,
                language=language,
                lines=text_diff(version_as_text(left, language), version_as_text(right, language)),
                left_text=pick_text(left, language),
                right_text=pick_text(right, language),
            )
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "charter/version_diff.html", context, status=status)
