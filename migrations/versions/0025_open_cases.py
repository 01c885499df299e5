"""each mediation organisation's open cases, kept by the database as complaints and referrals change

An organisation's open load (services/referral_choice.py) is the complaints in mediation with it
plus the referrals to it still waiting for the parties' consent. The referral form counted them
on every visit: at a million complaints, 5,400 cases an organisation, 2.5 ms of the page.

`mediation_organisations.open_cases` holds that count. Triggers keep it, in the transaction of
the change itself, whatever writes the row: the workflow, the scheduler's lapses, the seeders'
bulk inserts, a hand-run statement. Nothing in the application has to remember to update it, and
nothing can forget. The backfill counts what is there at upgrade.

Revision ID: 0025_open_cases
Revises: 0024_clock_due_order
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_open_cases"
down_revision = "0024_clock_due_order"
branch_labels = None
depends_on = None

# (table, the organisation's column, the column that says whether the row is open, its open value)
COUNTED = (
    ("complaints", "mediation_org_id", "state", "mediated"),
    ("mediation_referrals", "organisation_id", "status", "awaiting_consent"),
)

BACKFILL = """
UPDATE mediation_organisations SET open_cases =
    (SELECT count(*) FROM complaints
      WHERE complaints.mediation_org_id = mediation_organisations.id AND complaints.state = 'mediated')
  + (SELECT count(*) FROM mediation_referrals
      WHERE mediation_referrals.organisation_id = mediation_organisations.id
        AND mediation_referrals.status = 'awaiting_consent')
"""


def _statements(table: str, organisation: str, status: str, value: str, postgresql: bool) -> list[str]:
    """The triggers on `table` that add one to an organisation's count when a row becomes one of
    its open cases (inserted so, or changed into one) and take one off when it stops being one."""

    def is_open(row: str) -> str:
        return f"{row}.{status} = '{value}' AND {row}.{organisation} IS NOT NULL"

    def count(row: str, by: str) -> str:
        return f"UPDATE mediation_organisations SET open_cases = open_cases {by} 1 WHERE id = {row}.{organisation}"

    name = f"{table}_open_cases"
    on_update = f"AFTER UPDATE OF {status}, {organisation} ON {table}"
    if not postgresql:
        changed = f"(OLD.{status} IS NOT NEW.{status} OR OLD.{organisation} IS NOT NEW.{organisation})"
        return [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} WHEN {is_open('NEW')} "
            f"BEGIN {count('NEW', '+')}; END",
            f"CREATE TRIGGER {name}_update {on_update} WHEN {changed} BEGIN "
            f"{count('OLD', '-')} AND OLD.{status} = '{value}'; "
            f"{count('NEW', '+')} AND NEW.{status} = '{value}'; END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} WHEN {is_open('OLD')} "
            f"BEGIN {count('OLD', '-')}; END",
        ]
    changed = f"OLD.{status} IS DISTINCT FROM NEW.{status} OR OLD.{organisation} IS DISTINCT FROM NEW.{organisation}"
    # OLD is not there to read in an INSERT's trigger, nor NEW in a DELETE's: TG_OP says which.
    return [
        f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF {is_open("OLD")} THEN {count("OLD", "-")}; END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF {is_open("NEW")} THEN {count("NEW", "+")}; END IF;
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} FOR EACH ROW "
        f"WHEN ({is_open('NEW')}) EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_update {on_update} FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} FOR EACH ROW "
        f"WHEN ({is_open('OLD')}) EXECUTE FUNCTION {name}()",
    ]


def upgrade():
    op.add_column("mediation_organisations", sa.Column("open_cases", sa.Integer(), nullable=False, server_default="0"))
    op.execute(BACKFILL)
    postgresql = op.get_bind().dialect.name == "postgresql"
    for counted in COUNTED:
        for statement in _statements(*counted, postgresql=postgresql):
            op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, *_ in COUNTED:
        for change in ("insert", "update", "delete"):
            op.execute(
                f"DROP TRIGGER IF EXISTS {table}_open_cases_{change}" + (f" ON {table}" if postgresql else "")
            )
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_open_cases()")
    # A plain DROP COLUMN (SQLite has one since 3.35): a batch would copy the table, and SQLite
    # refuses to drop the old copy while users and complaints refer to its rows.
    op.drop_column("mediation_organisations", "open_cases")
