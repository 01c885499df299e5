"""Two processes race for the last of a shop's deposit: exactly one payout is paid, the other is
refused with a message, and the balance never goes below zero. Runs on SQLite (the test's own
file) and, under `make test-postgres`, on PostgreSQL (TEST_DATABASE_URL), each process with its
own app, engine and connection, as two web workers would."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import DepositAccount, DepositEntry, PayoutRequest, PayoutStatus
from complaints.services import deposit_payouts, deposits

D = Decimal


def _pay_at_the_same_moment(database: str, folder: str, payout_id: int, supervisor_id: int, barrier, results):
    """One worker: its own app on the shared database; waits for the other, then pays."""
    from complaints import create_app
    from complaints.models import User
    from complaints.workflow import Refusal

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database, "ATTACHMENT_DIR": folder})
    with app.app_context():
        supervisor = db.session.get(User, supervisor_id)
        db.session.rollback()  # end the read, so both start from nothing held
        barrier.wait(timeout=30)
        try:
            entry = deposit_payouts.pay(supervisor, payout_id)
            results.put(("paid", payout_id, str(entry.balance_after)))
        except Refusal as refused:
            results.put(("refused", payout_id, refused.message))
        finally:
            db.session.remove()
            db.engine.dispose()


def approved_payout(world, shop: int, amount: str, order: str) -> int:
    reference = world.file(order_reference=order)
    request = deposit_payouts.request_payout(
        world.user("agent"), shop, reference, D(amount), "店铺未履行和解"
    )
    deposit_payouts.consumer_consents(world.user("consumer"), reference, request.id, "Consumer", True)
    deposit_payouts.approve(world.user("supervisor"), request.id)
    return request.id


def race(app, tmp_path, payout_ids: list[int], supervisor_id: int) -> list[tuple]:
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(payout_ids)), context.Queue()
    workers = [
        context.Process(
            target=_pay_at_the_same_moment,
            args=(database, str(tmp_path / "attachments"), payout_id, supervisor_id, barrier, results),
        )
        for payout_id in payout_ids
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return sorted(outcomes)


@pytest.mark.parametrize("same_request", [False, True], ids=["two-payouts", "one-payout-twice"])
def test_two_processes_paying_out_the_last_of_the_deposit_one_wins_the_other_is_refused(
    app, world, tmp_path, same_request
):
    shop = world.merchant_ids[0]
    deposits.top_up(world.user("supervisor"), shop, D("100.00"), "转账")
    first = approved_payout(world, shop, "80.00", "ORD-RACE-1")
    second = first if same_request else approved_payout(world, shop, "80.00", "ORD-RACE-2")

    outcomes = race(app, tmp_path, [first, second], world.supervisor.id)

    assert [o[0] for o in outcomes] == ["paid", "refused"]
    refusal = outcomes[1][2]
    if same_request:
        assert refusal.startswith("This payout request changed meanwhile")
    else:
        assert refusal == "The deposit holds only 20.00."
    db.session.expire_all()
    assert deposits.balance_of(shop) == D("20.00")
    assert db.session.get(DepositAccount, shop).balance == D("20.00")
    assert db.session.scalar(select(func.count()).where(DepositEntry.kind == "payout")) == 1
    statuses = {r.id: r.status for r in db.session.scalars(select(PayoutRequest))}
    paid = int(outcomes[0][1])
    assert statuses[paid] is PayoutStatus.PAID
    if not same_request:  # the refused one stays approved, to be paid after a top-up
        assert statuses[first if paid == second else second] is PayoutStatus.APPROVED
