from django.urls import path

from charter.views import acknowledgements, editor, public

app_name = "charter"

tenant = "i/<slug:institution_slug>/charters/"
charter = f"{tenant}<slug:charter_slug>/"

urlpatterns = [
    path(tenant, editor.charter_list, name="charter-list"),
    path(f"{tenant}new/", editor.charter_create_view, name="charter-create"),
    path(f"{tenant}preview/", editor.draft_preview, name="draft-preview"),
    path(charter, editor.charter_detail, name="charter-detail"),
    path(
        f"{charter}house-rules/",
        editor.charter_make_house_rules_view,
        name="charter-make-house-rules",
    ),
    path(f"{charter}draft/start/", editor.draft_start_view, name="draft-start"),
    path(f"{charter}draft/", editor.draft_edit, name="draft-edit"),
    path(f"{charter}draft/publish/", editor.version_publish_view, name="version-publish"),
    path(f"{charter}diff/", editor.version_diff, name="version-diff"),
    path(
        f"{charter}acknowledge/", acknowledgements.charter_acknowledge, name="charter-acknowledge"
    ),
    path(
        f"{charter}acknowledgements/",
        acknowledgements.acknowledgement_list,
        name="acknowledgement-list",
    ),
    path("charters/<slug:institution_slug>/", public.public_list, name="public-list"),
    path(
        "charters/<slug:institution_slug>/<slug:charter_slug>/",
        public.public_detail,
        name="public-detail",
    ),
]
