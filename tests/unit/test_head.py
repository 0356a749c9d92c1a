"""HEAD is answered as GET, without the body."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from resmeta.api.app import create_app
from resmeta.index.reader import OrganizationIndex
from tests.factory import build_index, make_record


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("head")
    record = make_record("Head University")
    folder = build_index(tmp, [record])
    with TestClient(create_app(OrganizationIndex(folder))) as test_client:
        yield test_client, record["id"].removeprefix("https://ror.org/")


@pytest.mark.parametrize(
    "path",
    ["/heartbeat", "/v2/organizations/{id}", "/v1/organizations/{id}", "/api/funders/{id}"],
)
def test_head_has_the_status_and_headers_of_get_and_no_body(client, path):
    http, bare = client
    path = path.format(id=bare)
    get, head = http.get(path), http.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_head_of_a_list_is_200_without_a_body(client):
    http, _ = client
    head = http.head("/v1/organizations?query=head")
    assert (head.status_code, head.content) == (200, b"")


def test_head_of_an_unknown_path_is_404(client):
    http, _ = client
    assert http.head("/nowhere").status_code == 404
