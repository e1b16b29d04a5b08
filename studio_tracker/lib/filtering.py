"""A django-filter FilterSet that costs less per request, for API lists read page after page.

django-filter deep-copies every filter of the FilterSet on each request, then builds a new form
class from them and Django deep-copies that form's fields again; for choice filters (category,
department, disposition…: dozens of choices each) those copies were a fifth of the CPU of a
usage-entry page (bench/api_profile.py). ``LeanFilterSet`` copies each filter one level deep
(its own ``parent`` and ``model``, the same arguments) and builds the form class once per
FilterSet class, whose form instances share the fields: they validate query parameters and are
never rendered or changed, so nothing a request does to them outlives it.

For FilterSets whose filters and form do not depend on the request (all of ours): a FilterSet
that changes its filters per request must stay a plain ``django_filters.FilterSet``.
"""

import copy

import django_filters


class _FiltersCopiedOneLevel(dict):
    """``base_filters`` whose deep copy (django-filter's, per request) copies each filter
    shallowly: its arguments and choice lists are shared, its attributes its own."""

    def __deepcopy__(self, memo):
        return {name: _copy_filter(filter_) for name, filter_ in self.items()}


def _copy_filter(filter_):
    copied = copy.copy(filter_)
    if copied.method is not None:
        # Setting it again makes the copy's FilterMethod call the copy's own parent.
        copied.method = copied.method
    return copied


class _SharedFields(dict):
    """A form class's ``base_fields`` that each form instance shares instead of deep-copying."""

    def __deepcopy__(self, memo):
        return dict(self)


class LeanFilterSet(django_filters.FilterSet):
    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_filters"), _FiltersCopiedOneLevel):
            cls.base_filters = _FiltersCopiedOneLevel(cls.base_filters)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_lean_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._lean_form_class = form_class
        return form_class
