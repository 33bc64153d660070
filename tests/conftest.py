"""Fixtures for the cross-service tests."""

from tests.databases import database  # noqa: F401  (a fixture: both engines)
