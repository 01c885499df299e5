"""The SLA engine's periodic jobs, registered on the scheduler by complaints.scheduler."""

from __future__ import annotations

import logging

from flask import Flask

from complaints.extensions import db

log = logging.getLogger(__name__)


def run_sweep(app: Flask) -> None:
    """One SLA sweep in its own app context and session."""
    from complaints.services.pledge_keeping import sweep

    with app.app_context():
        try:
            report = sweep()
            if report:
                log.info("sla sweep: %d warnings, %d breaches", report.warned, report.breached)
        finally:
            db.session.remove()


def deliver_email(app: Flask) -> None:
    """Send queued notification emails (retrying failed ones)."""
    from complaints.services.notifications import deliver_pending_email

    with app.app_context():
        try:
            deliver_pending_email()
        finally:
            db.session.remove()


def add_jobs(scheduler, app: Flask) -> None:
    common = {"args": [app], "max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(
        run_sweep, "interval", seconds=app.config["SLA_SWEEP_SECONDS"], id="sla_sweep", **common
    )
    scheduler.add_job(deliver_email, "interval", seconds=60, id="deliver_email", **common)
