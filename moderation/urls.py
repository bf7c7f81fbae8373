from django.urls import path

from moderation.views import items, queue, team

app_name = "moderation"

tenant = "i/<slug:institution_slug>/queue/"

urlpatterns = [
    path(tenant, queue.queue, name="queue"),
    path(f"{tenant}new/", queue.new_count, name="new-count"),
    path(f"{tenant}bulk/", queue.bulk, name="bulk"),
    path(f"{tenant}replies/", team.saved_replies, name="saved-replies"),
    path(f"{tenant}duty/", team.duty, name="duty"),
    path(f"{tenant}duty/toggle/", team.duty_toggle, name="duty-toggle"),
    path(f"{tenant}items/<int:item_id>/", items.item_detail, name="item-detail"),
    path(f"{tenant}items/<int:item_id>/<slug:action>/", items.item_action, name="item-action"),
]
