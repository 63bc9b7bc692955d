"""Cursor paging for every list of the API: stable under inserts (a row added while a client pages is neither
skipped nor shown twice), in the order the list is sorted (``?ordering=``).

A cursor holds the sort value of the next row. The order always ends with the row's id, so rows sharing a sort value
(the same status, say) keep one order between requests and are paged by their place within that value; and a list
sorts only by fields every row has (``SortFilter``), since a cursor cannot point at a missing value.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """``?page_size=`` up to 500 (50 by default); ``next`` and ``previous`` are links to follow as they are."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Rows sharing one sort value are paged by their place among them: as many as a list can hold.
    offset_cutoff = 1_000_000

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not any(field.lstrip("-") in ("pk", queryset.model._meta.pk.name) for field in ordering):
            ordering = (*ordering, "-pk" if ordering[0].startswith("-") else "pk")
        return ordering

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, ValueError, TypeError, OverflowError):
            # A cursor made by hand, whose position is no value of the sort field.
            raise NotFound(self.invalid_cursor_message) from None


class SortFilter(OrderingFilter):
    """``?ordering=`` over the viewset's ``ordering_fields`` that every row has a value of (a field that may be
    empty, such as an end date, cannot place a cursor); any other asks for the list's own order."""

    def get_valid_fields(self, queryset, view, context=None):
        fields = super().get_valid_fields(queryset, view, context or {})
        model = queryset.model
        return [(name, label) for name, label in fields if not _may_be_empty(model, name)]


def _may_be_empty(model, name):
    if name == "pk":
        return False
    try:
        return model._meta.get_field(name).null
    except FieldDoesNotExist:  # an annotation or a name the model does not have: not a field a cursor can use
        return True
