from django.urls import path

from complaints.views import cases, public

app_name = "complaints"

tenant = "i/<slug:institution_slug>/complaints/"
case = f"{tenant}<str:reference>/"

urlpatterns = [
    path("complaints/<slug:institution_slug>/new/", public.public_complaint, name="public-form"),
    path("complaints/<slug:institution_slug>/sent/", public.public_sent, name="public-sent"),
    path(tenant, cases.case_list, name="case-list"),
    path(f"{tenant}new/", cases.case_create, name="case-create"),
    path(case, cases.case_detail, name="case-detail"),
    path(f"{case}<slug:action>/", cases.case_action, name="case-action"),
]
