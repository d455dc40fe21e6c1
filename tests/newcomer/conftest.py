"""Fixtures shared by the newcomer room's tests."""

import pytest


@pytest.fixture
def ria(create_user):
    """The regisseur of the newcomers' cases."""
    return create_user("ria")
