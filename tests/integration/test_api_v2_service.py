"""Heartbeat, docs, gzip and content types."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", ["/heartbeat", "/v2/heartbeat"])
def test_heartbeat(api, path):
    response = api.get(path)
    assert response.status_code == 200
    assert response.text == "OK"


def test_docs(api):
    response = api.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


def test_openapi(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    paths = response.json()["paths"]
    assert "/v2/organizations" in paths
    assert any(path.startswith("/v2/organizations/{") for path in paths)


def test_listing_is_gzipped_when_asked(server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        request = client.build_request(
            "GET",
            "/v2/organizations",
            params={"query": "university"},
            headers={"Accept-Encoding": "gzip"},
        )
        response = client.send(request, stream=True)
        try:
            assert response.status_code == 200
            assert response.headers["content-encoding"] == "gzip"
            assert response.headers["content-type"] == "application/json"
            raw = b"".join(response.iter_raw())
        finally:
            response.close()
    body = json.loads(gzip.decompress(raw))
    assert len(body["items"]) == 20


def test_listing_is_not_gzipped_unless_asked(server):
    response = httpx.get(f"{server.url}/v2/organizations", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert len(response.json()["items"]) == 20


@pytest.mark.parametrize(
    "path, status",
    [
        ("/v2/organizations", 200),
        ("/organizations", 200),
        ("/v2/organizations?query=oxford", 200),
        ("/v2/organizations?filter=types:education", 200),
        ("/v2/organizations/05dxps055", 200),
        ("/organizations/05dxps055", 200),
        ("/v2/organizations/abc", 404),
        ("/v2/organizations/012345678", 404),
        ("/v2/organizations?foo=bar", 400),
        ("/v2/organizations?query.advanced=foo:bar", 400),
    ],
)
def test_json_content_type(api, path, status):
    response = api.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    response.json()
