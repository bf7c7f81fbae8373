from django.urls import path

from accounts.views import (
    institutions,
    invitations,
    members,
    notifications,
    profile,
    public,
    push,
)

app_name = "accounts"

tenant = "i/<slug:institution_slug>/"

urlpatterns = [
    path(f"{tenant}", institutions.institution_detail, name="institution-detail"),
    path(f"{tenant}settings/", institutions.institution_settings, name="institution-settings"),
    path(f"{tenant}members/", members.member_list, name="member-list"),
    path(f"{tenant}members/invite/", members.member_invite, name="member-invite"),
    path(f"{tenant}members/<uuid:user_id>/", members.member_edit, name="member-edit"),
    path(
        f"{tenant}members/<uuid:user_id>/deactivate/",
        members.member_deactivate,
        name="member-deactivate",
    ),
    path(
        f"{tenant}members/<uuid:user_id>/reactivate/",
        members.member_reactivate,
        name="member-reactivate",
    ),
    path(
        f"{tenant}invitations/<uuid:invitation_id>/revoke/",
        members.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        f"{tenant}invitations/<uuid:invitation_id>/resend/",
        members.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "invitations/<slug:institution_slug>/<str:token>/",
        invitations.invitation_accept,
        name="invitation-accept",
    ),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path(
        "notifications/unread-count/",
        notifications.notification_unread_count,
        name="notification-unread-count",
    ),
    path(
        "notifications/read-all/", notifications.notification_read_all, name="notification-read-all"
    ),
    path(
        "notifications/<uuid:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path("profile/", profile.profile_edit, name="profile-edit"),
    path("profile/devices/", push.push_devices, name="push-devices"),
    path("profile/devices/subscribe/", push.push_device_subscribe, name="push-device-subscribe"),
    path(
        "profile/devices/unsubscribe/",
        push.push_device_unsubscribe,
        name="push-device-unsubscribe",
    ),
    path("profile/devices/test/", push.push_device_test, name="push-device-test"),
    path(
        "profile/devices/<uuid:device_id>/remove/",
        push.push_device_remove_view,
        name="push-device-remove",
    ),
    path("sw.js", push.service_worker, name="service-worker"),
    path("manifest.webmanifest", push.web_manifest, name="web-manifest"),
    path("offline/", push.offline, name="offline"),
    path(
        "accessibility/<slug:institution_slug>/",
        public.accessibility_statement,
        name="public-accessibility",
    ),
    path("privacy/<slug:institution_slug>/", public.privacy_notice, name="public-privacy"),
    path("contact/<slug:institution_slug>/", public.contact, name="public-contact"),
    path("language/", profile.language_set, name="language-set"),
]
