"""Alembic for every service: migrations live inside each package (``<package>/migrations``), so
an installed wheel or a container image can migrate its own database at start-up."""

from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, engine_from_config, pool, text

from .. import config


def alembic_config(package: str, component: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", (url or config.database_url(component)).replace("%", "%%"))
    return cfg


def upgrade(package: str, component: str, url: str | None = None) -> None:
    db_url = url or config.database_url(component)
    if db_url.startswith("sqlite:///"):
        config.var_dir().mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(package, component, db_url), "head")


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    cfg = context.config
    url = cfg.get_main_option("sqlalchemy.url")
    batch = url.startswith("sqlite")  # SQLite needs batch mode to alter tables
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=batch)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(cfg.get_section(cfg.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=batch)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several replicas starting together: one migrates, the others wait and find it done.
                connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
            context.run_migrations()
