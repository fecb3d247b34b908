"""Fixtures every package's tests may use: real RabbitMQ and PostgreSQL, isolated per run."""

pytest_plugins = ["crm_contracts.testing.fixtures"]
