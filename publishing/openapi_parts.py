"""The pieces every path of /api/openapi.json is built from: references, records, operations.

Both apps describe their endpoints with these, so each one's errors and authentication are
written the same way; openapi.py puts the two apps' paths into one document.
"""

from __future__ import annotations

COUNT = {"type": "integer", "minimum": 0}
ERRORS = {"400": "BadRequest", "404": "NotFound", "409": "Conflict", "422": "KeyRejected", "503": "BlotatoDown"}
SUCCESS = {200: "OK", 201: "Created"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def response_ref(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def nullable(type_: str, **extra) -> dict:
    return {"type": [type_, "null"], **extra}


def object_schema(properties: dict, *, required: list[str] | None = None, closed: bool = False) -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:  # json_body.refuse_unknown_fields answers 400 to any other key
        schema["additionalProperties"] = False
    return schema


def record(properties: dict) -> dict:
    """A response object: the API always writes every key, null where there is no value."""
    return object_schema(properties, required=list(properties))


def op(op_id: str, summary: str, success: tuple[int, str], *errors: str, body: str = "", query=()) -> dict:
    """One operation: its success, the errors its view raises, and what reading a body adds."""
    status, schema = success
    responses = {str(status): json_content(ref(schema), SUCCESS[status])}
    responses |= {code: response_ref(ERRORS[code]) for code in errors}
    operation: dict = {"operationId": op_id, "summary": summary, "responses": responses}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
        responses |= {"400": response_ref("BadRequest"), "413": response_ref("TooLarge")}
    if query:
        operation["parameters"] = list(query)
    return operation


def path_item(tag: str, summary: str, parameters=(), **operations: dict) -> dict:
    """A path of one api_endpoint view: 401 anywhere, 403 on a session's change, 405 for other methods."""
    for method, operation in operations.items():
        operation["tags"] = [tag]
        operation["responses"]["401"] = response_ref("Unauthorized")
        if method != "get":
            operation["responses"]["403"] = response_ref("CsrfRefused")
        operation["responses"] = dict(sorted(operation["responses"].items()))
    allowed = ", ".join(method.upper() for method in operations)
    path = {
        "summary": summary,
        "description": f"Other methods than {allowed} get a 405 (MethodNotAllowed).",
        **operations,
    }
    if parameters:
        path["parameters"] = list(parameters)
    return path


def path_param(name: str, description: str, schema: dict | None = None) -> dict:
    """A part of the path, such as `{post_id}`; a string unless `schema` says otherwise."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema or {"type": "string"},
        "description": description,
    }


def query_param(name: str, description: str, schema: dict | None = None) -> dict:
    parameter = {"name": name, "in": "query", "description": description, "schema": schema or {"type": "string"}}
    if schema:  # a comma-separated list, as api_input.calendar_filters splits it
        parameter |= {"style": "form", "explode": False}
    return parameter
