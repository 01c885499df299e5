"""The categories forms offer are kept per process under the pledge's fingerprint, which is read
with the signed-in user: no request reads either on its own, and a change made anywhere is
offered (or refused) at the next request.

"Another process" is plain SQL on a separate connection, as in test_pledge_cache.py.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from complaints.extensions import db
from complaints.models import Category, Complaint
from complaints.services import categories
from tests.integration.test_consumer_journey import post_filing
from tests.support import statements_during


def _elsewhere(sql: str, **params) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def _statements_of(app, request):
    """The response to `request` and the statements it made, in an app context of its own."""
    with app.app_context():
        return statements_during(request)


def _get(app, client, url: str):
    """GET `url` in an app context of its own, as a served request is (the `world` fixture keeps
    one open, which requests would otherwise share, with its session and what it read)."""
    with app.app_context():
        return client.get(url)


def test_a_signed_in_request_reads_the_fingerprint_with_the_user_and_no_categories(app, world, client, auth):
    auth.login("supervisor@example.com")
    assert client.get("/desk/").status_code == 200  # the process now has the categories
    response, statements = _statements_of(app, lambda: client.get("/desk/"))
    assert response.status_code == 200
    assert "Product quality" in response.text or "商品质量" in response.text
    fingerprinted = [s for s in statements if "sla_policy_versions" in s]
    assert len(fingerprinted) == 1 and "FROM users" in fingerprinted[0]
    assert not [s for s in statements if s.startswith("SELECT categories.")]


def test_a_category_renamed_elsewhere_is_offered_by_its_new_name_at_the_next_request(
    app, world, client, auth
):
    auth.login("consumer@example.com")
    assert ">Product quality</option>" in _get(app, client, "/portal/complaints/new").text
    _elsewhere("UPDATE categories SET name_zh = '质量问题', name_en = 'Faulty goods' WHERE code = 'quality'")
    page = _get(app, client, "/portal/complaints/new").text
    assert ">Faulty goods</option>" in page and "Product quality" not in page


def test_a_category_retired_elsewhere_is_neither_offered_nor_accepted(app, world, client, auth):
    auth.login("consumer@example.com")
    assert ">Delivery</option>" in _get(app, client, "/portal/complaints/new").text
    _elsewhere("UPDATE categories SET active = :off WHERE code = 'delivery'", off=False)
    assert ">Delivery</option>" not in _get(app, client, "/portal/complaints/new").text
    with app.app_context():
        response = post_filing(client, world, category_id=str(world.category_ids[1]))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    with app.app_context():
        assert post_filing(client, world).status_code == 302  # the other category still files


def test_a_category_this_process_adds_is_offered_in_the_same_session(app, world):
    with app.app_context():
        before = [c.code for c in categories.active_categories()]
        db.session.add(Category(code="fraud", name_zh="欺诈", name_en="Fraud", active=True))
        db.session.flush()
        assert [c.code for c in categories.active_categories()] == [*before, "fraud"]
        assert categories.active_category(categories.all_categories()[-1].id).name_en == "Fraud"


def test_only_an_active_category_is_found_to_file_under(app, world):
    with app.app_context():
        quality, delivery = world.category_ids
        db.session.get(Category, delivery).active = False
        db.session.flush()
        assert categories.active_category(quality).code == "quality"
        assert categories.active_category(delivery) is None
        assert categories.active_category(None) is None
        assert [c.code for c in categories.all_categories()] == ["quality", "delivery"]
