"""Query parameters described in the OpenAPI document without FastAPI parsing them.

The handlers read the query string themselves, to report every problem of a request at once;
declaring the parameters as FastAPI dependencies only for the documentation cost about
0.3 ms per request (measured on /v2/organizations), so they are declared statically.
"""

from __future__ import annotations


def query_parameters(descriptions: dict[str, str]) -> dict:
    """`openapi_extra` for a route taking these optional string query parameters."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": description,
            }
            for name, description in descriptions.items()
        ]
    }
