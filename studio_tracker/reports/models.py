"""Disclosure reports: versioned, frozen, checksummed snapshots of a production's AI use, with
their automatic findings and stored renderings. The lifecycle is declared once, on the model."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from studio_tracker.lib.errors import StateConflict
from studio_tracker.lib.storage import PrivateStorage
from studio_tracker.productions.models import Episode, Membership, Production
from studio_tracker.usage.models import ConsentRecord, Performer, UsagePerformer


def report_storage() -> PrivateStorage:
    """Frozen snapshots and renderings: never under a public URL, served through access checks."""
    return PrivateStorage("reports")


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user, *, hide_erased: bool = True):
        """Members who log and compliance admins see every version; union reps see submitted,
        approved and changes-requested versions of their productions; distributors none.

        A version frozen before a performer's personal data was erased stays the legal record,
        for the organisation's compliance admins only: to everyone else it answers 404
        (``hide_erased``). Credits pass ``hide_erased=False``: they carry professional names as
        billed on screen, not the personal data erasure removes (SECURITY.md)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        mine = Membership.objects.filter(user=user)
        loggers = (Membership.Role.COORDINATOR, Membership.Role.PRODUCER)
        members = Q(production__in=mine.filter(role__in=loggers).values("production")) | Q(
            production__in=mine.filter(role=Membership.Role.UNION_REP).values("production"),
            status__in=Report.UNION_VISIBLE,
        )
        if hide_erased:
            members &= ~Exists(_erased_since_compiled())
        return self.filter(
            Q(
                production__organization__in=mine.filter(
                    role=Membership.Role.COMPLIANCE_ADMIN
                ).values("organization")
            )
            | members
        )

    def holding_erased_data(self):
        """Versions compiled before the erasure of a performer linked to their production."""
        return self.filter(Exists(_erased_since_compiled()))


def _erased_since_compiled():
    # Linked by a consent or a usage entry, as Performer.objects.linked_to reads it. An episode
    # version whose episode never named the performer is caught too: erring on the side of the
    # performer costs a producer one recompile.
    production = OuterRef(OuterRef("production"))  # the report's, two subqueries out
    return Performer.objects.filter(
        erased_at__isnull=False, erased_at__gt=OuterRef("compiled_at")
    ).filter(
        Q(pk__in=ConsentRecord.objects.filter(production=production).values("performer"))
        | Q(
            pk__in=UsagePerformer.objects.filter(usage_entry__production=production).values(
                "performer"
            )
        )
    )


class Report(models.Model):
    """Version N of a production's (or one episode's) disclosure report. The row is also the
    compile job: its status, lease and progress say where the work is."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        COMPILING = "compiling", "Compiling"
        COMPILED = "compiled", "Compiled"
        FAILED = "failed", "Failed"
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    # DESIGN.md's lifecycle: the only legal moves.
    TRANSITIONS = {
        Status.QUEUED: {Status.COMPILING},
        Status.COMPILING: {Status.COMPILED, Status.FAILED, Status.QUEUED},
        Status.FAILED: {Status.QUEUED},
        Status.COMPILED: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.APPROVED, Status.CHANGES_REQUESTED},
        Status.APPROVED: set(),
        Status.CHANGES_REQUESTED: set(),
    }
    UNION_VISIBLE = (Status.SUBMITTED, Status.APPROVED, Status.CHANGES_REQUESTED)

    production = models.ForeignKey(Production, on_delete=models.PROTECT, related_name="reports")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    progress = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    compiled_counter = models.PositiveBigIntegerField(null=True, blank=True)
    digest = models.CharField(max_length=71, blank=True)
    snapshot = models.FileField(storage=report_storage, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    findings_count = models.PositiveIntegerField(default=0)
    blocking_count = models.PositiveIntegerField(default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["production_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "version"], name="report_version_unique_in_production"
            )
        ]
        indexes = [models.Index(fields=["status", "lease_until"], name="report_sweeper")]

    def __str__(self) -> str:
        scope = f" {self.episode.code}" if self.episode_id else ""
        return f"{self.production} v{self.version}{scope}"

    def check_transition(self, new_status: str) -> None:
        """Raise StateConflict (HTTP 409) unless the lifecycle allows moving to new_status."""
        if new_status not in self.TRANSITIONS[self.status]:
            raise StateConflict(
                f"A report that is {self.get_status_display().lower()} cannot become "
                f"{self.Status(new_status).label.lower()}."
            )

    @property
    def stale(self) -> bool:
        """Something in the production changed after this version was compiled."""
        if self.compiled_counter is None:
            return False
        return self.production.change_counter != self.compiled_counter


class Finding(models.Model):
    """One automatic compliance finding: which check fired, on what, and why."""

    class Severity(models.TextChoices):
        BLOCKING = "blocking", "Blocking"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=10, help_text="DOMAIN.md part E check id, e.g. E01.")
    trigger = models.CharField(max_length=60, blank=True)
    clause = models.CharField(max_length=200, blank=True)
    rule_set = models.CharField(max_length=40, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    rank = models.PositiveSmallIntegerField(default=0, help_text="0 blocking, 1 warning, 2 info.")
    message = models.TextField()
    entity_type = models.CharField(max_length=30, blank=True)
    entity_id = models.BigIntegerField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report_id", "rank", "rule", "id"]
        indexes = [
            models.Index(fields=["report", "rule", "id"], name="findings_by_rule"),
            models.Index(fields=["report", "rank", "rule", "id"], name="findings_by_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.get_severity_display()}: {self.message[:60]}"


class Rendering(models.Model):
    """One stored file of a report (JSON, CSV, HTML, PDF), written once, with its SHA-256."""

    class Format(models.TextChoices):
        JSON = "json", "JSON (the frozen snapshot)"
        CSV = "csv", "CSV (usage register)"
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="renderings")
    format = models.CharField(max_length=10, choices=Format.choices)
    file = models.FileField(storage=report_storage)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "format"]
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="one_rendering_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.format}"


class RuleSet(models.Model):
    """A versioned source of rules: an agreement, a law or a guideline, with its dates and how
    well its text is sourced (V verified, S single source, U unverified). Seeded by a data
    migration; the checks themselves live in ``reports.findings``."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200)
    family = models.CharField(max_length=20)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=1)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["family", "effective_from", "code"]

    def __str__(self) -> str:
        return self.name


class ProductionRuleSet(models.Model):
    """A compliance admin's choice for one production: add a rule set it would not get from its
    guilds, territories and commissioner, or take out one it would. Always with a reason."""

    production = models.ForeignKey(
        Production, on_delete=models.CASCADE, related_name="rule_set_choices"
    )
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="choices")
    include = models.BooleanField(help_text="True adds the rule set; False takes it out.")
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["production_id", "rule_set_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "rule_set"], name="one_choice_per_rule_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.production}: {'+' if self.include else '-'}{self.rule_set.code}"


class ReviewDecision(models.Model):
    """A compliance admin's decision on a submitted report, binding the digest reviewed."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    digest = models.CharField(max_length=71, help_text="The report digest the decision binds.")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_decision_display()} by {self.reviewer}"


class AuditFinding(models.Model):
    """Something a union rep found wrong in a report; the producers answer it."""

    class Category(models.TextChoices):
        MISSING_CONSENT = "missing_consent", "Missing consent"
        SCOPE_EXCEEDED = "scope_exceeded", "Use beyond the consent's scope"
        COMPENSATION = "compensation", "Compensation"
        NOTICE = "notice", "Notice not given"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        RAISED = "raised", "Raised"
        ANSWERED = "answered", "Answered by the production"
        RESOLVED = "resolved", "Resolved"
        ESCALATED = "escalated", "Escalated (grievance)"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="audit_findings")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Finding.Severity.choices)
    description = models.TextField()
    rule = models.CharField(max_length=10, blank=True, help_text="Optional check id, e.g. E01.")
    entity_type = models.CharField(max_length=30, blank=True)
    entity_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RAISED)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.get_category_display()} ({self.get_status_display()})"


class CreditFile(models.Model):
    """One file of an approved report's credit package, stored once with its SHA-256."""

    class Format(models.TextChoices):
        TXT = "txt", "Credit block (text)"
        TSV = "tsv", "Credit list (tab-delimited)"
        JSON = "json", "Machine-readable disclosure (JSON)"
        PDF = "pdf", "AI disclosure statement (PDF)"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="credit_files")
    format = models.CharField(max_length=10, choices=Format.choices)
    file = models.FileField(storage=report_storage)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "format"]
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="one_credit_file_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.report} credits ({self.format})"


class CreditDownload(models.Model):
    """Every download of a credit file: who, when, through which door."""

    credit_file = models.ForeignKey(CreditFile, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    via = models.CharField(max_length=10, choices=[("page", "Page"), ("api", "API")])
    downloaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.credit_file} by {self.user} at {self.downloaded_at:%Y-%m-%d %H:%M}"
