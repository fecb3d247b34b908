"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from crm_contracts.chassis.migrations import upgrade
from crm_service_desk.models import Base
from sqlalchemy import create_engine

# Made by raw SQL in 0001 (an expression index the models cannot declare): the search's full-text index.
BY_HAND = {"ix_kb_articles_fulltext"}


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("CRM_VAR_DIR", str(tmp_path))  # upgrade makes the SQLite folder; not in the tree
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'service_desk.db'}"
    else:
        url = request.getfixturevalue("databases").create(f"service_desk_migrated_{uuid.uuid4().hex[:8]}")
    upgrade("crm_service_desk", "service_desk", url)
    return url


def test_the_migrated_schema_matches_the_models(migrated):
    engine = create_engine(migrated)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert [d for d in diff if not (d[0] == "remove_index" and d[1].name in BY_HAND)] == []
