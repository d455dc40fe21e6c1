"""The integration term as decisions: plan_term_decision (start, correction, extension with its ground)

Revision ID: c4f1a8e2d9b6
Revises: c3f8a1d2e4b6
Create Date: 2026-12-03 16:30:00

The term used to hang on the free "Datum van het plan" field of the drafted plan. By law it starts the day
after the PIP is adopted by beschikking (Wet inburgering 2021 art. 11). Existing data:

- every plan with a term gets a ``start`` row from its first beschikking's decision date (``besluitdatum``;
  the old plan date when a decision has none);
- where that gives another start than the one stored, the term is derived again and a ``correctie`` row
  says what it was before (so the regisseur can tell the newcomer); an end already moved by a granted
  extension stays where DUO put it;
- every granted extension already recorded (a verlenging or eindevaluatie with outcome "toegekend") gets a
  ``verlenging`` row; its ground was not asked then, which the row says.
"""
from datetime import UTC, date, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = 'c4f1a8e2d9b6'
down_revision = 'c3f8a1d2e4b6'
branch_labels = None
depends_on = None

TERM_SOURCE = "Wet inburgering 2021 art. 11: de termijn begint de dag na de vaststelling van het PIP en duurt drie jaar"
EXTENSION_SOURCE = "Wet inburgering 2021 art. 12; Besluit inburgering 2021 art. 4.3–4.4: verlenging door DUO"


def _term_end(start: date) -> date:
    """portal.dates.term_end(start, 3), copied so that the migration does not change with the code."""
    try:
        anniversary = start.replace(year=start.year + 3)
    except ValueError:  # 29 February into a common year
        return date(start.year + 3, 2, 28)
    return anniversary - timedelta(days=1)


def _day(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def upgrade():
    op.create_table(
        'plan_term_decision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('term_start', sa.Date(), nullable=False),
        sa.Column('term_end', sa.Date(), nullable=False),
        sa.Column('previous_end', sa.Date(), nullable=True),
        sa.Column('reason_code', sa.String(length=40), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_term_decision_plan_id_plan')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_plan_term_decision_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_term_decision')),
    )
    with op.batch_alter_table('plan_term_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_term_decision_plan_id'), ['plan_id'], unique=False)
    _derive_existing_terms()


def _derive_existing_terms():
    bind = op.get_bind()
    plan = sa.table('plan', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                    sa.column('pip_date', sa.Date), sa.column('term_start', sa.Date), sa.column('term_end', sa.Date))
    version = sa.table('plan_version', sa.column('plan_id', sa.Integer), sa.column('number', sa.Integer),
                       sa.column('decided_at', sa.DateTime(timezone=True)), sa.column('decision', sa.JSON))
    follow_up = sa.table('progress_follow_up', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                         sa.column('kind', sa.String), sa.column('outcome', sa.String), sa.column('data', sa.JSON),
                         sa.column('recorded_by_id', sa.Integer))
    decision = sa.table('plan_term_decision', sa.column('plan_id', sa.Integer), sa.column('kind', sa.String),
                        *(sa.column(name, sa.Date) for name in ('decided_on', 'term_start', 'term_end', 'previous_end')),
                        *(sa.column(name, sa.String) for name in ('reason_code', 'reason', 'source')),
                        sa.column('recorded_by_id', sa.Integer), sa.column('created_at', sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    if bind.dialect.name == 'sqlite':  # stored as naive UTC there (portal.db.UTCDateTime)
        now = now.replace(tzinfo=None)
    rows = []
    plans = bind.execute(sa.select(plan).where(plan.c.term_start.is_not(None))).all()
    for p in plans:
        first = bind.execute(sa.select(version.c.decision).where(
            version.c.plan_id == p.id, version.c.decided_at.is_not(None)).order_by(version.c.number).limit(1)).first()
        decided_on = _day((first.decision or {}).get('besluitdatum') if first else None) or p.pip_date \
            or p.term_start - timedelta(days=1)
        start = decided_on + timedelta(days=1)
        natural_end, old_natural_end = _term_end(start), _term_end(p.term_start)
        end = natural_end if p.term_end in (None, old_natural_end) else p.term_end  # keep an extended end
        base = {'plan_id': p.id, 'decided_on': decided_on, 'term_start': start, 'reason_code': None,
                'recorded_by_id': None, 'created_at': now}
        rows.append({**base, 'kind': 'start', 'term_end': natural_end, 'previous_end': None, 'reason': None,
                     'source': TERM_SOURCE})
        if start != p.term_start:
            rows.append({**base, 'kind': 'correctie', 'term_end': natural_end, 'previous_end': old_natural_end,
                         'reason': f"De termijn hing aan de datum van het plan ({p.term_start - timedelta(days=1)}): "
                                   f"was {p.term_start} tot en met {old_natural_end}; nu afgeleid uit de beschikking "
                                   f"van {decided_on}.", 'source': TERM_SOURCE})
        previous = natural_end
        granted = bind.execute(sa.select(follow_up).where(
            follow_up.c.case_id == p.case_id, follow_up.c.outcome == 'toegekend',
            follow_up.c.kind.in_(('verlenging', 'eindevaluatie'))).order_by(follow_up.c.id)).all()
        for g in granted:
            data = g.data or {}
            new_end = _day(data.get('nieuwe_einddatum'))
            if new_end is None or new_end <= previous:
                continue
            rows.append({**base, 'kind': 'verlenging', 'term_end': new_end, 'previous_end': previous,
                         'decided_on': _day(data.get('besluitdatum') or data.get('datum')) or decided_on,
                         'reason': "Vastgelegd voordat de portal om de grond van de verlenging vroeg.",
                         'source': EXTENSION_SOURCE, 'recorded_by_id': g.recorded_by_id})
            previous = new_end
        bind.execute(plan.update().where(plan.c.id == p.id).values(pip_date=decided_on, term_start=start,
                                                                   term_end=max(end, previous)))
    if rows:
        bind.execute(decision.insert(), rows)


def downgrade():
    with op.batch_alter_table('plan_term_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_term_decision_plan_id'))
    op.drop_table('plan_term_decision')
