"""fx_rates: finance's exchange rates, so receivables in several currencies count against one limit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:00:00
"""
from collections.abc import Sequence

import crm_contracts.chassis.types
import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fx_rates',
                    sa.Column('currency', sa.String(length=3), nullable=False),
                    sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
                    sa.Column('updated_at', crm_contracts.chassis.types.UtcDateTime(timezone=True), nullable=False),
                    sa.Column('updated_by', sa.String(length=36), nullable=True),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('currency'))


def downgrade() -> None:
    op.drop_table('fx_rates')
