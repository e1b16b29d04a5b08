"""Forms for the usage pages. They validate and render only: views save through ``entries``,
``consents``, ``performers``, ``clearances`` and ``tools``, which validate again and record the
audit events. Like the production forms, an edit form is given a copy of the object.
"""

import datetime
import re

from django import forms
from django.utils import timezone

from studio_tracker.productions.models import Episode, Production, Shot

from . import clearances, performers, tools
from .choices import (
    Category,
    Department,
    Disposition,
    GenerationKind,
    Medium,
    Modality,
    ReplicaKind,
)
from .models import Clearance, ConsentRecord, Performer, Tool, UsageEntry, UsagePerformer

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

CATEGORY_HELP = (
    "Generative uses make new material (a face, a voice, a plate, a line); assistive uses only "
    "enhance what was shot or recorded (clean-up, upscaling, noise reduction)."
)

# The medium a category implies when nobody says otherwise.
CATEGORY_MODALITY = {
    **dict.fromkeys(
        (
            Category.WRITING_IDEATION,
            Category.WRITING_GAI_MATERIAL_TO_WRITER,
            Category.WRITING_SCRIPT_TEXT_IN_FINAL,
            Category.SCRIPT_ANALYSIS,
            Category.SUBTITLES_TRANSLATION,
        ),
        Modality.TEXT,
    ),
    **dict.fromkeys(
        (Category.CONCEPT_ART, Category.MOODBOARD, Category.STORYBOARD, Category.KEY_ART),
        Modality.IMAGE,
    ),
    **dict.fromkeys(
        (
            Category.VOICE_CLONE_NEW_LINES,
            Category.ADR_VIA_REPLICA,
            Category.ACCENT_PRONUNCIATION_REFINE,
            Category.DIALOGUE_CLEANUP,
            Category.AI_DUBBING,
        ),
        Modality.AUDIO_VOICE,
    ),
    Category.MUSIC_GENERATION: Modality.AUDIO_MUSIC,
    Category.SFX_GENERATION: Modality.AUDIO_SFX,
    Category.PERFORMER_SCAN: Modality.THREE_D,
}


def split_codes(text: str, *, upper: bool = False) -> list[str]:
    """'gb, fr eu' → ['GB', 'FR', 'EU']: commas, semicolons or spaces, duplicates dropped."""
    text = text.upper() if upper else text
    return list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text) if code))


def _with_blank(choices, label: str) -> list:
    return [("", label), *choices]


def shot_label(shot: Shot) -> str:
    return shot.code


def entry_label(entry: UsageEntry) -> str:
    where = entry.shot.code if entry.shot_id else "Production-level"
    return f"{where} — {entry.get_category_display()} ({entry.tool.name}, {entry.used_on:%d %b %Y})"


# --- Uses -------------------------------------------------------------------------------------


class UseForm(forms.Form):
    """One use of a tool, with at most one performer and the consent relied on.

    The tool and the performer are picked from search results the page renders itself (htmx
    fetches new ones as the user types); the fields accept any tool of the organisation's
    registry and any of its performers, and the domain refuses banned tools with their reason.
    """

    tool = forms.ModelChoiceField(
        queryset=Tool.objects.none(),
        error_messages={
            "required": "Choose a tool from the registry.",
            "invalid_choice": "That tool is not in this organisation's registry.",
        },
    )
    category = forms.ChoiceField(
        choices=_with_blank(Category.choices, "Choose what it was used for…"),
        help_text=CATEGORY_HELP,
    )
    department = forms.ChoiceField(choices=_with_blank(Department.choices, "Choose a department…"))
    disposition = forms.ChoiceField(
        choices=_with_blank(Disposition.choices, "Where did it end up?…"),
        label="Where it ended up",
    )
    replica_kind = forms.ChoiceField(
        choices=ReplicaKind.choices,
        initial=ReplicaKind.NONE,
        label="Replica",
        help_text="Whether the use makes or uses someone's digital replica, or alters a "
        "performance.",
    )
    generation_kind = forms.ChoiceField(
        choices=_with_blank(GenerationKind.choices, "As the tool's registry entry says"),
        required=False,
        label="Generative or assistive",
    )
    modality = forms.ChoiceField(
        choices=_with_blank(Modality.choices, "Work it out from the category"),
        required=False,
        label="Medium",
    )
    used_on = forms.DateField(widget=DATE_INPUT, label="Used on")
    language = forms.CharField(
        required=False,
        max_length=20,
        help_text="For dubbing and voice uses: e.g. fr, es-419.",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What was done"
    )
    prompt_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Prompt",
        help_text="Visible afterwards to producers and compliance admins only.",
    )
    performer = forms.ModelChoiceField(
        queryset=Performer.objects.none(),
        required=False,
        error_messages={"invalid_choice": "That performer is not one of this organisation's."},
    )
    consent = forms.ModelChoiceField(
        queryset=ConsentRecord.objects.none(),
        required=False,
        label="Consent relied on",
        error_messages={"invalid_choice": "That consent is not on file for this production."},
    )
    aspect = forms.ChoiceField(
        choices=UsagePerformer.Aspect.choices,
        initial=UsagePerformer.Aspect.FACE,
        label="What of them is used",
    )

    def __init__(self, *args, production: Production, user, with_prompt: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.production = production
        self.fields["tool"].queryset = Tool.objects.filter(organization=production.organization_id)
        self.fields["performer"].queryset = Performer.objects.lookup_for(user).filter(
            organization=production.organization_id
        )
        self.fields["consent"].queryset = ConsentRecord.objects.filter(production=production)
        if not with_prompt:
            del self.fields["prompt_text"]
        self.initial.setdefault("used_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        performer, consent = cleaned.get("performer"), cleaned.get("consent")
        if consent is not None and performer is None:
            cleaned["performer"] = consent.performer
        elif consent is not None and consent.performer_id != performer.pk:
            self.add_error("consent", f"That consent is not {performer}'s.")
        if not cleaned.get("modality") and cleaned.get("category"):
            cleaned["modality"] = CATEGORY_MODALITY.get(cleaned["category"], Modality.VIDEO)
        if not cleaned.get("generation_kind") and cleaned.get("tool"):
            cleaned["generation_kind"] = cleaned["tool"].kind
        return cleaned

    def use_fields(self) -> dict:
        """The fields for ``entries.log_usage`` and ``update_usage`` (no shot, no performers)."""
        data = {
            name: self.cleaned_data[name]
            for name in (
                "tool",
                "category",
                "department",
                "disposition",
                "replica_kind",
                "generation_kind",
                "modality",
                "used_on",
                "language",
                "description",
            )
        }
        if "prompt_text" in self.fields:
            data["prompt_text"] = self.cleaned_data["prompt_text"]
        return data

    def performer_links(self) -> list[dict]:
        performer = self.cleaned_data.get("performer")
        if performer is None:
            return []
        return [
            {
                "performer": performer,
                "consent": self.cleaned_data.get("consent"),
                "aspect": self.cleaned_data.get("aspect") or UsagePerformer.Aspect.FACE,
            }
        ]

    @classmethod
    def initial_for(cls, entry: UsageEntry) -> dict:
        """What an edit form starts from: the entry, and its performer link if it has one."""
        initial = {
            name: getattr(entry, name)
            for name in (
                "category",
                "department",
                "disposition",
                "replica_kind",
                "generation_kind",
                "modality",
                "used_on",
                "language",
                "description",
                "prompt_text",
            )
        }
        initial["tool"] = entry.tool_id
        links = list(entry.performer_links.all())
        if len(links) == 1:
            initial.update(
                performer=links[0].performer_id,
                consent=links[0].consent_id,
                aspect=links[0].aspect,
            )
        return initial


class ShotPickerFilterForm(forms.Form):
    """The GET form above the shots a bulk use is logged on."""

    code = forms.CharField(required=False, max_length=80, label="Code contains")
    episode = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sequence = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, episodes, sequences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = [("", "All episodes")] + [(e.pk, str(e)) for e in episodes]
        self.fields["sequence"].choices = [("", "All sequences")] + [
            (s.pk, f"{s.episode.code} / {s}" if s.episode_id else str(s)) for s in sequences
        ]


class BulkUseForm(UseForm):
    """The same use on many shots: the shots come from checkboxes on the page."""

    shots = forms.ModelMultipleChoiceField(
        queryset=Shot.objects.none(),
        error_messages={"required": "Select at least one shot."},
    )

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, production=production, **kwargs)
        self.fields["shots"].queryset = production.shots.select_related("episode")


class CopyUseForm(forms.Form):
    """The shots to copy a use to, by code."""

    codes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Shot codes",
        help_text="One per line, or separated by commas or spaces.",
    )

    def __init__(self, *args, entry: UsageEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry

    def clean_codes(self) -> list[Shot]:
        codes = split_codes(self.cleaned_data["codes"])
        shots = {
            shot.code: shot
            for shot in Shot.objects.filter(production=self.entry.production_id, code__in=codes)
        }
        unknown = [code for code in codes if code not in shots]
        if unknown:
            raise forms.ValidationError(
                f"This production has no shot {', '.join(unknown)}.",
            )
        if self.entry.shot_id and self.entry.shot.code in shots:
            raise forms.ValidationError(f"The use is already on {self.entry.shot.code}.")
        return [shots[code] for code in codes]


class RegisterFilterForm(forms.Form):
    """The register's filters and sort; choices come from lists the page loads once."""

    SORTS = [
        ("-used_on", "Newest first"),
        ("used_on", "Oldest first"),
        ("shot", "Shot code"),
        ("category", "Category"),
    ]

    episode = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sequence = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    department = forms.ChoiceField(
        required=False, choices=_with_blank(Department.choices, "All departments")
    )
    category = forms.ChoiceField(
        required=False, choices=_with_blank(Category.choices, "All categories")
    )
    tool = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    disposition = forms.ChoiceField(
        required=False, choices=_with_blank(Disposition.choices, "Anywhere")
    )
    performer = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(required=False, choices=SORTS, label="Sort by")

    def __init__(self, *args, episodes, sequences, tools, performers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = [("", "All episodes")] + [(e.pk, str(e)) for e in episodes]
        self.fields["sequence"].choices = [("", "All sequences")] + [
            (s.pk, f"{s.episode.code} / {s}" if s.episode_id else str(s)) for s in sequences
        ]
        self.fields["tool"].choices = [("", "All tools")] + [(t.pk, t.name) for t in tools]
        self.fields["performer"].choices = [("", "Anyone")] + [
            (p.pk, p.professional_name) for p in performers
        ]

    def filters(self) -> dict:
        """The chosen filters as ORM lookups; an invalid value drops that filter only."""
        self.is_valid()
        wanted = self.cleaned_data
        lookups = {
            "episode_id": wanted.get("episode"),
            "shot__sequence_id": wanted.get("sequence"),
            "department": wanted.get("department"),
            "category": wanted.get("category"),
            "tool_id": wanted.get("tool"),
            "disposition": wanted.get("disposition"),
            "performer_links__performer_id": wanted.get("performer"),
        }
        return {key: value for key, value in lookups.items() if value}

    def ordering(self) -> list[str]:
        sort = self.cleaned_data.get("sort") or "-used_on"
        return {
            "-used_on": ["-used_on", "-id"],
            "used_on": ["used_on", "id"],
            "shot": ["shot__code", "used_on", "id"],
            "category": ["category", "shot__code", "id"],
        }[sort]


# --- Performers -------------------------------------------------------------------------------


class PerformerForm(forms.ModelForm):
    confirm_new = forms.BooleanField(
        required=False,
        label="This is a different person from the similar names above",
    )

    class Meta:
        model = Performer
        fields = performers.PERFORMER_FIELDS
        labels = {
            "is_deceased": "Deceased",
            "is_minor": "A minor",
            "estate_contact": "Estate or guardian contact",
        }
        help_texts = {
            "professional_name": "The name they work under; how everyone finds them.",
            "legal_name": "As on the contract.",
        }

    def __init__(self, *args, organization, similar_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.similar_names = list(similar_names)
        if not self.similar_names:
            del self.fields["confirm_new"]

    def clean(self):
        cleaned = super().clean()
        if self.similar_names and not cleaned.get("confirm_new"):
            self.add_error(
                "professional_name",
                "Similar names already exist: "
                + ", ".join(self.similar_names)
                + ". Link the existing performer instead, or tick the box below if this is "
                "someone else.",
            )
        cleaned.pop("confirm_new", None)
        return cleaned


# --- Consents ---------------------------------------------------------------------------------


class ConsentForm(forms.ModelForm):
    episodes = forms.ModelMultipleChoiceField(
        queryset=Episode.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every episode.",
    )
    media = forms.MultipleChoiceField(
        choices=Medium.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave both unticked for no limit.",
    )
    territories = forms.CharField(
        required=False,
        max_length=500,
        help_text="ISO 3166 codes (US, GB, FR), EU, or WW for worldwide; empty for no limit.",
    )
    languages = forms.CharField(
        required=False,
        max_length=500,
        help_text="For dubbing: language codes such as fr, es-419; empty for no limit.",
    )
    # Empty files reach the domain's check, so every refusal of a document reads the same way.
    document = forms.FileField(
        required=False,
        allow_empty_file=True,
        label="Signed document",
        help_text="A PDF or an image (PNG, JPEG, GIF, WebP).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}),
    )

    class Meta:
        model = ConsentRecord
        fields = (
            "performer",
            "consent_type",
            "granted_by",
            "use_description",
            "episodes",
            "media",
            "territories",
            "languages",
            "is_separate_document",
            "in_standard_terms",
            "clear_and_conspicuous_attested",
            "notice_given_at",
            "services_at",
            "engaged_less_than_48h",
            "signed_at",
            "valid_from",
            "valid_until",
            "compensation_terms",
        )
        labels = {
            "use_description": "The use consented to",
            "is_separate_document": "Signed as a separate document",
            "in_standard_terms": "Part of standard contract terms",
            "clear_and_conspicuous_attested": "Clear and conspicuous (attested)",
            "notice_given_at": "Notice given at",
            "services_at": "Services start at",
            "engaged_less_than_48h": "Engaged less than 48 hours before services",
            "signed_at": "Signed on",
            "valid_from": "Valid from",
            "valid_until": "Valid until",
            "compensation_terms": "Pay",
        }
        widgets = {
            "use_description": forms.Textarea(attrs={"rows": 3}),
            "compensation_terms": forms.Textarea(attrs={"rows": 2}),
            "notice_given_at": DATETIME_INPUT,
            "services_at": DATETIME_INPUT,
            "signed_at": DATE_INPUT,
            "valid_from": DATE_INPUT,
            "valid_until": DATE_INPUT,
        }

    def __init__(self, *args, production: Production, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.production = production
        self.fields["performer"].queryset = Performer.objects.lookup_for(user).filter(
            organization=production.organization_id
        )
        self.fields["performer"].empty_label = "Choose a performer…"
        self.fields["episodes"].queryset = production.episodes.all()
        if not production.episodes.exists():
            del self.fields["episodes"]
        self.initial["territories"] = ", ".join(self.instance.territories or [])
        self.initial["languages"] = ", ".join(self.instance.languages or [])
        if self.instance.pk:
            self.fields["document"].help_text = (
                "Upload a new file to replace the one on file."
                if self.instance.document
                else "A PDF or an image (PNG, JPEG, GIF, WebP)."
            )

    def clean_territories(self) -> list[str]:
        codes = split_codes(self.cleaned_data["territories"], upper=True)
        bad = [code for code in codes if not re.fullmatch(r"[A-Z]{2}|EU|WW", code)]
        if bad:
            raise forms.ValidationError(f"Not a territory code: {', '.join(bad)}.")
        return codes

    def clean_languages(self) -> list[str]:
        return split_codes(self.cleaned_data["languages"])

    def consent_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("episodes", "document"):
            data.pop(name, None)
        return data


def consent_status(consent: ConsentRecord, today: datetime.date | None = None) -> str:
    """active, expired or revoked, as the consent list shows it."""
    today = today or timezone.localdate()
    if consent.revoked_at is not None:
        return "revoked"
    if consent.valid_until is not None and consent.valid_until < today:
        return "expired"
    return "active"


# --- Clearances -------------------------------------------------------------------------------


class ClearanceForm(forms.ModelForm):
    usage_entries = forms.ModelMultipleChoiceField(
        queryset=UsageEntry.objects.none(),
        required=False,
        label="Uses it covers",
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    document = forms.FileField(
        required=False,
        allow_empty_file=True,
        help_text="Optional: a PDF or an image (PNG, JPEG, GIF, WebP).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}),
    )

    class Meta:
        model = Clearance
        fields = clearances.CLEARANCE_FIELDS
        widgets = {"date": DATE_INPUT, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.production = production
        field = self.fields["usage_entries"]
        field.queryset = production.usage_entries.select_related("shot", "tool").order_by(
            "shot__code", "used_on", "id"
        )
        field.label_from_instance = entry_label
        if self.instance.pk:
            self.initial["usage_entries"] = list(
                self.instance.usage_entries.values_list("pk", flat=True)
            )

    def clearance_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in clearances.CLEARANCE_FIELDS}


# --- Tools ------------------------------------------------------------------------------------


class ToolForm(forms.ModelForm):
    modalities = forms.MultipleChoiceField(
        choices=Modality.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Tool
        fields = tools.TOOL_FIELDS
        labels = {
            "kind": "Generative or assistive",
            "emits_c2pa": "Emits C2PA content credentials",
            "trains_on_inputs": "Trains on what you upload",
            "status_reason": "Reason",
        }
        widgets = {
            "consent_features": forms.Textarea(attrs={"rows": 2}),
            "known_litigation": forms.Textarea(attrs={"rows": 2}),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization


class ToolFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=120, label="Name or vendor contains")
    status = forms.ChoiceField(
        required=False, choices=_with_blank(Tool.Status.choices, "Any status")
    )


class PerformerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Professional name contains")
