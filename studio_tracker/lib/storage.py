"""File storage for private files: a folder under MEDIA_ROOT, read when first used."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A subfolder of MEDIA_ROOT, never served as static or media URLs.

    The folder is resolved lazily (and again whenever MEDIA_ROOT changes, as Django resets the
    cached value), so tests and deployments that set MEDIA_ROOT after import get what they set.
    """

    def __init__(self, subfolder: str):
        self.subfolder = subfolder
        super().__init__()

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / self.subfolder)

    @cached_property
    def base_url(self):
        return None
