"""The timeline is tamper-evident: each event hashes the one before it, per complaint."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from complaints.extensions import db
from complaints.models import GENESIS_HASH, Event
from complaints.services.attachments import Upload
from complaints.workflow import Action
from tests.files import png_bytes
from tests.support import act_as as act


def chain_breaks(complaint_id: int) -> list[int]:
    """Ids of the events of one complaint whose link in the hash chain does not verify.

    Walks the events in id order: each must point at the hash of the one before (the genesis
    hash for the first) and carry the hash of its own content.
    """
    db.session.expire_all()
    events = db.session.scalars(select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id))
    broken, expected_prev = [], GENESIS_HASH
    for event in events:
        if event.prev_hash != expected_prev or event.hash != event.content_hash():
            broken.append(event.id)
        expected_prev = event.hash
    return broken


def action_of(event_id: int) -> str:
    return db.session.get(Event, event_id).action


def event_ids(complaint_id: int) -> list[int]:
    return list(
        db.session.scalars(select(Event.id).where(Event.complaint_id == complaint_id).order_by(Event.id))
    )


def resolution_event(complaint_id: int) -> int:
    """The id of the agent's resolution, an event in the middle of the journey."""
    return next(i for i in event_ids(complaint_id) if action_of(i) == "resolve")


def full_journey(world, clock) -> tuple[str, str]:
    """Two complaints worked side by side, so their events interleave; return both references."""
    ref, other = world.file(), world.file("other_consumer", files=[Upload("box.png", png_bytes())])
    steps = [
        (ref, "agent", Action.CLAIM, {}),
        (other, "agent2", Action.REJECT, {"reason": "the order is from another platform"}),
        (ref, "agent", Action.REQUEST_INFO, {"party": "consumer", "body": "请提供订单截图。"}),
        (ref, "consumer", Action.REPLY, {"body": "截图已上传。", "files": [Upload("截图.png", png_bytes())]}),
        (other, "other_consumer", Action.APPEAL, {"reason": "It is from this platform."}),
        (ref, "consumer", Action.ADD_EVIDENCE, {"files": [Upload("receipt.png", png_bytes())]}),
        (ref, "agent", Action.VERIFY, {"note": "Order confirmed."}),
        (ref, "agent", Action.NOTE, {"body": "商家多次被投诉。"}),
        (ref, "agent", Action.REQUEST_INFO, {"party": "merchant", "body": "Phoned the shop."}),
        (ref, "agent", Action.MERCHANT_ANSWER, {"body": "The shop offers 100 yuan."}),
        (ref, "agent", Action.RESOLVE, {"outcome": "partly_upheld", "compensation_amount": "100"}),
        (ref, "consumer", Action.DISPUTE, {"reason": "Too little.", "mediation_org_id": world.org_id}),
        (ref, "merchant", Action.CONSENT_REFERRAL, {}),
        (ref, "mediator", Action.ACCEPT_REFERRAL, {}),
        (ref, "mediator", Action.REPLY, {"body": "We will call both parties."}),
        (ref, "mediator", Action.RECORD_SESSION, {"notes": "Both attended.", "held_at": "PAST"}),
        (
            ref,
            "mediator",
            Action.RECORD_OUTCOME,
            {
                "outcome": "settled",
                "note": "Refund 200 yuan.",
                "compensation_amount": "200",
                "payer": "shop",
                "perform_by": date(2026, 6, 1),
            },
        ),
        (ref, "consumer", Action.CONFIRM, {"rating": 4, "comment": "谢谢"}),
        (ref, "supervisor", Action.NOTE, {"body": "Closed case reviewed."}),
    ]
    for reference, who, action, params in steps:
        clock.advance(minutes=37, microseconds=123)
        if params.get("held_at") == "PAST":
            params = dict(params, held_at=clock.now() - timedelta(hours=1))
        act(world, reference, who, action, **params)
    return ref, other


def test_the_hash_chain_verifies_across_a_full_journey(app, world, clock):
    with app.app_context():
        ref, other = full_journey(world, clock)
        complaint, second = world.complaint(ref), world.complaint(other)
        assert complaint.state.value == "closed"
        actions = [action_of(i) for i in event_ids(complaint.id)]
        people = [a for a in actions if not a.startswith(("clock_", "sla_"))]
        assert people[0] == "filed"
        assert len(people) == 18  # the dispute's consent by the shop and the acceptance among them
        assert "clock_started" in actions and "clock_stopped" in actions  # the system's events chain too
        assert chain_breaks(complaint.id) == []
        assert chain_breaks(second.id) == []
        first = db.session.get(Event, event_ids(complaint.id)[0])
        assert (first.action, first.prev_hash) == ("filed", GENESIS_HASH)
        # Each complaint has its own chain, even though their events interleave.
        assert db.session.get(Event, event_ids(second.id)[0]).prev_hash == GENESIS_HASH


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("detail", '{"outcome": "upheld", "compensation_amount": "99999.00"}'),
        ("actor_id", None),
        ("to_state", "rejected"),
        ("public", False),
        ("action", "withdraw"),
        ("created_at", "2020-01-01 00:00:00.000000"),
    ],
)
def test_rewriting_an_event_with_sql_is_detected(app, world, clock, column, value):
    with app.app_context():
        ref, other = full_journey(world, clock)
        complaint_id = world.complaint(ref).id
        target = resolution_event(complaint_id)

        db.session.execute(
            text(f"UPDATE events SET {column} = :value WHERE id = :id"), {"value": value, "id": target}
        )
        db.session.commit()

        assert chain_breaks(complaint_id) == [target]
        assert chain_breaks(world.complaint(other).id) == []


def test_rewriting_an_event_and_its_hash_breaks_the_next_link(app, world, clock):
    with app.app_context():
        ref, _ = full_journey(world, clock)
        complaint_id = world.complaint(ref).id
        ids = event_ids(complaint_id)
        target = resolution_event(complaint_id)
        after = ids[ids.index(target) + 1]
        db.session.execute(
            text("UPDATE events SET detail = :detail WHERE id = :id"),
            {"detail": '{"outcome": "upheld", "compensation_amount": "99999.00"}', "id": target},
        )
        db.session.commit()
        db.session.expire_all()
        forged = db.session.get(Event, target).content_hash()
        db.session.execute(
            text("UPDATE events SET hash = :hash WHERE id = :id"), {"hash": forged, "id": target}
        )
        db.session.commit()

        assert chain_breaks(complaint_id) == [after]


def test_deleting_an_event_with_sql_is_detected(app, world, clock):
    with app.app_context():
        ref, _ = full_journey(world, clock)
        complaint_id = world.complaint(ref).id
        ids = event_ids(complaint_id)
        target = resolution_event(complaint_id)
        db.session.execute(text("DELETE FROM events WHERE id = :id"), {"id": target})
        db.session.commit()

        assert chain_breaks(complaint_id) == [ids[ids.index(target) + 1]]


def test_a_filing_writes_its_events_in_the_order_they_chain(app, world, clock):
    """The filing's own event is an object, its clocks' starts are rows written in one statement
    after it: ids must still follow the chain (filed first, then each clock's start). The second
    filing finds its pledge and calendars cached: no read in between flushes the filing's event."""
    world.file()
    complaint = world.complaint(world.file())
    actions = [action_of(event_id) for event_id in event_ids(complaint.id)]
    assert actions[0] == "filed"
    assert actions[1:] == ["clock_started"] * (len(actions) - 1) and len(actions) >= 3
    assert chain_breaks(complaint.id) == []
