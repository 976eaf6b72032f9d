"""events hosted by groups; group proposals handed to consultations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:58:05.933099

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the foreign keys make batch mode copy both tables; their CHECK constraints
    # (the event's capacity guard) are reflected and kept.
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_event_group_starts_at', ['group_id', 'starts_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_group_id_group'), 'group', ['group_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('option_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_proposal_option_id'), ['option_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposal_option_id_option'), 'option', ['option_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposal_option_id_option'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposal_option_id'))
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('option_id')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_group_id_group'), type_='foreignkey')
        batch_op.drop_index('ix_event_group_starts_at')
        batch_op.drop_column('group_id')

