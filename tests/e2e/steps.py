"""Steps the browser journeys share: signing in, setting up complaints behind the scenes, small files.

Set-up goes through the services in the live app's own context (as staff would, through the
desk), so a journey starts where it means to without clicking through everything before it.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import uuid4

from complaints.extensions import db
from complaints.participants import get_visible_complaint
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action
from tests.files import pdf_bytes, png_bytes
from tests.support import PASSWORD

REFERENCE = re.compile(r"C-\d{4}-\d{6}")


def unique(prefix: str) -> str:
    """A value no earlier test in the module used: live data accumulates within a module."""
    return f"{prefix}-{uuid4().hex[:8]}"


def evidence_files(folder: Path, stem: str = "evidence") -> tuple[Path, Path]:
    """A small photo and a small PDF on disk, for the browser's file inputs."""
    photo, document = folder / f"{stem}-photo.png", folder / f"{stem}-receipt.pdf"
    photo.write_bytes(png_bytes())
    document.write_bytes(pdf_bytes())
    return photo, document


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form. Fields are found by name, so this works in any language."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not sign in"


def file_for(live_app, world, consumer: str = "consumer", **overrides) -> str:
    """File a complaint for `consumer` through the service, with its own order number."""
    overrides.setdefault("order_reference", unique("ORD"))
    with live_app.app_context():
        reference = world.file(consumer, **overrides)
        db.session.remove()
    return reference


def staff_does(live_app, world, reference: str, action: Action, who: str = "agent", **params) -> None:
    """`who` (a member of staff in the World) acts on a complaint through the service."""
    with live_app.app_context():
        user = world.user(who)
        complaint = get_visible_complaint(user, reference)
        assert complaint is not None, f"{who} cannot see {reference}"
        apply_action(complaint, user, action, **params)
        db.session.commit()
        db.session.remove()


def mediation_underway(live_app, world, reference: str) -> None:
    """Both parties consent to the referral of `reference` and world.org_id's mediator accepts it
    (through the services; tests/e2e/test_referral.py does it on the pages)."""
    staff_does(live_app, world, reference, Action.CONSENT_REFERRAL, who="consumer")
    staff_does(live_app, world, reference, Action.CONSENT_REFERRAL, who="merchant")
    staff_does(live_app, world, reference, Action.ACCEPT_REFERRAL, who="mediator")


def state_of(live_app, world, reference: str) -> str:
    with live_app.app_context():
        state = world.complaint(reference).state.value
        db.session.remove()
    return state


def has_no_horizontal_scroll(page) -> bool:
    """Nothing sticks out sideways: the page fits the phone's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def open_action(page, summary: str) -> None:
    """Unfold one of the desk's actions (each folded under its summary), as a person clicks it."""
    details = page.locator("details.action").filter(has=page.locator("summary", has_text=summary)).first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
