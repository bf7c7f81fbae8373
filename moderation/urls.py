from django.urls import path

from moderation.views import items, queue

app_name = "moderation"

tenant = "i/<slug:institution_slug>/queue/"

urlpatterns = [
    path(tenant, queue.queue, name="queue"),
    path(f"{tenant}new/", queue.new_count, name="new-count"),
    path(f"{tenant}items/<int:item_id>/", items.item_detail, name="item-detail"),
    path(f"{tenant}items/<int:item_id>/<slug:action>/", items.item_action, name="item-action"),
]
