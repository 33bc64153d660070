"""The cross-service tests take their fixtures from the project's conftest.py."""
