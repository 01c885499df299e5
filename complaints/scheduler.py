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


def _close_expired(app: Flask) -> None:
    from complaints.extensions import db
    from complaints.services.closing import close_expired_decisions

    with app.app_context():
        try:
            closed = close_expired_decisions()
            if closed:
                log.info("closed %d complaints whose appeal window passed", closed)
        finally:
            db.session.remove()


def _prune_orphan_files(app: Flask) -> None:
    from complaints.extensions import db
    from complaints.services.attachments import prune_orphan_files

    with app.app_context():
        try:
            removed = prune_orphan_files()
            if removed:
                log.info("removed %d orphan attachment files", len(removed))
        finally:
            db.session.remove()


def add_jobs(scheduler, app: Flask) -> None:
    """Register every periodic job on `scheduler`."""
    from complaints.sla import jobs as sla_jobs

    sla_jobs.add_jobs(scheduler, app)
    scheduler.add_job(
        _close_expired,
        "interval",
        args=[app],
        minutes=10,
        id="close_expired_decisions",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    scheduler.add_job(
        _prune_orphan_files,
        "interval",
        args=[app],
        hours=1,
        id="prune_orphan_files",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
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
    from complaints.sla import jobs as sla_jobs

    app = current_app._get_current_object()
    sla_jobs.run_sweep(app)
    sla_jobs.deliver_email(app)
    _close_expired(app)
    click.echo("jobs ran once")
