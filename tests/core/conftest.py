"""Fixtures for the project model tests."""

from __future__ import annotations

import pytest
from core_helpers import make_media

from isolde.core.media import MediaRef


@pytest.fixture
def media() -> MediaRef:
    return make_media()
