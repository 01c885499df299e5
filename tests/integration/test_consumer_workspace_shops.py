"""The filing form's shop field: suggestions as the consumer types, and close matches without JavaScript."""

from __future__ import annotations

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Complaint, Merchant
from complaints.timekeeping import now
from tests.integration.test_consumer_journey import post_filing
from tests.security.support import build_people, dispose, make_app, sign_in


def add_shops(app, *shops: tuple[str, str, bool]) -> None:
    with app.app_context():
        db.session.add_all(Merchant(shop_code=c, name=n, active=a, created_at=now()) for c, n, a in shops)
        db.session.commit()


def suggestions(client, q) -> list[str]:
    response = client.get("/portal/shops", query_string={"q": q})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return [shop["label"] for shop in response.json["shops"]]


def test_a_part_of_a_shops_name_finds_it(client, auth, world):
    auth.login(world.consumer.email)
    assert suggestions(client, "优品数码") == ["优品数码旗舰店 (SHOP-A)"]
    assert suggestions(client, "valley") == ["Green Valley Foods (SHOP-B)"]


def test_a_shop_code_finds_its_shop_in_any_case(client, auth, world):
    auth.login(world.consumer.email)
    assert suggestions(client, "shop-b") == ["Green Valley Foods (SHOP-B)"]


def test_closed_shops_are_not_suggested_and_results_are_bounded(app, client, auth, world):
    add_shops(
        app,
        ("OLD-1", "优品数码老店", False),
        *((f"YP-{n:02d}", f"优品数码{n:02d}号店", True) for n in range(20)),
    )
    auth.login(world.consumer.email)
    found = suggestions(client, "优品数码")
    assert len(found) == 8
    assert not any("老店" in label for label in found)
    assert found[0] == "优品数码01号店 (YP-01)" or found[0].startswith("优品数码")


def test_wildcards_are_taken_literally(client, auth, world):
    auth.login(world.consumer.email)
    assert suggestions(client, "%") == []
    assert suggestions(client, "_") == []
    assert suggestions(client, "   ") == []


def test_an_overlong_query_is_refused(client, auth, world):
    auth.login(world.consumer.email)
    response = client.get("/portal/shops", query_string={"q": "优" * 101})
    assert response.status_code == 400
    assert response.json["shops"] == []


def test_only_signed_in_consumers_get_suggestions(client, auth, world):
    assert client.get("/portal/shops?q=SHOP").status_code in (302, 401)
    auth.login(world.agent.email)
    assert client.get("/portal/shops?q=SHOP").status_code == 403


def test_suggestions_are_rate_limited(tmp_path):
    # Its own app with limits on (the shared limiter follows the app built last; see tests/security).
    limited = make_app(tmp_path / "limited", RATELIMIT_ENABLED=True)
    try:
        people = build_people(limited)
        client = limited.test_client()
        sign_in(client, people.consumer.email)
        statuses = [client.get("/portal/shops?q=SHOP").status_code for _ in range(61)]
        assert statuses[:60] == [200] * 60
        assert statuses[60] == 429
    finally:
        dispose(limited)


def test_a_shop_not_found_exactly_is_offered_as_a_close_match_without_javascript(app, client, auth, world):
    auth.login(world.consumer.email)
    refused = post_filing(client, world, merchant_id="优品数码")
    assert refused.status_code == 400
    assert "Did you mean one of these shops?" in refused.text
    assert 'name="shop_choice" value="SHOP-A"' in refused.text
    filed = post_filing(client, world, merchant_id="优品数码", shop_choice="SHOP-A")
    assert filed.status_code == 302
    with app.app_context():
        shop = db.session.scalar(select(Complaint.merchant_id))
    assert shop == world.merchant_ids[0]


def test_a_shop_chosen_from_the_suggestions_is_found(app, client, auth, world):
    auth.login(world.consumer.email)
    assert post_filing(client, world, merchant_id="优品数码旗舰店 (SHOP-A)").status_code == 302


def test_a_shop_matching_nothing_is_refused_plainly(app, client, auth, world):
    auth.login(world.consumer.email)
    refused = post_filing(client, world, merchant_id="不存在的店")
    assert refused.status_code == 400
    assert "We could not find that shop. Check its name or shop code on your order." in refused.text
    assert "shop_choice" not in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
