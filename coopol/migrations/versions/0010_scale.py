"""national scale: report figures stored with the results; indexes for long lists

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participants_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('adherent_participants', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('sections_reached', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('debates_count', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('area_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('distance', sa.Float(), nullable=True))
        batch_op.create_index('ix_area_result_distance', ['consultation_id', 'level', 'distance'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        # Eligible members per section (the participation page, the count at the close).
        batch_op.create_index('ix_member_eligible', ['section_id', 'status', 'adherent_confirmed_at'], unique=False)
        # Participants in name order: the first page without sorting them all.
        batch_op.create_index('ix_member_display_name', ['display_name', 'id'], unique=False)

    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        # A group's member list in its order: animateurs first, then by arrival. It starts
        # with the columns of ix_group_membership_list, which it replaces.
        batch_op.create_index('ix_group_membership_order', ['group_id', 'status', 'role', 'joined_at', 'id'], unique=False)
        batch_op.drop_index('ix_group_membership_list')

    with op.batch_alter_table('event', schema=None) as batch_op:
        # Events still to come: read without going through the past ones.
        batch_op.create_index('ix_event_status_ends_at', ['status', 'ends_at'], unique=False)

    _fill_closed_consultations()


def _fill_closed_consultations():
    """Store the report's figures for consultations closed before this revision."""
    bind = op.get_bind()
    closed = [row[0] for row in bind.execute(sa.text(
        "SELECT id FROM consultation WHERE closed_at IS NOT NULL"))]
    for consultation_id in closed:
        params = {"c": consultation_id}
        participants, adherents, sections = bind.execute(sa.text(
            "SELECT count(*), count(member.adherent_confirmed_at), "
            "count(DISTINCT participation.section_id) FROM participation "
            "JOIN member ON member.id = participation.member_id "
            "WHERE participation.consultation_id = :c"), params).one()
        debates = bind.execute(sa.text(
            "SELECT count(*) FROM debate WHERE consultation_id = :c"), params).scalar()
        bind.execute(sa.text(
            "UPDATE consultation SET participants_count = :p, adherent_participants = :a, "
            "sections_reached = :s, debates_count = :d WHERE id = :c"),
            {**params, "p": participants, "a": adherents, "s": sections, "d": debates})
        _fill_distances(bind, consultation_id)


def _shares(scores):
    # The same arithmetic as coopol.consultations.results.shares and distance_to, copied so
    # that this revision keeps working whatever the application code becomes.
    total = sum(row[3] for row in scores) or 1
    return {row[0]: row[3] / total for row in scores}


def _fill_distances(bind, consultation_id):
    area = sa.table('area_result', sa.column('id'), sa.column('consultation_id'),
                    sa.column('level'), sa.column('scores', sa.JSON), sa.column('distance'))
    national = bind.execute(sa.select(area.c.scores).where(
        area.c.consultation_id == consultation_id, area.c.level == 'national')).scalar()
    if not national:
        return
    nation = _shares(national)
    updates = []
    for row_id, scores in bind.execute(sa.select(area.c.id, area.c.scores).where(
            area.c.consultation_id == consultation_id, area.c.level == 'section')):
        if scores:
            mine = _shares(scores)
            gap = round(50 * sum(abs(mine.get(k, 0) - nation.get(k, 0))
                                 for k in mine.keys() | nation.keys()), 1)
            updates.append({"row_id": row_id, "gap": gap})
    if updates:
        bind.execute(area.update().where(area.c.id == sa.bindparam("row_id"))
                     .values(distance=sa.bindparam("gap")), updates)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_status_ends_at')

    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.create_index('ix_group_membership_list', ['group_id', 'status', 'role'], unique=False)
        batch_op.drop_index('ix_group_membership_order')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_display_name')
        batch_op.drop_index('ix_member_eligible')

    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): batch mode would copy these
    # tables, and dropping the old copy of a parent table cascades into its children on SQLite.
    op.drop_index('ix_area_result_distance', table_name='area_result')
    op.drop_column('area_result', 'distance')
    for column in ('debates_count', 'sections_reached', 'adherent_participants', 'participants_count'):
        op.drop_column('consultation', column)
