from django.urls import path

from reports import open_data_views, views

app_name = "reports"

tenant = "i/<slug:institution_slug>/"

urlpatterns = [
    path(f"{tenant}dashboard/", views.dashboard, name="dashboard"),
    path(f"{tenant}reports/", views.monthly, name="monthly"),
    path(f"{tenant}reports/statements/", views.statement_export, name="statements"),
    path("transparency/<slug:institution_slug>/", views.transparency, name="transparency"),
    path(
        "transparency/<slug:institution_slug>/data/",
        open_data_views.open_data,
        name="open-data",
    ),
    path(
        "transparency/<slug:institution_slug>/data/datapackage.json",
        open_data_views.open_data_package,
        name="open-data-package",
    ),
    path(
        "transparency/<slug:institution_slug>/data/<slug:dataset>.schema.json",
        open_data_views.open_data_schema,
        name="open-data-schema",
    ),
    path(
        "transparency/<slug:institution_slug>/data/<slug:dataset>.<slug:fmt>",
        open_data_views.open_data_file,
        name="open-data-file",
    ),
    path(
        "transparency/<slug:institution_slug>/ledger.json", views.ledger_index, name="ledger-index"
    ),
    path(
        "transparency/<slug:institution_slug>/ledger/<str:day>.json",
        views.ledger_day,
        name="ledger-day",
    ),
]
