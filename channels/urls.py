from django.urls import path

from channels.views import channels, hooks, hooks_x, imports, watch

app_name = "channels"

tenant = "i/<slug:institution_slug>/channels/"

urlpatterns = [
    path("hooks/meta/<uuid:channel_id>/", hooks.meta_webhook, name="hook-meta"),
    path("hooks/generic/<uuid:channel_id>/", hooks.generic_webhook, name="hook-generic"),
    path("hooks/x/<uuid:channel_id>/", hooks_x.x_webhook, name="hook-x"),
    path(tenant, channels.channel_list, name="channel-list"),
    path(f"{tenant}new/", channels.channel_create, name="channel-create"),
    path(f"{tenant}<int:channel_id>/", channels.channel_edit, name="channel-edit"),
    path(f"{tenant}<int:channel_id>/crisis/", channels.channel_crisis, name="channel-crisis"),
    path(
        f"{tenant}<int:channel_id>/token-check/",
        channels.channel_token_check_view,
        name="channel-token-check",
    ),
    path(f"{tenant}deliveries/", channels.delivery_list, name="delivery-list"),
    path(f"{tenant}imports/", imports.import_list, name="import-list"),
    path(f"{tenant}imports/<int:job_id>/", imports.import_detail, name="import-detail"),
    path(
        f"{tenant}imports/<int:job_id>/progress/",
        imports.import_progress,
        name="import-progress",
    ),
    path(f"{tenant}watch/", watch.watch_list, name="watch-list"),
    path(f"{tenant}watch/<int:term_id>/", watch.watch_edit, name="watch-edit"),
    path(
        f"{tenant}deliveries/<int:delivery_id>/reprocess/",
        channels.delivery_reprocess_view,
        name="delivery-reprocess",
    ),
]
