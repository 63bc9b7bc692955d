"""Cursor paging for every list of the API: stable under inserts (a row added while a client pages is neither
skipped nor shown twice), in the order the list is sorted (``?ordering=``)."""

from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    """``?page_size=`` up to 500 (50 by default); ``next`` and ``previous`` are links to follow as they are."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
