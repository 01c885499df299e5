"""The API's offers, evidence and shop reputation (issue 14): the consumer reads the shop's offer and
accepts or declines it by id; evidence goes through the web's checks before any file is kept; a shop
reads its own reputation and no one else's."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Attachment
from complaints.services import reputation
from tests.api_support import ALL, headers, make_client, new_complaint
from tests.integration.authz_cases import tiny_png


def _setup(client, world):
    consumer_token = make_client(world, ALL)
    consumer = headers(consumer_token, f"consumer:{world.consumer.id}")
    ref = client.post(
        "/api/v1/complaints",
        json=new_complaint(world),
        headers={**consumer, "Idempotency-Key": "k-offer"},
    ).json["reference"]
    shop_token = make_client(
        world, ["complaints:read", "complaints:write", f"merchant:{world.merchant_ids[0]}"], "Shop"
    )
    return ref, consumer, headers(shop_token, f"merchant:{world.merchant.id}")


def _offer(client, ref, shop, amount="120.00"):
    response = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={
            "action": "propose_settlement",
            "kind": "refund",
            "amount": amount,
            "terms": "退款一百二十元",
            "perform_by": "2026-03-09T02:00:00+00:00",
        },
        headers=shop,
    )
    assert response.status_code == 200, response.json


def test_the_consumer_reads_the_offer_and_declines_then_accepts_by_its_id(client, world):
    ref, consumer, shop = _setup(client, world)
    _offer(client, ref, shop)
    [offer] = client.get(f"/api/v1/complaints/{ref}/offers", headers=consumer).json
    assert (offer["amount"], offer["status"], offer["terms"]) == ("120.00", "open", "退款一百二十元")
    assert client.get(f"/api/v1/complaints/{ref}/offers", headers=shop).json[0]["id"] == offer["id"]

    missing = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "decline_settlement", "offer_id": offer["id"]},
        headers=consumer,
    )
    assert missing.status_code == 400 and "reason" in missing.json["errors"]
    declined = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "decline_settlement", "offer_id": offer["id"], "reason": "金额太少"},
        headers=consumer,
    )
    assert declined.status_code == 200
    by_shop = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "accept_settlement", "offer_id": offer["id"]},
        headers=shop,
    )
    assert by_shop.status_code == 409  # the shop does not answer its own offer

    _offer(client, ref, shop, amount="299.00")
    newest = client.get(f"/api/v1/complaints/{ref}/offers", headers=consumer).json[0]
    accepted = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "accept_settlement", "offer_id": newest["id"]},
        headers=consumer,
    )
    assert accepted.status_code == 200 and accepted.json["state"] == "resolved"
    again = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "accept_settlement", "offer_id": offer["id"]},
        headers=consumer,
    )
    assert again.status_code == 409


def _files(*named: tuple[str, bytes]) -> dict:
    return {"file": [(io.BytesIO(data), name) for name, data in named]}


def _attachments() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def test_evidence_is_checked_as_on_the_web_before_any_file_is_kept(client, world):
    ref, consumer, shop = _setup(client, world)
    url = f"/api/v1/complaints/{ref}/attachments"
    added = client.post(url, data=_files(("左耳.png", tiny_png())), headers=consumer)
    assert added.status_code == 201, added.json
    [kept] = added.json
    assert (kept["original_name"], kept["content_type"]) == ("左耳.png", "image/png")
    assert len(kept["sha256"]) == 64
    assert [a["id"] for a in client.get(url, headers=shop).json] == [kept["id"]]

    before = _attachments()
    pretending = client.post(
        url,
        data=_files(("ok.png", tiny_png()), ("invoice.png", b"MZ\x90\x00 not an image")),
        headers=consumer,
    )
    assert pretending.status_code == 400 and pretending.json["code"] == "invalid_upload"
    nothing = client.post(url, data={}, headers=consumer)
    assert nothing.status_code == 400 and nothing.json["code"] == "invalid_input"
    too_many = client.post(url, data=_files(*[(f"{n}.png", tiny_png()) for n in range(6)]), headers=consumer)
    assert too_many.status_code == 400
    assert _attachments() == before  # none of a refused batch was kept
    other = headers(make_client(world, ALL, "Other"), f"consumer:{world.other_consumer.id}")
    assert client.post(url, data=_files(("x.png", tiny_png())), headers=other).status_code == 404


def test_a_shop_reads_its_own_reputation_and_no_one_elses(client, world, app):
    ref, consumer, shop = _setup(client, world)
    reputation.compute_month(reputation.Month.parse("2026-03"))
    db.session.commit()
    own = client.get(f"/api/v1/shops/{world.merchant_ids[0]}/reputation", headers=shop)
    assert own.status_code == 200
    assert own.json[-1]["month"] == "2026-03-01" and own.json[-1]["complaints"] == 1
    assert own.json[-1]["grade"] in "ABCDE"
    other_shop = client.get(f"/api/v1/shops/{world.merchant_ids[1]}/reputation", headers=shop)
    assert other_shop.status_code == 404
    assert (
        client.get(f"/api/v1/shops/{world.merchant_ids[0]}/reputation", headers=consumer).status_code == 404
    )
    assert client.get("/api/v1/shops/999999/reputation", headers=shop).status_code == 404
