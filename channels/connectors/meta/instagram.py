"""Instagram professional accounts: comments (reply, private reply, hide, unhide, delete,
read back) and direct messages (answer within the standard messaging window).

Documented calls:
- IG comment (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/):
  reply ``POST /{ig-comment-id}/replies message=...``, hide ``POST /{ig-comment-id}
  hide=true``, delete ``DELETE /{ig-comment-id}``, read ``GET /{ig-comment-id}?fields=hidden,text``;
  the replies ``GET /{ig-comment-id}/replies?fields=from,text``;
- messaging (https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/
  and https://developers.facebook.com/docs/instagram-platform/private-replies/):
  ``POST /{ig-account-id}/messages {"recipient": {"id": IGSID} | {"comment_id": ...},
  "message": {"text": ...}}``, within 24 hours of the person's last message.

Permissions: ``instagram_manage_comments`` (reply, hide, delete, read back),
``instagram_manage_messages`` (messages and private replies), ``instagram_basic`` and the
linked page's ``pages_show_list``, on the page access token of the page linked to the account.

No publishing (``ActionKind.PUBLISH`` is absent, so an approved post for Instagram goes to the
"to do on the platform" list at its planned time): Instagram's content publishing
(https://developers.facebook.com/docs/instagram-platform/content-publishing/) publishes media
only, through a container made from a public image or video URL
(``POST /{ig-user-id}/media image_url=...`` then ``POST /{ig-user-id}/media_publish``); a
text-only post does not exist there, and GovSocial's outgoing posts are text.
"""

from __future__ import annotations

from channels.connectors.actions import ActionKind, Capability
from channels.connectors.meta.comments import MetaCommentsConnector, MetaVariant

READ_BACK = "GET /{ig-comment-id}?fields=hidden,text"
CAPABILITIES = {
    ActionKind.REPLY: Capability(
        call="POST /{ig-comment-id}/replies message=...",
        verify=READ_BACK,
        note="A direct message is answered through the messaging API, as a private reply.",
    ),
    ActionKind.PRIVATE_REPLY: Capability(
        call="POST /{ig-account-id}/messages recipient={comment_id} or {id: IGSID}",
        verify="GET /{message-id}",
        note="Only within 24 hours of the person's last message; a comment gets one private "
        "reply, within 7 days.",
    ),
    ActionKind.HIDE: Capability(call="POST /{ig-comment-id} hide=true", verify=READ_BACK),
    ActionKind.UNHIDE: Capability(call="POST /{ig-comment-id} hide=false", verify=READ_BACK),
    ActionKind.DELETE: Capability(call="DELETE /{ig-comment-id}", verify=READ_BACK),
}

CONNECTOR = MetaCommentsConnector(
    MetaVariant(
        platform="instagram",
        replies_edge="replies",
        hide_param="hide",
        hidden_field="hidden",
        text_field="text",
        url="",
        list_params={},
    ),
    CAPABILITIES,
)
