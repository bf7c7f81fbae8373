from django.urls import path

from complaints.views import (
    analysis,
    cases,
    evidence,
    holds,
    letters,
    personal_data,
    public,
    routing,
    tracking,
)

app_name = "complaints"

tenant = "i/<slug:institution_slug>/complaints/"
case = f"{tenant}<str:reference>/"
track = "complaints/<slug:institution_slug>/track/<str:reference>/<str:token>/"

urlpatterns = [
    path("complaints/<slug:institution_slug>/new/", public.public_complaint, name="public-form"),
    path("complaints/<slug:institution_slug>/sent/", public.public_sent, name="public-sent"),
    path(track, tracking.tracking, name="tracking"),
    path(f"{track}new-link/", tracking.tracking_renew, name="tracking-renew"),
    path("i/<slug:institution_slug>/legal-holds/", holds.hold_list, name="hold-list"),
    path(
        "i/<slug:institution_slug>/legal-holds/<int:hold_id>/lift/",
        holds.hold_lift_view,
        name="hold-lift",
    ),
    path(tenant, cases.case_list, name="case-list"),
    path(f"{tenant}routing/", routing.routing_overview, name="routing"),
    path(f"{tenant}categories/", routing.category_list, name="category-list"),
    path(f"{tenant}analysis/", analysis.analysis_view, name="analysis"),
    path(f"{tenant}recommendations/", analysis.recommendation_list, name="recommendation-list"),
    path(
        f"{tenant}recommendations/<int:recommendation_id>/",
        analysis.recommendation_edit,
        name="recommendation-edit",
    ),
    path(f"{tenant}templates/", letters.template_list, name="template-list"),
    path(
        f"{tenant}templates/<slug:kind>/<slug:language>/",
        letters.template_edit,
        name="template-edit",
    ),
    path(f"{tenant}routing/rules/<int:rule_id>/", routing.rule_edit, name="rule-edit"),
    path(
        f"{tenant}routing/rules/<int:rule_id>/<slug:direction>/",
        routing.rule_move,
        name="rule-move",
    ),
    path(f"{tenant}routing/teams/<int:team_id>/", routing.team_edit, name="team-edit"),
    path(f"{tenant}new/", cases.case_create, name="case-create"),
    path(case, cases.case_detail, name="case-detail"),
    path(f"{case}reroute/", cases.case_reroute_view, name="case-reroute"),
    path(f"{case}notes/", letters.note_create, name="note-create"),
    path(f"{case}attachments/", evidence.attachment_upload, name="attachment-upload"),
    path(
        f"{case}attachments/<int:attachment_id>/",
        evidence.attachment_download,
        name="attachment-download",
    ),
    path(f"{case}evidence/", evidence.evidence_download, name="evidence-download"),
    path(f"{case}evidence/<int:item_id>/", evidence.evidence_capture, name="evidence-capture"),
    path(f"{case}advice/", evidence.advice_check, name="advice-check"),
    path(f"{case}referral/", evidence.referral, name="referral"),
    path(f"{case}letters/<slug:kind>/", letters.letter_compose, name="letter-compose"),
    path(f"{case}letters/sent/<int:letter_id>/", letters.letter_print, name="letter-print"),
    path(
        f"{case}personal-data/export/",
        personal_data.personal_data_export,
        name="personal-data-export",
    ),
    path(
        f"{case}personal-data/erase/", personal_data.personal_data_erase, name="personal-data-erase"
    ),
    path(f"{case}tracking-link/", tracking.tracking_rotate, name="tracking-rotate"),
    path(f"{case}<slug:action>/", cases.case_action, name="case-action"),
]
