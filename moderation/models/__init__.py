"""The moderation app's models: items and decisions, platform actions, outgoing posts."""

from moderation.models.actions import PlatformAction, PlatformActionResult
from moderation.models.contests import (
    Contest,
    ContestCounter,
    ContestOutcome,
    ContestStatus,
    DecisionStatement,
)
from moderation.models.four_eyes import RemovalProposal, SensitiveAccount, handle_key
from moderation.models.items import (
    ANSWERING_ACTIONS,
    PROPOSING_ACTIONS,
    SLA_ANSWERS_WHEN_DECIDED,
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

__all__ = [
    "ANSWERING_ACTIONS",
    "PROPOSING_ACTIONS",
    "SLA_ANSWERS_WHEN_DECIDED",
    "STATUS_AFTER",
    "Action",
    "Contest",
    "ContestCounter",
    "ContestOutcome",
    "ContestStatus",
    "Decision",
    "DecisionImmutableError",
    "DecisionStatement",
    "DutyStatus",
    "Item",
    "ItemKind",
    "ItemRevision",
    "ItemStatus",
    "PlatformAction",
    "PlatformActionResult",
    "Post",
    "PostImmutableError",
    "PostState",
    "PostText",
    "PostTransition",
    "RemovalProposal",
    "SavedReply",
    "SensitiveAccount",
    "handle_key",
]
