"""moderators block accounts: the member cannot log in and their content is hidden

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-26 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: copying `member` on SQLite would fire the ON DELETE
    # rules of every table that points at it.
    op.add_column('member', sa.Column('blocked_at', sa.DateTime(), nullable=True))
    op.add_column('member', sa.Column('blocked_reason', sa.String(length=300),
                                      nullable=False, server_default=''))
    op.create_index(op.f('ix_member_blocked_at'), 'member', ['blocked_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_member_blocked_at'), table_name='member')
    op.drop_column('member', 'blocked_reason')
    op.drop_column('member', 'blocked_at')
