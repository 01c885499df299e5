"""The APScheduler that runs PledgeDesk's periodic jobs.

It runs embedded in the development server (`make run`) and as its own process in production
(`flask scheduler run`); gunicorn workers never start one (SCHEDULER_ENABLED is off by default).
"""

from __future__ import annotations

import logging

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger(__name__)

scheduler_cli = AppGroup("scheduler", help="The periodic jobs.")


def _job(app: Flask, work, describe) -> None:
    """Run `work()` in its own app context and session; log what `describe(result)` says."""
    from complaints.extensions import db

    with app.app_context():
        try:
            message = describe(work())
            if message:
                log.info(message)
        finally:
            db.session.remove()


def run_sweep(app: Flask) -> None:
    """Record the pledge's warnings and breaches that fell due, and tell people (sla/ + services)."""
    from complaints.services.pledge_keeping import sweep

    _job(app, sweep, lambda r: r and f"sla sweep: {r.warned} warnings, {r.breached} breaches")


def deliver_email(app: Flask) -> None:
    """Send queued notification emails (retrying failed ones)."""
    from complaints.services.notifications import deliver_pending_email

    _job(app, deliver_pending_email, lambda _sent: None)


def deliver_digests(app: Flask) -> None:
    """Send each person whose daily summary is due their one e-mail of the day."""
    from complaints.services.notifications import deliver_digests as deliver

    _job(app, deliver, lambda r: r[0] and f"sent {r[0]} daily summaries")


def close_expired(app: Flask) -> None:
    """Close decided complaints whose appeal window passed."""
    from complaints.services.closing import close_expired_decisions

    _job(app, close_expired_decisions, lambda n: n and f"closed {n} complaints whose appeal window passed")


def prune_orphan_files(app: Flask) -> None:
    """Remove attachment files no row points to."""
    from complaints.services.attachments import prune_orphan_files as prune

    _job(app, prune, lambda removed: removed and f"removed {len(removed)} orphan attachment files")


def purge_pending_uploads(app: Flask) -> None:
    """Forget the files kept for refused filings once they expired (services/pending_uploads.py)."""
    from complaints.extensions import db
    from complaints.services.pending_uploads import purge_expired_uploads

    def work() -> int:
        forgotten = purge_expired_uploads()
        db.session.commit()
        return forgotten

    _job(app, work, lambda n: n and f"forgot {n} expired pending uploads")


def mark_unpaid_agreements(app: Flask) -> None:
    """Mark binding mediation agreements whose deadline passed without the consumer's receipt as
    unpaid, and tell the supervisors (services/agreements.py; once: the status moves on)."""
    from complaints.services.agreements import mark_unpaid_agreements as mark

    _job(app, mark, lambda n: n and f"marked {n} mediation agreements unpaid after their deadline")


def lapse_referral_consents(app: Flask) -> None:
    """Decline the referrals to mediation whose consent window passed without both parties'
    consent, and tell the parties (services/referrals.py; pages show them lapsed already)."""
    from complaints.services.referrals import lapse_overdue_consents

    _job(app, lapse_overdue_consents, lambda n: n and f"{n} referrals to mediation lapsed without consent")


def compute_reputation(app: Flask) -> None:
    """Score every shop's last month (services/reputation.py) once it is over: the job runs every
    night and scores the month on the first night it finds it not scored, so a scheduler that was
    down on the 1st catches up."""
    from complaints.services.reputation import Month, compute_month_once

    _job(
        app,
        lambda: compute_month_once(Month.last()),
        lambda n: n and f"scored {n} shops' reputation for last month",
    )


def generate_service_reports(app: Flask) -> None:
    """Generate last quarter's and last half-year's service reports (services/service_reports.py)
    the first night the job finds them missing or generated before the period was over."""
    from complaints.services.service_reports import generate_due

    _job(app, generate_due, lambda n: n and f"generated {n} service reports")


def deliver_webhooks(app: Flask) -> None:
    """POST the webhook deliveries that are due (services/webhooks.py), retrying with backoff."""
    from complaints.services.webhooks import deliver_due

    _job(app, deliver_due, lambda n: n and f"delivered {n} webhook events")


def add_jobs(scheduler, app: Flask) -> None:
    """Register every periodic job on `scheduler`."""
    common = {"args": [app], "max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(
        run_sweep, "interval", seconds=app.config["SLA_SWEEP_SECONDS"], id="sla_sweep", **common
    )
    scheduler.add_job(deliver_email, "interval", seconds=60, id="deliver_email", **common)
    scheduler.add_job(deliver_webhooks, "interval", seconds=15, id="deliver_webhooks", **common)
    # A summary falls due at DIGEST_HOUR of each recipient's own day; this picks it up soon after.
    scheduler.add_job(deliver_digests, "interval", minutes=10, id="deliver_digests", **common)
    scheduler.add_job(close_expired, "interval", minutes=10, id="close_expired_decisions", **common)
    scheduler.add_job(prune_orphan_files, "interval", hours=1, id="prune_orphan_files", **common)
    scheduler.add_job(purge_pending_uploads, "interval", hours=1, id="purge_pending_uploads", **common)
    scheduler.add_job(mark_unpaid_agreements, "interval", minutes=10, id="mark_unpaid_agreements", **common)
    scheduler.add_job(lapse_referral_consents, "interval", minutes=10, id="lapse_referral_consents", **common)
    # Nightly in the platform's zone; it scores last month the first night it is not scored.
    scheduler.add_job(
        compute_reputation,
        "cron",
        hour=2,
        minute=30,
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        id="compute_reputation",
        **common,
    )
    scheduler.add_job(
        generate_service_reports,
        "cron",
        hour=3,
        minute=0,
        timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        id="generate_service_reports",
        **common,
    )


def start_embedded_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the jobs in a background thread of this process."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, app)
    scheduler.start()
    app.extensions["pledgedesk.scheduler"] = scheduler
    log.info("embedded scheduler started")
    return scheduler


@scheduler_cli.command("run")
def run_scheduler() -> None:
    """Run the periodic jobs in the foreground (production: one such process)."""
    app = current_app._get_current_object()
    scheduler = BlockingScheduler(timezone="UTC")
    add_jobs(scheduler, app)
    click.echo("scheduler running; Ctrl+C stops it")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("scheduler stopped")


@scheduler_cli.command("run-once")
def run_once() -> None:
    """Run every job once now, then exit (for cron or a check)."""
    app = current_app._get_current_object()
    run_sweep(app)
    deliver_email(app)
    deliver_webhooks(app)
    deliver_digests(app)
    close_expired(app)
    purge_pending_uploads(app)
    mark_unpaid_agreements(app)
    lapse_referral_consents(app)
    compute_reputation(app)
    generate_service_reports(app)
    click.echo("jobs ran once")
