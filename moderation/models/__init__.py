"""The moderation app's models: items and decisions, reply deliveries, outgoing posts."""

from moderation.models.items import (
    ANSWERING_ACTIONS,
    STATUS_AFTER,
    Action,
    Decision,
    DecisionImmutableError,
    DutyStatus,
    Item,
    ItemKind,
    ItemRevision,
    ItemStatus,
    SavedReply,
)
from moderation.models.posts import (
    Post,
    PostImmutableError,
    PostState,
    PostText,
    PostTransition,
)
from moderation.models.replies import ReplyDelivery

__all__ = [
    "ANSWERING_ACTIONS",
    "STATUS_AFTER",
    "Action",
    "Decision",
    "DecisionImmutableError",
    "DutyStatus",
    "Item",
    "ItemKind",
    "ItemRevision",
    "ItemStatus",
    "Post",
    "PostImmutableError",
    "PostState",
    "PostText",
    "PostTransition",
    "ReplyDelivery",
    "SavedReply",
]
