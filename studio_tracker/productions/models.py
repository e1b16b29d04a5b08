"""The production hierarchy (organisation → production → episode → sequence → shot) and who may
see it (memberships). Writes go through ``productions.changes`` and ``productions.people``."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from studio_tracker.lib.timecode import frames_inclusive, is_valid_timecode

# EU member states: a production released in any of them (or "EU") falls under the EU AI Act.
EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905
)
TERRITORY_RE = re.compile(r"^(?:[A-Z]{2}|EU)$")


class Guild(models.TextChoices):
    SAG_AFTRA = "sag_aftra", "SAG-AFTRA"
    WGA = "wga", "WGA"
    DGA = "dga", "DGA"
    IATSE = "iatse", "IATSE"
    EQUITY = "equity", "Equity"


class Organization(models.Model):
    """A studio or production company: owns productions, performers and its tool registry."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    require_two_factor = models.BooleanField(
        default=False,
        help_text=(
            "Compliance admins must sign in with an authenticator app code as well as their "
            "password. Sets User.must_use_two_factor on them (see productions.people)."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProductionQuerySet":
        """Productions the user holds any role in (a distributor sees the title only)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        memberships = Membership.objects.filter(user=user)
        return self.filter(
            Q(pk__in=memberships.filter(production__isnull=False).values("production"))
            | Q(
                organization__in=memberships.filter(role=Membership.Role.COMPLIANCE_ADMIN).values(
                    "organization"
                )
            )
        )

    def structure_visible_to(self, user) -> "ProductionQuerySet":
        """Productions whose episodes, sequences and shots the user may read (not distributors)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        memberships = Membership.objects.filter(user=user)
        return self.filter(
            Q(pk__in=memberships.filter(role__in=Membership.STRUCTURE_READERS).values("production"))
            | Q(
                organization__in=memberships.filter(role=Membership.Role.COMPLIANCE_ADMIN).values(
                    "organization"
                )
            )
        )

    def usage_visible_to(self, user) -> "ProductionQuerySet":
        """Productions whose usage entries and evidence the user may read: members who log, and
        union reps once a report was submitted (``union_visible_since``)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        memberships = Membership.objects.filter(user=user)
        loggers = (Membership.Role.COORDINATOR, Membership.Role.PRODUCER)
        return self.filter(
            Q(pk__in=memberships.filter(role__in=loggers).values("production"))
            | Q(
                pk__in=memberships.filter(role=Membership.Role.UNION_REP).values("production"),
                union_visible_since__isnull=False,
            )
            | Q(
                organization__in=memberships.filter(role=Membership.Role.COMPLIANCE_ADMIN).values(
                    "organization"
                )
            )
        )


class Production(models.Model):
    """A film, series or other work whose AI use is recorded."""

    class Kind(models.TextChoices):
        FEATURE = "feature", "Feature film"
        SERIES = "series", "Series"
        LIMITED = "limited", "Limited series"
        DOCUMENTARY = "documentary", "Documentary"
        COMMERCIAL = "commercial", "Commercial"
        GAME_CINEMATIC = "game_cinematic", "Game cinematic"
        SHORT = "short", "Short"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="productions"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEATURE)
    is_factual = models.BooleanField(
        default=False, help_text="Documentary, news or other factual content (EU AI Act labelling)."
    )
    guilds = models.JSONField(
        default=list, blank=True, help_text="Guild agreements the production is signatory to."
    )
    territories = models.JSONField(
        default=list, blank=True, help_text="Release territories: ISO 3166 codes, or EU."
    )
    commissioner = models.CharField(
        max_length=100, blank=True, help_text="netflix, bbc, … or the commissioner's name."
    )
    frame_rate = models.DecimalField(
        max_digits=6, decimal_places=3, default=24, validators=[MinValueValidator(1)]
    )
    release_date = models.DateField(null=True, blank=True)
    principal_photography_start = models.DateField(null=True, blank=True)
    shot_code_pattern = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "A regular expression every shot code must match, e.g. "
            "^EP\\d{3}_SQ\\d{3}_SH\\d{4}$. Leave blank to accept any code."
        ),
    )
    # Bumped by every domain write in the production's scope; a report stores the value it
    # compiled, and is stale once the counter has moved on.
    change_counter = models.PositiveBigIntegerField(default=0, editable=False)
    # Set when the first report is submitted: union reps' reading of usage entries and evidence
    # opens then. Owned here so that access checks need not import reports.
    union_visible_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductionQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        unknown_guilds = set(self.guilds or []) - set(Guild.values)
        if not isinstance(self.guilds, list) or unknown_guilds:
            errors["guilds"] = f"Unknown guilds: {', '.join(sorted(map(str, unknown_guilds)))}."
        bad_territories = [t for t in self.territories or [] if not TERRITORY_RE.match(str(t))]
        if not isinstance(self.territories, list) or bad_territories:
            errors["territories"] = (
                "Use two-letter ISO 3166 codes (GB, US, FR…) or EU; not "
                + ", ".join(map(str, bad_territories))
            )
        if self.shot_code_pattern:
            try:
                re.compile(self.shot_code_pattern)
            except re.error as error:
                errors["shot_code_pattern"] = f"Not a valid regular expression: {error}."
        if errors:
            raise ValidationError(errors)

    @property
    def released_in_eu(self) -> bool:
        return any(t == "EU" or t in EU_MEMBER_STATES for t in self.territories or [])


class StructureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(production__in=Production.objects.structure_visible_to(user))


class Episode(models.Model):
    """An episode of a series; productions without episodes have none."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="episodes")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200, blank=True)
    change_counter = models.PositiveBigIntegerField(default=0, editable=False)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "code"], name="episode_code_unique_in_production"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class Sequence(models.Model):
    """A run of shots within a production (or one of its episodes)."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="sequences")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="sequences"
    )
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200, blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "code"],
                condition=Q(episode__isnull=False),
                name="sequence_code_unique_in_episode",
            ),
            models.UniqueConstraint(
                fields=["production", "code"],
                condition=Q(episode__isnull=True),
                name="sequence_code_unique_in_production",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    def clean(self) -> None:
        if self.episode_id and self.episode.production_id != self.production_id:
            raise ValidationError({"episode": "That episode belongs to another production."})


class Shot(models.Model):
    """One shot, the unit AI use is logged against. Frames in/out are inclusive."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="shots")
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="shots"
    )
    sequence = models.ForeignKey(
        Sequence, on_delete=models.SET_NULL, null=True, blank=True, related_name="shots"
    )
    code = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    record_in = models.CharField(max_length=11, blank=True, help_text="HH:MM:SS:FF")
    record_out = models.CharField(max_length=11, blank=True, help_text="HH:MM:SS:FF")
    source_in = models.CharField(max_length=11, blank=True, help_text="HH:MM:SS:FF")
    source_out = models.CharField(max_length=11, blank=True, help_text="HH:MM:SS:FF")
    frame_in = models.PositiveIntegerField(null=True, blank=True)
    frame_out = models.PositiveIntegerField(null=True, blank=True)
    frames = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reel = models.CharField(max_length=80, blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    locked_for_final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "code"], name="shot_code_unique_in_production"
            )
        ]
        indexes = [models.Index(fields=["production", "code", "id"], name="shot_code_listing")]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.frames = frames_inclusive(self.frame_in, self.frame_out)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for name in ("record_in", "record_out", "source_in", "source_out"):
            value = getattr(self, name)
            if value and not is_valid_timecode(value):
                errors[name] = "Use SMPTE HH:MM:SS:FF (HH:MM:SS;FF when drop-frame)."
        if (
            self.frame_in is not None
            and self.frame_out is not None
            and self.frame_out < self.frame_in
        ):
            errors["frame_out"] = "The last frame comes before the first."
        if self.episode_id and self.episode.production_id != self.production_id:
            errors["episode"] = "That episode belongs to another production."
        if self.sequence_id:
            if self.sequence.production_id != self.production_id:
                errors["sequence"] = "That sequence belongs to another production."
            elif self.sequence.episode_id and self.sequence.episode_id != self.episode_id:
                errors["sequence"] = "That sequence belongs to another episode."
        pattern = self.production.shot_code_pattern if self.production_id else ""
        if pattern and self.code and not re.search(pattern, self.code):
            errors["code"] = f"The production's naming convention is {pattern}."
        if errors:
            raise ValidationError(errors)


class MembershipQuerySet(models.QuerySet):
    def organizations_logged_by(self, user):
        """Ids of the organisations the user logs AI use for or administers (a subquery)."""
        return self.filter(user=user, role__in=Membership.LOGGERS).values("organization")

    def visible_to(self, user):
        """Memberships of productions the user produces, and all of their compliance orgs."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        mine = Membership.objects.filter(user=user)
        return self.filter(
            Q(user=user)
            | Q(production__in=mine.filter(role=Membership.Role.PRODUCER).values("production"))
            | Q(
                organization__in=mine.filter(role=Membership.Role.COMPLIANCE_ADMIN).values(
                    "organization"
                )
            )
        )


class Membership(models.Model):
    """One role of one user: in a production, or over a whole organisation.

    Production roles: coordinator, producer, union_rep, distributor. Organisation roles:
    compliance_admin (everything in the organisation) and member (belongs to the organisation,
    no production yet — what an invitation creates).
    """

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        PRODUCER = "producer", "Producer"
        UNION_REP = "union_rep", "Union rep"
        DISTRIBUTOR = "distributor", "Distributor"
        COMPLIANCE_ADMIN = "compliance_admin", "Compliance admin"
        MEMBER = "member", "Member"

    PRODUCTION_ROLES = (Role.COORDINATOR, Role.PRODUCER, Role.UNION_REP, Role.DISTRIBUTOR)
    ORGANIZATION_ROLES = (Role.COMPLIANCE_ADMIN, Role.MEMBER)
    STRUCTURE_READERS = (Role.COORDINATOR, Role.PRODUCER, Role.UNION_REP)
    # Who logs AI use and reads the organisation's tool registry and performer names.
    LOGGERS = (Role.COORDINATOR, Role.PRODUCER, Role.COMPLIANCE_ADMIN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "production_id", "role", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "production"],
                condition=Q(production__isnull=False),
                name="one_role_per_production",
            ),
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(production__isnull=True),
                name="one_organization_role_each",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.production or self.organization}"

    def clean(self) -> None:
        if self.role in self.PRODUCTION_ROLES and not self.production_id:
            raise ValidationError({"production": "This role is held in a production."})
        if self.role in self.ORGANIZATION_ROLES and self.production_id:
            raise ValidationError({"production": "This role covers the whole organisation."})
        if self.production_id and self.production.organization_id != self.organization_id:
            raise ValidationError(
                {"production": "That production belongs to another organisation."}
            )
