"""The JSON API (issue 14): filing once per Idempotency-Key, reading, listing with a cursor,
messages, actions through the lifecycle, clocks, timeline, scorecard; problem details."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from complaints import create_app
from complaints.extensions import db
from complaints.models import Complaint, Event, IdempotencyKey
from tests.api_support import ALL, headers, make_client, new_complaint


def _file(client, world, token, key="k-1", **overrides):
    return client.post(
        "/api/v1/complaints",
        json=new_complaint(world, **overrides),
        headers=headers(token, f"consumer:{world.consumer.id}", key),
    )


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Complaint.id)))


def test_filing_is_idempotent_and_goes_through_filing(client, world):
    token = make_client(world, ALL)
    first = _file(client, world, token)
    assert first.status_code == 201, first.json
    assert first.json["state"] == "received"
    again = _file(client, world, token)
    assert again.status_code == 200
    assert again.json["reference"] == first.json["reference"]
    assert _count() == 1
    filed = db.session.scalars(select(Event).where(Event.action == "filed")).all()
    assert len(filed) == 1 and filed[0].actor_id == world.consumer.id
    other = _file(client, world, token, title="另一个问题")
    assert other.status_code == 409 and other.json["code"] == "idempotency_key_reused"
    assert _count() == 1


def test_concurrent_retries_file_once(app, world):
    token = make_client(world, ALL)
    body = new_complaint(world)
    results = []
    barrier = threading.Barrier(4)

    def retry():
        with app.test_client() as own:
            barrier.wait()
            response = own.post(
                "/api/v1/complaints",
                json=body,
                headers=headers(token, f"consumer:{world.consumer.id}", "same"),
            )
            results.append((response.status_code, response.json["reference"]))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    assert len({ref for _, ref in results}) == 1
    assert _count() == 1
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 1


def test_idempotency_key_required(client, world):
    token = make_client(world, ALL)
    response = _file(client, world, token, key=None)
    assert response.status_code == 400
    assert response.json["code"] == "idempotency_key_required"


def test_filing_for_an_unknown_shop_is_a_400_and_files_nothing(client, world):
    token = make_client(world, ALL)
    response = _file(client, world, token, merchant_id=999_999)
    assert response.status_code == 400 and response.json["code"] == "complaint_refused"
    assert _count() == 0
    assert _file(client, world, token).status_code == 201  # the key was not used up


def test_read_list_and_cursor(client, world):
    token = make_client(world, ALL)
    refs = [_file(client, world, token, key=f"k{i}", title=f"问题 {i}").json["reference"] for i in range(5)]
    world.file("other_consumer")
    consumer = headers(token, f"consumer:{world.consumer.id}")
    one = client.get(f"/api/v1/complaints/{refs[0]}", headers=consumer)
    assert one.status_code == 200 and one.json["title"] == "问题 0"
    seen, cursor = [], None
    while True:
        url = "/api/v1/complaints?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=consumer).json
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(refs))  # newest first, the other consumer's complaint not among them
    filtered = client.get("/api/v1/complaints?state=closed", headers=consumer).json
    assert filtered["items"] == []
    bad = client.get("/api/v1/complaints?cursor=abc", headers=consumer)
    assert bad.status_code == 400 and bad.json["code"] == "invalid_cursor"


def test_messages_actions_clocks_timeline(client, world):
    token = make_client(world, ALL)
    ref = _file(client, world, token).json["reference"]
    consumer = headers(token, f"consumer:{world.consumer.id}")
    posted = client.post(f"/api/v1/complaints/{ref}/messages", json={"body": "还有照片"}, headers=consumer)
    assert posted.status_code == 201, posted.json
    messages = client.get(f"/api/v1/complaints/{ref}/messages", headers=consumer).json
    assert [m["body"] for m in messages] == ["还有照片"]
    clocks = client.get(f"/api/v1/complaints/{ref}/clocks", headers=consumer).json
    assert clocks and all(c["due_at"] > c["started_at"] for c in clocks)
    version = client.get(f"/api/v1/complaints/{ref}", headers=consumer).json["version"]
    stale = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={"action": "withdraw", "version": version - 1},
        headers=consumer,
    )
    assert stale.status_code == 409 and stale.json["code"] == "version_conflict"
    illegal = client.post(
        f"/api/v1/complaints/{ref}/actions", json={"action": "confirm", "rating": 5}, headers=consumer
    )
    assert illegal.status_code == 409 and illegal.json["code"] == "action_refused"
    done = client.post(
        f"/api/v1/complaints/{ref}/actions", json={"action": "withdraw", "version": version}, headers=consumer
    )
    assert done.status_code == 200 and done.json["state"] == "withdrawn"
    timeline = client.get(f"/api/v1/complaints/{ref}/timeline", headers=consumer).json
    assert [e["action"] for e in timeline][0] == "filed"
    withdrawn = [e for e in timeline if e["action"] == "withdraw"]
    assert len(withdrawn) == 1 and withdrawn[0]["to_state"] == "withdrawn"


def test_shop_client_answers_and_proposes_a_settlement(client, world):
    consumer_token = make_client(world, ALL)
    ref = _file(client, world, consumer_token).json["reference"]
    shop_token = make_client(
        world, ["complaints:read", "complaints:write", f"merchant:{world.merchant_ids[0]}"], "Shop"
    )
    shop = headers(shop_token, f"merchant:{world.merchant.id}")
    assert client.get(f"/api/v1/complaints/{ref}", headers=shop).status_code == 200
    offer = client.post(
        f"/api/v1/complaints/{ref}/actions",
        json={
            "action": "propose_settlement",
            "kind": "refund",
            "amount": "299.00",
            "terms": "全额退款",
            "perform_by": "2026-03-09T02:00:00+00:00",
        },
        headers=shop,
    )
    assert offer.status_code == 200, offer.json
    timeline = client.get(f"/api/v1/complaints/{ref}/timeline", headers=shop).json
    assert "propose_settlement" in [e["action"] for e in timeline]
    missing = client.post(
        f"/api/v1/complaints/{ref}/actions", json={"action": "propose_settlement"}, headers=shop
    )
    assert missing.status_code == 400 and "kind" in missing.json["errors"]


def test_problem_details_shape(client, world):
    token = make_client(world, ALL)
    response = client.post(
        "/api/v1/complaints",
        json={"merchant_id": "x"},
        headers=headers(token, f"consumer:{world.consumer.id}", "k"),
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert (
        body["type"].endswith("/invalid_input") and body["status"] == 400 and body["code"] == "invalid_input"
    )
    assert {"merchant_id", "title", "claimed_amount"} <= set(body["errors"])
    assert (
        client.get(
            "/api/v1/complaints/C-2026-999999", headers=headers(token, f"consumer:{world.consumer.id}")
        ).json["code"]
        == "complaint_not_found"
    )
    assert client.get("/api/v1/nowhere", headers=headers(token)).json["code"] == "not_found"


def test_scorecard_is_public(client, world):
    response = client.get("/api/v1/scorecard")
    assert response.status_code == 200
    assert response.json["recent"] and response.json["recent"][0]["measures"]


def test_openapi_and_docs(client, world):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/complaints/{reference}/clocks" in spec["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/complaints/{reference}/actions" in page.data
    assert b"<script" not in page.data


def test_too_many_requests_and_too_large(app, world):
    token = make_client(world, ALL)
    limited = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "API_RATE_LIMIT": "2/minute",
            "MAX_CONTENT_LENGTH": 1000,
        },
    )
    client = limited.test_client()
    consumer = headers(token, f"consumer:{world.consumer.id}")
    assert [client.get("/api/v1/complaints", headers=consumer).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/complaints", headers=consumer)
    assert refused.status_code == 429 and refused.json["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = make_client(world, ALL, name="Other")  # the limit is per token
    too_large = client.post(
        "/api/v1/complaints",
        json=new_complaint(world, description="长" * 2000),
        headers=headers(other, f"consumer:{world.consumer.id}", "big"),
    )
    assert too_large.status_code == 413 and too_large.json["code"] == "payload_too_large"
    assert _count() == 0


def test_confirm_and_dispute_a_resolved_complaint(client, world):
    from complaints.workflow import Action
    from tests.support import act_as

    token = make_client(world, ALL)
    consumer = headers(token, f"consumer:{world.consumer.id}")
    first = _file(client, world, token, key="a").json["reference"]
    second = _file(client, world, token, key="b", title="第二个").json["reference"]
    for ref in (first, second):
        act_as(world, ref, "agent", Action.VERIFY)
        act_as(world, ref, "agent", Action.RESOLVE, outcome="upheld", note="退款")
    unrated = client.post(f"/api/v1/complaints/{first}/actions", json={"action": "confirm"}, headers=consumer)
    assert unrated.status_code == 400 and "rating" in unrated.json["errors"]
    confirmed = client.post(
        f"/api/v1/complaints/{first}/actions", json={"action": "confirm", "rating": 5}, headers=consumer
    )
    assert confirmed.status_code == 200 and confirmed.json["state"] == "closed"
    disputed = client.post(
        f"/api/v1/complaints/{second}/actions",
        json={"action": "dispute", "reason": "退款没有到账", "mediation_org_id": world.org_id},
        headers=consumer,
    )
    assert disputed.status_code == 200, disputed.json
    timeline = client.get(f"/api/v1/complaints/{second}/timeline", headers=consumer).json
    assert "dispute" in [e["action"] for e in timeline]


def test_a_body_that_is_not_json_is_a_400_problem_not_a_500(client, world):
    token = make_client(world, ALL)
    for body in (b"\x00", b"{", "\u00e9".encode("latin-1")):
        for path in ("/api/v1/complaints", "/api/v1/complaints/C-2026-000001/actions"):
            response = client.post(
                path,
                data=body,
                headers={
                    **headers(token, f"consumer:{world.consumer.id}", "k-bad"),
                    "Content-Type": "application/json",
                },
            )
            assert response.status_code == 400, (path, body)
            assert response.mimetype == "application/problem+json"
            assert response.json["code"] == "invalid_body"
