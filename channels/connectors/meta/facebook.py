"""Facebook pages: comments (reply, private reply, hide, unhide, delete, read back) and
Messenger conversations (answer through the Send API within the standard messaging window).

Documented calls:
- comment node (https://developers.facebook.com/docs/graph-api/reference/comment/): reply
  ``POST /{comment-id}/comments message=...``, hide ``POST /{comment-id} is_hidden=true``,
  delete ``DELETE /{comment-id}``, read ``GET /{comment-id}?fields=is_hidden,message``; the
  replies ``GET /{comment-id}/comments?fields=from,message&order=reverse_chronological``;
- private replies (https://developers.facebook.com/docs/messenger-platform/discovery/private-replies/):
  ``POST /{page-id}/messages {"recipient": {"comment_id": ...}, "message": {"text": ...}}``,
  one per comment, within 7 days;
- Send API (https://developers.facebook.com/docs/messenger-platform/send-messages and
  https://developers.facebook.com/docs/graph-api/reference/page/messages):
  ``POST /{page-id}/messages {"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
  "message": {"text": ...}}`` within 24 hours of the person's last message;
- page feed (https://developers.facebook.com/docs/graph-api/reference/page/feed/ and
  https://developers.facebook.com/docs/pages-api/getting-started): publish an approved post
  ``POST /{page-id}/feed message=...``, answered ``{"id": "{page-id}_{post-id}"}``; read back
  with the post node (https://developers.facebook.com/docs/graph-api/reference/post/)
  ``GET /{post-id}?fields=is_hidden,message`` (code 100, subcode 33 once deleted); an attempt
  cut off is looked for in ``GET /{page-id}/feed?fields=from,message,created_time``.

Permissions: ``pages_manage_engagement`` (reply, hide, delete), ``pages_read_engagement``
(read back), ``pages_messaging`` (private replies and Messenger), ``pages_manage_posts``
(publishing, with the CREATE_CONTENT task on the page), on a page access token.
"""

from __future__ import annotations

from channels.connectors.actions import ActionKind, Capability
from channels.connectors.meta.comments import MetaCommentsConnector, MetaVariant

READ_BACK = "GET /{comment-id}?fields=is_hidden,message"
CAPABILITIES = {
    ActionKind.REPLY: Capability(
        call="POST /{comment-id}/comments message=...",
        verify=READ_BACK,
        note="A Messenger message is answered through the Send API, as a private reply.",
    ),
    ActionKind.PRIVATE_REPLY: Capability(
        call="POST /{page-id}/messages recipient={comment_id} or {id: PSID}",
        verify="GET /{message-id}",
        note="Messenger: only within 24 hours of the person's last message; a comment gets "
        "one private reply, within 7 days.",
    ),
    ActionKind.HIDE: Capability(call="POST /{comment-id} is_hidden=true", verify=READ_BACK),
    ActionKind.UNHIDE: Capability(call="POST /{comment-id} is_hidden=false", verify=READ_BACK),
    ActionKind.DELETE: Capability(call="DELETE /{comment-id}", verify=READ_BACK),
    ActionKind.PUBLISH: Capability(
        call="POST /{page-id}/feed message=...",
        verify="GET /{post-id}?fields=is_hidden,message",
        note="Needs pages_manage_posts. Graph takes no idempotency key: an attempt cut off is "
        "looked for on the page's feed (GET /{page-id}/feed) before it is sent again.",
    ),
}

CONNECTOR = MetaCommentsConnector(
    MetaVariant(
        platform="facebook",
        replies_edge="comments",
        hide_param="is_hidden",
        hidden_field="is_hidden",
        text_field="message",
        url="https://www.facebook.com/{id}",
        list_params={"order": "reverse_chronological", "limit": "100"},
    ),
    CAPABILITIES,
)
