from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from api.urls import v1_patterns
from deadlines import views as deadline_views
from govsocial import health, views

# allauth's rate limits and second factor also guard the Django admin login.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "GovSocial"
admin.site.site_title = "GovSocial"

# JSON errors under /api/, the pages elsewhere.
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path(
        "i/<slug:institution_slug>/deadlines/missed/",
        deadline_views.breached,
        name="deadlines-breached",
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("charter.urls")),
    path("", include("complaints.urls")),
    path("", include("moderation.urls")),
    path("", include("channels.urls")),
    path("", include("reports.urls")),
    path("", include("webhooks.urls")),
    path("", include("api.urls")),
    path("api/v1/", include((v1_patterns, "api-v1"))),
]
