"""Meta's standard messaging window: the one place its rule lives.

Messenger and Instagram let a page or professional account answer a person's message through
the Send API only within 24 hours of that person's last message ("standard messaging",
https://developers.facebook.com/docs/messenger-platform/policy/policy-overview and
https://developers.facebook.com/docs/messenger-platform/send-messages). Outside it Graph
answers error code 10 with subcode 2018278 ("message sent outside of allowed window"), which
the connectors turn into a final refusal: the answer goes to the manual list. The item page
reads ``window_closes`` to tell the communicator how long the window stays open.

Conversations: a webhook message carries no thread id, so every message of one person on one
channel shares the parent ``conversation_key(person)``; the item page shows them as one thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)
COMMENT_PRIVATE_REPLY = timedelta(days=7)
"""A comment can be answered with one private message (``recipient: {comment_id}``) within
seven days of its posting (https://developers.facebook.com/docs/messenger-platform/
discovery/private-replies)."""
WARN_BEFORE = timedelta(hours=2)
"""The item page warns when less than this is left."""
CONVERSATION_PREFIX = "conversation:"


def window_closes(last_message_at: datetime) -> datetime:
    """When the person's standard messaging window closes, given their last message's time."""
    return last_message_at + WINDOW


def comment_private_reply_closes(commented_at: datetime) -> datetime:
    """When a comment can no longer be answered privately, given its posting time."""
    return commented_at + COMMENT_PRIVATE_REPLY


def is_message_id(object_id: str) -> bool:
    """Whether a platform id names a direct message rather than a comment or a post.

    Graph's comment and post ids are numbers, joined by underscores on Facebook
    (``104017331234567_998877``, ``998877_112233``); message ids are opaque strings
    (``m_...``, ``mid.1457764197618:41d1...`` in Meta's webhook examples)."""
    return not all(part.isdigit() for part in object_id.split("_"))


def conversation_key(person_id: str) -> str:
    """The parent id shared by a person's messages on a channel (their PSID or IGSID)."""
    return f"{CONVERSATION_PREFIX}{person_id}"
