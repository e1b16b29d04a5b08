"""Template context for the main navigation."""

from django.utils.functional import SimpleLazyObject

from . import access


def navigation(request):
    """The organisations whose people page the user may open (compliance admins), queried only
    when a page renders the navigation."""
    user = getattr(request, "user", None)

    def administered():
        if user is None or not user.is_authenticated:
            return []
        return list(access.administered_organizations(user))

    return {"nav_people_organizations": SimpleLazyObject(administered)}
