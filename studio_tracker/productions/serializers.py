from django.contrib.auth import get_user_model
from rest_framework import serializers

from .models import Episode, Guild, Membership, Organization, Production, Sequence, Shot

User = get_user_model()


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be one the requesting user can see; others read as 'does not exist'.

    ``scope`` takes the user and returns the queryset of what they may point at, so an id from
    another production answers exactly like an id that was never used.
    """

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug"]


class ProductionSerializer(serializers.ModelSerializer):
    guilds = serializers.ListField(
        child=serializers.ChoiceField(choices=Guild.choices), required=False
    )
    territories = serializers.ListField(
        child=serializers.RegexField(r"^(?:[A-Z]{2}|EU)$", max_length=2), required=False
    )
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())

    class Meta:
        model = Production
        fields = [
            "id",
            "organization",
            "title",
            "kind",
            "is_factual",
            "guilds",
            "territories",
            "commissioner",
            "frame_rate",
            "release_date",
            "principal_photography_start",
            "shot_code_pattern",
            "change_counter",
        ]
        read_only_fields = ["change_counter"]

    def validate_organization(self, organization):
        if self.instance is not None and organization != self.instance.organization:
            raise serializers.ValidationError("A production cannot move to another organisation.")
        return organization


class ProductionTitleSerializer(serializers.ModelSerializer):
    """What a distributor sees of a production shared with them: its title."""

    class Meta:
        model = Production
        fields = ["id", "organization", "title"]
        closed_schema = True  # told apart from a full production in the schema's oneOf


def _structure_productions(user):
    return Production.objects.structure_visible_to(user)


class EpisodeSerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_structure_productions, queryset=Production.objects.all()
    )

    class Meta:
        model = Episode
        fields = ["id", "production", "code", "title"]


class SequenceSerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_structure_productions, queryset=Production.objects.all()
    )
    episode = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Episode.objects.visible_to(user),
        queryset=Episode.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Sequence
        fields = ["id", "production", "episode", "code", "title"]


class ShotSerializer(serializers.ModelSerializer):
    production = ScopedPrimaryKeyRelatedField(
        scope=_structure_productions, queryset=Production.objects.all()
    )
    episode = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Episode.objects.visible_to(user),
        queryset=Episode.objects.all(),
        required=False,
        allow_null=True,
    )
    sequence = ScopedPrimaryKeyRelatedField(
        scope=lambda user: Sequence.objects.visible_to(user),
        queryset=Sequence.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Shot
        fields = [
            "id",
            "production",
            "episode",
            "sequence",
            "code",
            "description",
            "record_in",
            "record_out",
            "source_in",
            "source_out",
            "frame_in",
            "frame_out",
            "frames",
            "reel",
            "vendor",
            "locked_for_final",
        ]
        read_only_fields = ["frames"]


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    production = serializers.PrimaryKeyRelatedField(
        queryset=Production.objects.all(), required=False, allow_null=True
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False
    )

    class Meta:
        model = Membership
        fields = ["id", "user", "production", "organization", "role"]
        validators = []  # uniqueness is checked by the domain function, with a clear message


class UserSerializer(serializers.ModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        write_only=True,
        help_text="The organisation the new user joins.",
    )
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text="A password, or none to email an invitation with a set-password link.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_active",
            "organization",
            "password",
        ]
        read_only_fields = ["is_active", "username"]
        extra_kwargs = {"email": {"required": True}}
