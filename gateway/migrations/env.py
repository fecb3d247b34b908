"""Alembic environment of the gateway database."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from crm_contracts import config as crm_config
from crm_gateway.store.models import Base
from sqlalchemy import engine_from_config, pool

alembic_cfg = context.config
if alembic_cfg.config_file_name and alembic_cfg.attributes.get("configure_logger", True):
    fileConfig(alembic_cfg.config_file_name)

url = alembic_cfg.get_main_option("sqlalchemy.url") or crm_config.database_url("gateway")
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        # Batch mode so later ALTERs work on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
