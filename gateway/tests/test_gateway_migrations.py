"""Migrations match the models; the CLI migrates and creates the first admin once."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from crm_gateway import cli
from crm_gateway.store.models import Base, User
from sqlalchemy import create_engine, func, select


def test_the_migrated_schema_matches_the_models(db_url):
    engine = create_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert diff == []


def test_migrate_creates_the_first_admin_once_and_prints_a_generated_password(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'var' / 'gateway.db'}"
    monkeypatch.delenv("CRM_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("CRM_ADMIN_USER", "chief")

    assert cli.main(["--database-url", url, "migrate"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["--database-url", url, "migrate"]) == 0
    second = capsys.readouterr().out

    assert "chief" in first and "password (shown only now)" in first
    assert "password" not in second
    engine = create_engine(url)
    with engine.connect() as connection:
        admins = connection.execute(select(func.count()).select_from(User).where(User.role == "admin")).scalar()
    engine.dispose()
    assert admins == 1


def test_create_admin_adds_another_admin(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"

    code = cli.main(["--database-url", url, "create-admin", "second", "--password", "a long admin secret"])

    assert code == 0 and "second" in capsys.readouterr().out
