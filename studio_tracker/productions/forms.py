"""Forms for the production pages. They validate and render only: views save through ``changes``
and ``people``, which validate again and record the audit events.

A ModelForm copies what it cleaned onto its instance, so an edit form must be given a copy of the
object (``copy.copy``), never the object the domain function will compare before and after.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from . import changes, people
from .models import Episode, Guild, Membership, Organization, Production, Sequence, Shot

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def person_label(user) -> str:
    """How a person is named in lists and selects: their name and address, or the username."""
    name = user.get_full_name()
    address = user.email or user.username
    return f"{name} <{address}>" if name else address


def _check_unique_code(form: forms.ModelForm, siblings, message: str) -> str:
    # The database constraint would refuse it too, but its message names no field and reads
    # "… with this Production and Code already exists"; this one sits beside the code.
    code = form.cleaned_data["code"]
    if siblings.filter(code=code).exclude(pk=form.instance.pk).exists():
        raise ValidationError(message)
    return code


class ProductionForm(forms.ModelForm):
    guilds = forms.MultipleChoiceField(
        choices=Guild.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Guild agreements the production is signatory to.",
    )
    territories = forms.CharField(
        required=False,
        max_length=500,
        help_text="Release territories: two-letter ISO 3166 codes separated by commas "
        "(US, GB, FR), or EU.",
    )

    class Meta:
        model = Production
        fields = changes.PRODUCTION_FIELDS
        labels = {
            "is_factual": "Factual content",
            "principal_photography_start": "Principal photography starts",
            "shot_code_pattern": "Naming convention for shot codes",
        }
        widgets = {
            "release_date": DATE_INPUT,
            "principal_photography_start": DATE_INPUT,
        }

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["territories"] = ", ".join(self.initial.get("territories") or [])
        if len(organizations) > 1:
            self.fields["organization"] = forms.ModelChoiceField(
                queryset=Organization.objects.filter(pk__in=[o.pk for o in organizations]),
                label="Organisation",
                empty_label="Choose an organisation…",
            )
            self.order_fields(["organization"])

    def clean_territories(self) -> list[str]:
        codes = re.split(r"[\s,;]+", self.cleaned_data["territories"].upper())
        return list(dict.fromkeys(code for code in codes if code))


class EpisodeForm(forms.ModelForm):
    class Meta:
        model = Episode
        fields = changes.EPISODE_FIELDS
        help_texts = {"code": "Unique in the production, e.g. EP101."}

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.production = production

    def clean_code(self) -> str:
        return _check_unique_code(
            self,
            Episode.objects.filter(production=self.instance.production),
            "This production already has an episode with this code.",
        )


class SequenceForm(forms.ModelForm):
    class Meta:
        model = Sequence
        fields = changes.SEQUENCE_FIELDS
        help_texts = {
            "episode": "Leave empty for a production without episodes.",
            "code": "Unique in its episode (or in the production), e.g. SQ010.",
        }

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.production = production
        self.fields["episode"].queryset = production.episodes.all()
        self.fields["episode"].empty_label = "No episode"

    def clean_code(self) -> str:
        episode = self.cleaned_data.get("episode")
        siblings = (
            Sequence.objects.filter(episode=episode)
            if episode
            else Sequence.objects.filter(production=self.instance.production, episode=None)
        )
        return _check_unique_code(
            self,
            siblings,
            "This episode already has a sequence with this code."
            if episode
            else "This production already has a sequence with this code outside any episode.",
        )


def _sequence_label(sequence: Sequence) -> str:
    return f"{sequence.episode.code} / {sequence}" if sequence.episode_id else str(sequence)


class ShotForm(forms.ModelForm):
    class Meta:
        model = Shot
        fields = (
            "code",
            "episode",
            "sequence",
            "description",
            "frame_in",
            "frame_out",
            "record_in",
            "record_out",
            "source_in",
            "source_out",
            "reel",
            "vendor",
            "locked_for_final",
        )
        labels = {"frame_in": "First frame", "frame_out": "Last frame"}
        help_texts = {
            "code": "Unique in the production, e.g. EP101_SQ010_SH0040.",
            "frame_in": "Inclusive, as trackers count.",
            "frame_out": "Inclusive: a shot from 1001 to 1048 has 48 frames.",
            "record_in": "HH:MM:SS:FF, or HH:MM:SS;FF when drop-frame.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.production = production
        self.fields["episode"].queryset = production.episodes.all()
        self.fields["episode"].empty_label = "No episode"
        self.fields["sequence"].queryset = production.sequences.select_related("episode")
        self.fields["sequence"].label_from_instance = _sequence_label
        self.fields["sequence"].empty_label = "No sequence"

    def clean_code(self) -> str:
        return _check_unique_code(
            self,
            Shot.objects.filter(production=self.instance.production),
            "This production already has a shot with this code.",
        )


class ShotFilterForm(forms.Form):
    """The GET form above a production's shots; choices come from lists the page loaded anyway."""

    code = forms.CharField(required=False, max_length=80, label="Code contains")
    episode = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    sequence = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, episodes, sequences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].choices = [("", "All episodes")] + [(e.pk, str(e)) for e in episodes]
        self.fields["sequence"].choices = [("", "All sequences")] + [
            (s.pk, _sequence_label(s)) for s in sequences
        ]


class MembershipForm(forms.Form):
    """Give a person of the organisation a role in one production."""

    user = forms.ModelChoiceField(
        queryset=None,
        label="Person",
        empty_label="Choose a person…",
        help_text="People of the organisation. Invite someone new on the people page first.",
    )
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in Membership.PRODUCTION_ROLES],
        help_text="A union rep reads the production's shots and, once a report is submitted, its "
        "evidence. A distributor sees the title and, later, the credits.",
    )

    def __init__(self, *args, production: Production, **kwargs):
        super().__init__(*args, **kwargs)
        self.production = production
        self.fields["user"].queryset = people.people_of(production.organization).filter(
            is_active=True
        )
        self.fields["user"].label_from_instance = person_label

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        held = user and Membership.objects.filter(user=user, production=self.production).first()
        if held:
            self.add_error(
                "user",
                f"{person_label(user)} is already {held.get_role_display().lower()} here; "
                "remove that role first to give another.",
            )
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
