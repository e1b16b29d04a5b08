"""What AI was used where, with what, and on whose likeness and consent.

Writes go through ``usage.entries``, ``usage.consents``, ``usage.performers`` and
``usage.tools``: each validates, bumps the production's change counter and records its audit
event.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q

from studio_tracker.lib.storage import PrivateStorage
from studio_tracker.productions.models import (
    Episode,
    Membership,
    Organization,
    Production,
    Shot,
)

from .choices import (
    AlterationPurpose,
    Category,
    ConsentType,
    Department,
    Disposition,
    GenerationKind,
    GrantedBy,
    Indemnity,
    IptcSourceType,
    Modality,
    Realism,
    ReplicaKind,
    TrainingDataClaim,
    YesNoUnknown,
)


def evidence_storage() -> PrivateStorage:
    """Signed consents and clearance documents: outside the static tree, served only through
    views that check access. A callable, so migrations do not freeze a machine's path."""
    return PrivateStorage("evidence")


def evidence_path(instance, filename: str) -> str:
    """A random name: the original name can carry personal data and must not be guessable."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"{uuid.uuid4().hex}{suffix}"


class UsageScopedQuerySet(models.QuerySet):
    """Rows of productions whose usage the user may read."""

    def visible_to(self, user):
        return self.filter(production__in=Production.objects.usage_visible_to(user))


class ToolQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The registry of each organisation the user logs for or administers (not union reps
        or distributors)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(organization__in=Membership.objects.organizations_logged_by(user))


class PerformerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Compliance admins see all of their organisation's performers; other members see
        those linked to a production whose usage they may read."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        administered = Membership.objects.filter(
            user=user, role=Membership.Role.COMPLIANCE_ADMIN
        ).values("organization")
        readable = Production.objects.usage_visible_to(user).values("pk")
        return self.filter(Q(organization__in=administered) | self.linked_to(readable))

    def lookup_for(self, user):
        """Every performer of the organisations the user logs for, to find by professional name
        and link (so nobody creates a duplicate). Names only: the full record stays scoped."""
        if user.is_superuser:
            return self
        return self.filter(organization__in=Membership.objects.organizations_logged_by(user))

    @staticmethod
    def linked_to(production_ids) -> Q:
        """Linked to these productions by a consent or a usage entry."""
        return Q(
            pk__in=ConsentRecord.objects.filter(production__in=production_ids).values("performer")
        ) | Q(
            pk__in=UsagePerformer.objects.filter(usage_entry__production__in=production_ids).values(
                "performer"
            )
        )


class Tool(models.Model):
    """An organisation's registry entry for a generative tool, with the vendor's stated claims."""

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        RESTRICTED = "restricted", "Restricted (ask compliance first)"
        BANNED = "banned", "Banned"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tools")
    name = models.CharField(max_length=120)
    vendor = models.CharField(max_length=120)
    modalities = models.JSONField(default=list, blank=True)
    kind = models.CharField(
        max_length=20, choices=GenerationKind.choices, default=GenerationKind.GENERATIVE
    )
    training_data_claim = models.CharField(
        max_length=40, choices=TrainingDataClaim.choices, default=TrainingDataClaim.UNDISCLOSED
    )
    indemnity = models.CharField(
        max_length=40, choices=Indemnity.choices, default=Indemnity.UNKNOWN
    )
    trains_on_inputs = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    emits_c2pa = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    consent_features = models.TextField(blank=True)
    known_litigation = models.TextField(blank=True)
    evidence_label = models.CharField(
        max_length=1,
        choices=[("V", "Verified"), ("S", "Single source"), ("U", "Unverified")],
        default="U",
        help_text="How well the vendor claims above are sourced (DOMAIN.md evidence labels).",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPROVED)
    status_reason = models.TextField(
        blank=True, help_text="Shown to whoever picks this tool: why it is restricted or banned."
    )

    objects = ToolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="tool_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.vendor})"


class Performer(models.Model):
    """A person whose likeness or voice a production may use. Belongs to the organisation."""

    class Category(models.TextChoices):
        PRINCIPAL = "principal", "Principal"
        BACKGROUND = "background", "Background"
        STUNT = "stunt", "Stunt"
        VOICE = "voice", "Voice"
        SINGER = "singer", "Singer"
        DANCER = "dancer", "Dancer"

    class Union(models.TextChoices):
        SAG_AFTRA = "sag_aftra", "SAG-AFTRA"
        EQUITY = "equity", "Equity"
        OTHER = "other", "Other union"
        NONE = "none", "None"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="performers"
    )
    legal_name = models.CharField(max_length=200)
    professional_name = models.CharField(max_length=200, db_index=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.PRINCIPAL)
    union = models.CharField(max_length=20, choices=Union.choices, default=Union.NONE)
    is_deceased = models.BooleanField(default=False)
    is_minor = models.BooleanField(default=False)
    estate_contact = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When their personal data was erased on request (usage.privacy); the row is "
        "kept as an anonymised stub so usage history and coverage still work.",
    )

    objects = PerformerQuerySet.as_manager()

    class Meta:
        ordering = ["professional_name", "id"]

    def __str__(self) -> str:
        return self.professional_name


class ConsentRecord(models.Model):
    """A performer's consent to one kind of AI use, with its scope. Revoked, never deleted.

    Empty scope lists mean "no limit on that dimension"; ``consent_covers`` reads them.
    """

    performer = models.ForeignKey(Performer, on_delete=models.PROTECT, related_name="consents")
    production = models.ForeignKey(Production, on_delete=models.PROTECT, related_name="consents")
    consent_type = models.CharField(max_length=40, choices=ConsentType.choices)
    granted_by = models.CharField(
        max_length=20, choices=GrantedBy.choices, default=GrantedBy.PERFORMER
    )
    use_description = models.TextField(
        help_text="A reasonably specific description of the use consented to."
    )
    is_separate_document = models.BooleanField(default=True)
    in_standard_terms = models.BooleanField(default=False)
    clear_and_conspicuous_attested = models.BooleanField(default=False)
    episodes = models.ManyToManyField(Episode, blank=True, related_name="consents")
    media = models.JSONField(default=list, blank=True)
    territories = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    notice_given_at = models.DateTimeField(null=True, blank=True)
    services_at = models.DateTimeField(null=True, blank=True)
    engaged_less_than_48h = models.BooleanField(default=False)
    signed_at = models.DateField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    compensation_terms = models.TextField(
        blank=True, help_text="Pay figures: visible to producers and compliance admins only."
    )
    document = models.FileField(storage=evidence_storage, upload_to=evidence_path, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UsageScopedQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "performer_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_consent_type_display()} — {self.performer}"


class UsageEntry(models.Model):
    """One use of one tool on one shot, or on the production (script, previs, marketing)."""

    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, related_name="usage_entries"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="usage_entries"
    )
    shot = models.ForeignKey(
        Shot, on_delete=models.CASCADE, null=True, blank=True, related_name="usage_entries"
    )
    department = models.CharField(max_length=30, choices=Department.choices)
    category = models.CharField(max_length=40, choices=Category.choices)
    modality = models.CharField(max_length=30, choices=Modality.choices)
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="usage_entries")
    tool_version = models.CharField(max_length=80, blank=True)
    generation_kind = models.CharField(
        max_length=20, choices=GenerationKind.choices, default=GenerationKind.GENERATIVE
    )
    disposition = models.CharField(max_length=30, choices=Disposition.choices)
    description = models.TextField(blank=True)
    human_contribution = models.TextField(blank=True)
    depicts_real_person = models.BooleanField(default=False)
    depicts_real_place_or_event = models.BooleanField(default=False)
    realism = models.CharField(max_length=20, choices=Realism.choices, default=Realism.PHOTOREAL)
    replica_kind = models.CharField(
        max_length=40, choices=ReplicaKind.choices, default=ReplicaKind.NONE
    )
    performance_altered = models.BooleanField(default=False)
    alteration_purpose = models.CharField(
        max_length=40, choices=AlterationPurpose.choices, blank=True
    )
    synthetic_replaces_performer = models.BooleanField(default=False)
    prompt_names_performer = models.BooleanField(default=False)
    prompt_uses_facial_feature = models.BooleanField(default=False)
    language = models.CharField(
        max_length=20, blank=True, help_text="For dubbing and voice uses: e.g. fr, es-419."
    )
    iptc_source_type = models.CharField(max_length=60, choices=IptcSourceType.choices)
    iptc_source_type_overridden = models.BooleanField(default=False)
    used_on = models.DateField()
    operator = models.CharField(max_length=200, blank=True, help_text="Who ran the tool.")
    vendor = models.CharField(max_length=200, blank=True, help_text="VFX or post vendor, if any.")
    input_sources = models.JSONField(
        default=list, blank=True, help_text='[{"ref": …, "copyright_status": …}]'
    )
    prompt_text = models.TextField(
        blank=True, help_text="Visible to producers and compliance admins only."
    )
    external_ref = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UsageScopedQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "id"]
        indexes = [
            models.Index(fields=["production", "id"], name="usage_register"),
            models.Index(fields=["production", "category"], name="usage_by_category"),
            models.Index(fields=["shot"], name="usage_by_shot"),
        ]

    def __str__(self) -> str:
        where = self.shot.code if self.shot_id else self.production.title
        return f"{self.get_category_display()} on {where}"


class UsagePerformer(models.Model):
    """A performer whose likeness or voice a use touches, and the consent relied on."""

    class Aspect(models.TextChoices):
        FACE = "face", "Face"
        BODY = "body", "Body"
        VOICE = "voice", "Voice"
        FULL = "full", "Full likeness"

    usage_entry = models.ForeignKey(
        UsageEntry, on_delete=models.CASCADE, related_name="performer_links"
    )
    performer = models.ForeignKey(Performer, on_delete=models.PROTECT, related_name="usage_links")
    consent = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="usage_links"
    )
    aspect = models.CharField(max_length=10, choices=Aspect.choices, default=Aspect.FACE)

    class Meta:
        ordering = ["usage_entry_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["usage_entry", "performer"], name="one_link_per_performer_per_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.performer} ({self.get_aspect_display()})"


class Clearance(models.Model):
    """Evidence that a notice, disclosure, consultation or approval happened."""

    class Kind(models.TextChoices):
        UNION_NOTICE = "union_notice", "Union notice"
        WRITER_DISCLOSURE = "writer_disclosure", "Disclosure to a writer"
        DIRECTOR_CONSULTATION = "director_consultation", "Director consultation"
        COMMISSIONER_APPROVAL = "commissioner_approval", "Commissioner's written approval"
        WRITER_AI_CONSENT = "writer_ai_consent", "Company consent to a writer's AI use"
        ON_SCREEN_LABEL = "on_screen_label", "On-screen AI label"

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="clearances")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    party = models.CharField(max_length=200, help_text="Who gave or received it.")
    date = models.DateField()
    note = models.TextField(blank=True)
    usage_entries = models.ManyToManyField(UsageEntry, blank=True, related_name="clearances")
    document = models.FileField(storage=evidence_storage, upload_to=evidence_path, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UsageScopedQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "-date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.party} ({self.date})"
