"""The server starts on the subset dump and answers the basic requests."""


def test_heartbeat(api):
    response = api.get("/heartbeat")
    assert response.status_code == 200
    assert response.text == "OK"


def test_retrieve_known_record(api):
    response = api.get("/v2/organizations/05dxps055")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["id"] == "https://ror.org/05dxps055"
