"""contacts and ticket indexes: contact_view from the customer service's contact events; tickets indexed
for SLA policy edits (sla_policy_id, status) and for the routing timer (open tickets no group took)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:12:41.118203
"""
from collections.abc import Sequence

import crm_contracts.chassis.types
import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPLESS = "group_id IS NULL AND assignee_id IS NULL AND status IN ('new', 'open', 'pending')"


def upgrade() -> None:
    op.create_table('contact_view',
    sa.Column('contact_id', crm_contracts.chassis.types.UuidString(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('synced_at', crm_contracts.chassis.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('contact_id')
    )
    with op.batch_alter_table('contact_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_view_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_sla_policy_status', ['sla_policy_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_groupless', ['priority_rank', 'created_at'], unique=False,
                              postgresql_where=sa.text(GROUPLESS), sqlite_where=sa.text(GROUPLESS))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_groupless', postgresql_where=sa.text(GROUPLESS),
                            sqlite_where=sa.text(GROUPLESS))
        batch_op.drop_index('ix_tickets_sla_policy_status')

    with op.batch_alter_table('contact_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_view_account_id'))

    op.drop_table('contact_view')
