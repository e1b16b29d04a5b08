from django import forms

from studio_tracker.usage.choices import Category, Department, Disposition, Modality
from studio_tracker.usage.models import Tool

from .models import Import

FORMAT_CHOICES = [("", "From the file name"), *Import.Format.choices]


class UploadForm(forms.Form):
    file = forms.FileField(label="File", help_text="CSV, CMX 3600 EDL, FCP7 XML or OTIO.")
    kind = forms.ChoiceField(label="What it holds", choices=Import.Kind.choices, initial="shots")
    format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, required=False)


class ConfirmSuggestionForm(forms.Form):
    tool = forms.ModelChoiceField(label="Tool", queryset=Tool.objects.none())
    department = forms.ChoiceField(label="Department", choices=Department.choices, initial="vfx")
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    modality = forms.ChoiceField(label="Modality", choices=Modality.choices, initial="video")
    disposition = forms.ChoiceField(label="Disposition", choices=Disposition.choices)
    used_on = forms.DateField(label="Used on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, production, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tool"].queryset = Tool.objects.filter(
            organization=production.organization_id
        ).exclude(status=Tool.Status.BANNED)
