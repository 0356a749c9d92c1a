import pytest

from resmeta.records.ids import parse_ror_id, ror_url


@pytest.mark.parametrize(
    "text",
    [
        "05dxps055",
        "https://ror.org/05dxps055",
        "http://ror.org/05dxps055",
        "ror.org/05dxps055",
        "https%3A%2F%2Fror.org%2F05dxps055",
        "ror.org%2F05dxps055",
        " 05dxps055 ",
    ],
)
def test_accepted_forms(text):
    assert parse_ror_id(text) == "05dxps055"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "5dxps055",
        "15dxps055",
        "05dxps05x",
        "05dxps0555",
        "https://example.org/05dxps055",
        "grid.1.2",
        "05dx ps055",
    ],
)
def test_rejected_forms(text):
    assert parse_ror_id(text) is None


def test_ror_url():
    assert ror_url("05dxps055") == "https://ror.org/05dxps055"
