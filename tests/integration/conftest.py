import pytest

from tests.integration.test_api_v2_dump import Dump, load_dump


@pytest.fixture(scope="session")
def dump() -> Dump:
    """The subset dump's v2 records, with the indexes tests derive expectations from."""
    return load_dump()
