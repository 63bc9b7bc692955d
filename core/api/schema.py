"""The error shapes of the API in its OpenAPI schema, added to every operation once (a postprocessing hook), so
that no endpoint documents its successes only.

Every operation of the toolkit's viewsets may answer 401 (no or a bad token), 403 (not allowed) and 429 (too many
requests); an operation on one row 404; a write 400 with the field errors, and 412 when ``If-Match`` names an older
version; a read 304 to a matching ``If-None-Match``. Workflow steps and deletions answer 409 with their reasons.
The endpoints written by hand (measurements, ticket events and their webhook) state their own answers; they gain
429 where a throttle applies.
"""

from core.api.etags import ETagMixin

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"


COMMON = {
    "401": ("No token, or an unknown, revoked or expired one.", ERROR),
    "403": ("The person or the token may not do this.", ERROR),
    "429": ("Too many requests for this token: wait as Retry-After says.", "Throttled"),
}
ON_ROW = {"404": ("No such row for you (rows of other organisations are not found).", ERROR)}
ON_WRITE = {
    "400": ("Nothing was changed: each field's problems, and non_field_errors for the row's own.", FIELD_ERRORS),
    "412": ("If-Match names a version older than the stored row; nothing was changed.", ERROR),
}
ON_READ = {"304": ("Not modified since the ETag in If-None-Match.", None)}
ON_STEP = {"409": ("The workflow or other rows refuse it now; each reason listed.", "Conflict")}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]})
    schemas.setdefault(
        "Throttled",
        {
            "type": "object",
            "properties": {"detail": {"type": "string"}, "retry_after": {"type": "integer"}},
            "required": ["detail", "retry_after"],
        },
    )
    schemas.setdefault(
        "Conflict",
        {
            "type": "object",
            "properties": {"detail": {"type": "array", "items": {"type": "string"}}},
            "required": ["detail"],
        },
    )
    schemas.setdefault(
        FIELD_ERRORS,
        {
            "type": "object",
            "description": "Each field's messages; non_field_errors for the row's own; nested rows by index.",
            "additionalProperties": {},
            "example": {"objective": ["Ensure this value is less than or equal to 99.999."]},
        },
    )
    views = {}  # the schema names a {pk} by the model's primary key, {id}
    for path, _regex, method, callback in generator.endpoints or ():
        view = getattr(callback, "cls", None)
        views[(path, method.lower())] = views[(path.replace("{pk}", "{id}"), method.lower())] = view
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            view = views.get((path, method))
            if not (isinstance(view, type) and issubclass(view, ETagMixin)):
                if view is not None and view.throttle_classes:
                    operation["responses"].setdefault(
                        "429",
                        {
                            "description": COMMON["429"][0],
                            "content": {"application/json": {"schema": ref("Throttled")}},
                        },
                    )
                continue
            wanted = dict(COMMON)
            if "{" in path:
                wanted |= ON_ROW
            if method in ("post", "put", "patch"):
                wanted |= ON_WRITE
            if method == "get":
                wanted |= ON_READ
            if method == "delete" or path.endswith("/transition"):
                wanted |= ON_STEP
            responses = operation["responses"]
            for code, (description, schema) in wanted.items():
                if code in responses:
                    continue
                responses[code] = {"description": description}
                if schema:
                    responses[code]["content"] = {"application/json": {"schema": ref(schema)}}
    return result
