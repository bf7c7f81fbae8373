from django.urls import path

from reports import views

app_name = "reports"

tenant = "i/<slug:institution_slug>/"

urlpatterns = [
    path(f"{tenant}dashboard/", views.dashboard, name="dashboard"),
    path(f"{tenant}reports/", views.monthly, name="monthly"),
    path(f"{tenant}reports/statements/", views.statement_export, name="statements"),
    path("transparency/<slug:institution_slug>/", views.transparency, name="transparency"),
    path(
        "transparency/<slug:institution_slug>/ledger.json", views.ledger_index, name="ledger-index"
    ),
    path(
        "transparency/<slug:institution_slug>/ledger/<str:day>.json",
        views.ledger_day,
        name="ledger-day",
    ),
]
