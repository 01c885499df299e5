"""How `flask seed-bench` writes its rows: plain executemany INSERTs in large transactions, with
SQLite tuned for a bulk load meanwhile, the complaint table's secondary indexes built once at the
end, and the database left as a running one would be (full-text index merged, statistics made,
PostgreSQL's sequences moved on)."""

from __future__ import annotations

from sqlalchemy import text

from complaints.extensions import db
from complaints.services.search import FTS_TABLE


class BulkWriter:
    """Plain multi-row INSERTs through the driver, in the shape each database wants."""

    def __init__(self):
        dialect = db.session.get_bind().dialect
        self.sqlite = dialect.name == "sqlite"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.deferred: list[str] = []  # CREATE INDEX statements to run at the end

    @property
    def connection(self):
        return db.session.connection()

    def execute(self, sql: str) -> None:
        self.connection.exec_driver_sql(sql)

    def commit(self) -> None:
        """End one large transaction and set the next one up like the first."""
        db.session.commit()
        self.tune_for_bulk_load()

    def tune_for_bulk_load(self) -> None:
        # A throw-away benchmark database needs no durability while it loads; the rows are
        # consistent by construction, so foreign keys are not checked one by one either.
        if self.sqlite:  # (PRAGMAs before the transaction's first write, where they apply)
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
                self.execute(f"PRAGMA {pragma}")

    def defer_indexes(self) -> None:
        """Drop the secondary indexes of complaints and clocks; finish() builds each in one pass."""
        if self.sqlite:
            found = self.connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('complaints', 'sla_clocks') AND sql IS NOT NULL"
            ).all()
            for name, sql in found:
                self.execute(f'DROP INDEX "{name}"')
                self.deferred.append(sql)

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join([self.mark] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.connection.exec_driver_sql(sql, rows)

    def finish(self) -> None:
        """Build the deferred indexes and the planner's statistics; move PostgreSQL's sequences on."""
        while self.deferred:
            self.execute(self.deferred.pop())
        if self.sqlite:
            # The full-text index as years of filings would have left it: its segments merged.
            # Loaded in batches, it held unmerged segments of tens of thousands of complaints,
            # which FTS5's automatic merging then rewrote in the commit of every 64th filing
            # (15-35 ms each at a million complaints, where a filing's own insert takes 0.05 ms).
            self.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
            self.execute("PRAGMA analysis_limit=1000")
            self.execute("ANALYZE")
            return
        for table in (
            "users",
            "merchants",
            "categories",
            "mediation_organisations",
            "canned_replies",
            "complaints",
            "events",
            "messages",
            "sla_clocks",
            "mediation_agreements",
        ):
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            self.connection.execute(text(sql))
        self.execute("ANALYZE")

    def restore(self) -> None:
        """Back to the application's settings, with every index in place even after a failure."""
        db.session.rollback()
        if self.deferred:
            self.finish()
            db.session.commit()
        if self.sqlite:
            for pragma in ("synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT", "foreign_keys=ON"):
                self.execute(f"PRAGMA {pragma}")
            db.session.commit()
