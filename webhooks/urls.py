from django.urls import path

from webhooks import views

app_name = "webhooks"

tenant = "i/<slug:institution_slug>/webhooks/"

urlpatterns = [
    path(tenant, views.subscription_list, name="subscription-list"),
    path(f"{tenant}new/", views.subscription_create, name="subscription-create"),
    path(f"{tenant}<int:subscription_id>/", views.subscription_edit, name="subscription-edit"),
    path(
        f"{tenant}<int:subscription_id>/rotate-secret/",
        views.subscription_rotate,
        name="subscription-rotate",
    ),
    path(
        f"{tenant}<int:subscription_id>/delete/",
        views.subscription_delete_view,
        name="subscription-delete",
    ),
    path(f"{tenant}deliveries/", views.delivery_list, name="delivery-list"),
    path(
        f"{tenant}deliveries/<int:outgoing_id>/",
        views.delivery_detail,
        name="delivery-detail",
    ),
    path(
        f"{tenant}deliveries/<int:outgoing_id>/redeliver/",
        views.delivery_redeliver_view,
        name="delivery-redeliver",
    ),
]
