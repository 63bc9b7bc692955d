"""ETags on the API's reads, and the same tags as preconditions on its writes.

A read answers with ``ETag``, a hash of the JSON it sends; asked again with ``If-None-Match`` and that tag, it answers
``304 Not Modified`` with no body. A change sent with ``If-Match`` is made only when the row still reads as the tag
says (412 otherwise), so two people editing one agreement from scripts do not overwrite each other unseen.
"""

import hashlib

import orjson
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The row changed since you read it (its ETag differs from If-Match): read it again.")
    default_code = "precondition_failed"


def etag_of(data):
    """A strong tag of a representation: the same data, the same tag, whatever order its keys were built in."""
    body = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class ETagMixin:
    """For API views: tags every 200 read and answers 304 to a matching ``If-None-Match``; ``check_if_match(data)``
    in a write refuses with 412 when ``If-Match`` names another version."""

    def finalize_response(self, request, response, *args, **kwargs):
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == status.HTTP_200_OK
            and response.data is not None
        ):
            tag = etag_of(response.data)
            wanted = parse_etags(request.headers.get("If-None-Match", ""))
            if tag in wanted or "*" in wanted:
                response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = tag
        return super().finalize_response(request, response, *args, **kwargs)

    def check_if_match(self, data):
        wanted = self.request.headers.get("If-Match")
        if wanted is None:
            return
        tags = parse_etags(wanted)
        if "*" not in tags and etag_of(data) not in tags:
            raise PreconditionFailed
