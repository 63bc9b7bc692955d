"""The REST API's toolkit: every app's ``api/`` builds its endpoints from these pieces, so that the API keeps the
pages' rules (the ``.for_user()`` checkpoint, the forms' validation, the workflows' steps) by calling the same code.

- ``viewsets.TenantViewSet``: list, read, create, change and delete one model, each write through the page's form;
- ``forms``: a JSON body as a bound Django form (related rows named by their codes), and its errors as JSON;
- ``permissions.Ladder``: anonymous 401, outsider 404, read-only (a person or a token) 403 on writes;
- ``pagination.CursorPage``: cursor paging in the order the list is sorted;
- ``etags.ETagMixin``: ``ETag`` on reads (``If-None-Match`` answers 304), ``If-Match`` on writes (412);
- ``schema``: the error shapes every operation may answer, added to the OpenAPI schema once.
"""
