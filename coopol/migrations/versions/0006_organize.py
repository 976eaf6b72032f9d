"""organisers' tools: mobilisations, who they reached, the outbox's link to them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mobilisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('filter', sa.JSON(), nullable=False),
    sa.Column('target_kind', sa.String(length=12), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sender_id'], ['member.id'], name=op.f('fk_mobilisation_sender_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobilisation'))
    )
    with op.batch_alter_table('mobilisation', schema=None) as batch_op:
        batch_op.create_index('ix_mobilisation_sender_created', ['sender_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobilisation_sender_id'), ['sender_id'], unique=False)

    op.create_table('mobilisation_recipient',
    sa.Column('mobilisation_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_mobilisation_recipient_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mobilisation_id'], ['mobilisation.id'], name=op.f('fk_mobilisation_recipient_mobilisation_id_mobilisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mobilisation_id', 'member_id', name=op.f('pk_mobilisation_recipient'))
    )
    with op.batch_alter_table('mobilisation_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobilisation_recipient_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobilisation_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_mobilisation_status', ['mobilisation_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mobilisation_status')
        batch_op.drop_column('mobilisation_id')

    with op.batch_alter_table('mobilisation_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobilisation_recipient_member_id'))

    op.drop_table('mobilisation_recipient')
    with op.batch_alter_table('mobilisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobilisation_sender_id'))
        batch_op.drop_index('ix_mobilisation_sender_created')

    op.drop_table('mobilisation')
