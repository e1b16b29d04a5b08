"""Pagination for the API: page numbers for short lists, cursors (field, id) for long ones."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class IdCursorPagination(CursorPagination):
    """Stable under inserts; ordering ends in id so a non-unique field never repeats a row."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("id",)


class CodeCursorPagination(IdCursorPagination):
    ordering = ("code", "id")


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = ("-id",)
