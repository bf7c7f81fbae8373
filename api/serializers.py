"""What the API shows of each resource, and the input of its writes (validation only: the
rules are the services')."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import SpokenLanguage
from channels.models import Channel
from charter.models import Charter, CharterRule, CharterRuleText, CharterText, CharterVersion
from complaints.models import (
    Case,
    Category,
    Complainant,
    Correspondence,
    Outcome,
    RoutingRule,
    Source,
    TimelineEvent,
)
from moderation.models import Decision, Item, ItemRevision


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    fields = serializers.DictField(required=False)


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = (
            "id", "platform", "name", "handle", "url", "audience", "languages", "purpose",
            "response_hours", "crisis_mode", "crisis_response_hours", "is_active", "created_at",
        )  # fmt: skip


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = (
            "id", "channel", "external_id", "kind", "status", "priority", "author_name",
            "author_handle", "author_url", "text", "language", "permalink",
            "parent_external_id", "posted_at", "received_at", "due_at", "warn_at",
            "keyword_hits", "removal_pending", "assigned_to", "first_response_at",
            "sla_answered_at", "hidden_on_platform_at", "deleted_on_platform_at",
        )  # fmt: skip


class QueueItemSerializer(serializers.ModelSerializer):
    """A row of the list: the columns the queue loads (``QUEUE_ROW_FIELDS``)."""

    class Meta:
        model = Item
        fields = (
            "id", "channel", "status", "priority", "due_at", "warn_at", "author_name",
            "author_handle", "text", "language", "keyword_hits", "removal_pending",
        )  # fmt: skip


class ItemPageSerializer(serializers.Serializer):
    results = QueueItemSerializer(many=True)
    next = serializers.CharField(
        allow_null=True, help_text="The cursor of the next page (pass it as `after`), or null."
    )


class DecisionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = (
            "id", "item", "action", "created_at", "actor", "note", "rule", "reasons",
            "reply_text", "case",
        )  # fmt: skip

    def get_actor(self, decision: Decision) -> str | None:
        """Who decided: a person's name, or "API: <token name>"."""
        return str(decision.actor) if decision.actor_id else None

    def get_case(self, decision: Decision) -> str | None:
        """The reference of the complaint an escalation opened."""
        return decision.case.reference if decision.case is not None else None


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemRevision
        fields = ("text", "edited_at", "recorded_at")


class ItemHistorySerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True)
    revisions = RevisionSerializer(many=True)


class DecisionCreateSerializer(serializers.Serializer):
    ACTIONS = ("reply", "hide", "remove", "no_action", "escalate")

    action = serializers.ChoiceField(choices=ACTIONS)
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, help_text="reply: the public text."
    )
    rule = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="hide, remove: the id of the house rule in force cited.",
    )  # fmt: skip
    reasons = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000,
        help_text="hide, remove: the statement of reasons for the person concerned.",
    )  # fmt: skip
    concerns_criticism = serializers.BooleanField(required=False, default=False)
    category = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="escalate: the id of the complaint category.",
    )  # fmt: skip
    subject = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="escalate: the subject."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class DecisionOutcomeSerializer(serializers.Serializer):
    decision = DecisionSerializer()
    item_status = serializers.CharField()
    proposed = serializers.BooleanField(
        help_text="True when the hide or removal waits for a second moderator (four eyes)."
    )


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("id", "code", "name_en", "name_fr", "name_nl", "is_active")


class RoutingRuleSerializer(serializers.ModelSerializer):
    team = serializers.StringRelatedField()
    officer = serializers.StringRelatedField()

    class Meta:
        model = RoutingRule
        fields = (
            "id", "position", "name", "is_default", "categories", "sources", "channels",
            "languages", "keywords", "team", "officer", "is_active",
        )  # fmt: skip


class ComplainantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complainant
        fields = ("name", "email", "phone", "postal_address", "social_account", "is_staff_member")


class CaseSerializer(serializers.ModelSerializer):
    complainant = ComplainantSerializer(read_only=True)

    class Meta:
        model = Case
        fields: tuple[str, ...] = (
            "reference", "source", "category", "subject", "description", "language", "status",
            "received_at", "acknowledged_at", "due_at", "on_hold_since", "answered_at",
            "closed_at", "outcome", "channel", "created_at", "complainant",
        )  # fmt: skip


class CaseRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ("reference", "source", "category", "subject", "language", "status",
                  "received_at", "due_at", "outcome")  # fmt: skip


class CasePageSerializer(serializers.Serializer):
    results = CaseRowSerializer(many=True)
    next_page = serializers.IntegerField(allow_null=True)


class TimelineEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ("at", "kind", "actor", "data")

    def get_actor(self, event: TimelineEvent) -> str | None:
        return str(event.actor) if event.actor_id else None


class CaseDetailSerializer(CaseSerializer):
    timeline = TimelineEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields: tuple[str, ...] = (*CaseSerializer.Meta.fields, "timeline")


class CaseCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    category = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    subject = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=50_000)
    language = serializers.ChoiceField(choices=SpokenLanguage.choices)
    received_at = serializers.DateTimeField(required=False)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    postal_address = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    is_staff_member = serializers.BooleanField(required=False, default=False)


class CaseStatusSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=("acknowledge", "start", "hold", "resume", "answer", "close", "reopen")
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="hold, reopen: why."
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, help_text="close: the outcome."
    )


class LetterSerializer(serializers.ModelSerializer):
    sent_by = serializers.StringRelatedField()

    class Meta:
        model = Correspondence
        fields = ("id", "kind", "channel", "subject", "body", "sent_at", "sent_by")


class RuleTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = CharterRuleText
        fields = ("language", "title", "text")


class RuleSerializer(serializers.ModelSerializer):
    texts = RuleTextSerializer(many=True, read_only=True)

    class Meta:
        model = CharterRule
        fields = ("id", "number", "position", "justifies_hide", "justifies_remove", "texts")


class CharterTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = CharterText
        fields = ("language", "title", "body_markdown")


class VersionSerializer(serializers.ModelSerializer):
    texts = CharterTextSerializer(many=True, read_only=True)
    rules = RuleSerializer(many=True, read_only=True)

    class Meta:
        model = CharterVersion
        fields = ("id", "number", "change_summary", "published_at", "texts", "rules")


class CharterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Charter
        fields: tuple[str, ...] = (
            "id", "slug", "title", "audience", "is_house_rules", "created_at",
        )  # fmt: skip


class CharterDetailSerializer(CharterSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(CharterSerializer.Meta):
        fields: tuple[str, ...] = (*CharterSerializer.Meta.fields, "versions")

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, charter: Charter) -> list[dict[str, object]]:
        """Its published versions, newest first (drafts are never shown)."""
        versions = charter.versions.filter(status="published").order_by("-number")
        return VersionSerializer(versions.prefetch_related("texts", "rules__texts"), many=True).data  # type: ignore[return-value]


class StatisticsRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))
    unit = serializers.CharField(allow_blank=True)


class StatisticsTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    dimension = serializers.CharField()
    rows = StatisticsRowSerializer(many=True)


class StatisticsSerializer(serializers.Serializer):
    month = serializers.CharField()
    periods = serializers.ListField(child=serializers.CharField())
    channel = serializers.IntegerField(allow_null=True)
    tables = StatisticsTableSerializer(many=True)


class TransparencyRuleSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()
    hidden = serializers.IntegerField()
    removed = serializers.IntegerField()
    hidden_done = serializers.IntegerField()
    removed_done = serializers.IntegerField()


class TransparencyMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    handled = serializers.IntegerField()
    answered_in_time_share = serializers.FloatField(allow_null=True)
    complaints_received = serializers.IntegerField()
    complaints_in_time_share = serializers.FloatField(allow_null=True)
    contests_received = serializers.IntegerField()
    contests_upheld = serializers.IntegerField()
    contests_reversed = serializers.IntegerField()
    rules = TransparencyRuleSerializer(many=True)


class TransparencySerializer(serializers.Serializer):
    institution = serializers.CharField()
    months = TransparencyMonthSerializer(many=True)
