"""Saved queue filters: an agent keeps a queue view under a name, sees it above the queue (the
one open marked), opens it, and deletes it; only their own, at most MAX_SAVED_FILTERS, and only
the parameters the queue recognises are kept."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import SavedFilter
from complaints.services import saved_filters
from complaints.workflow import Refusal
from tests.support import World


@pytest.fixture
def world(app):
    with app.app_context():
        return World.build()


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _filters_of(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        rows = db.session.scalars(select(SavedFilter).where(SavedFilter.user_id == user_id))
        return {row.name: row.query for row in rows}


def test_an_agent_saves_the_view_opens_it_and_deletes_it(app, client, auth, world):
    auth.login(world.agent.email)
    category = world.category_ids[1]
    query = f"queue=unassigned&category_id={category}&merchant_id=优品数码旗舰店&sort=priority&after=x&evil=1"
    response = client.post("/desk/saved-filters", data={"filter_name": "  Urgent delivery  ", "query": query})
    assert response.status_code == 302
    stored = _filters_of(app, world.agent.id)
    # the shop by its code, the order kept, the cursor and unknown parameters dropped
    assert stored == {
        "Urgent delivery": f"queue=unassigned&category_id={category}&merchant_id=SHOP-A&sort=priority"
    }
    assert response.headers["Location"].endswith("/desk/?" + stored["Urgent delivery"])

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved filter “Urgent delivery” kept above the queue." in page
    link = re.search(r'<nav aria-label="Saved filters".*?</nav>', page, re.S).group(0)
    assert 'aria-current="page">Urgent delivery</a>' in link
    other_view = client.get("/desk/?queue=open").get_data(as_text=True)
    assert 'aria-current="page">Urgent delivery' not in other_view
    assert ">Urgent delivery</a>" in other_view

    with app.app_context():
        filter_id = db.session.scalar(select(SavedFilter.id).where(SavedFilter.user_id == world.agent.id))
    deleted = client.post(f"/desk/saved-filters/{filter_id}/delete", data={"query": "queue=mine&sort=oldest"})
    assert deleted.status_code == 302
    assert deleted.headers["Location"].endswith("/desk/?queue=mine&sort=oldest")
    assert _filters_of(app, world.agent.id) == {}
    assert "Saved filter “Urgent delivery” deleted." in client.get("/desk/?queue=mine").get_data(as_text=True)


def test_saving_under_a_name_in_use_updates_that_filter(app, client, auth, world):
    auth.login(world.agent.email)
    client.post("/desk/saved-filters", data={"filter_name": "Mine", "query": "queue=mine"})
    client.post("/desk/saved-filters", data={"filter_name": "Mine", "query": "queue=mine&sort=newest"})
    assert _filters_of(app, world.agent.id) == {"Mine": "queue=mine&sort=newest"}


@pytest.mark.parametrize(
    "form, message",
    [
        ({"filter_name": "", "query": "queue=open"}, "This field is required."),
        ({"filter_name": "x" * 81, "query": "queue=open"}, "At most 80 characters."),
        (
            {"filter_name": "Lost shop", "query": "merchant_id=NO-SUCH-SHOP"},
            "Correct the filters before you save",
        ),
    ],
)
def test_a_refused_save_shows_the_queue_with_the_reason_beside_the_name(
    app, client, auth, world, form, message
):
    auth.login(world.agent.email)
    response = client.post("/desk/saved-filters", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert 'id="filter_name-error"' in body
    assert '<details class="card filters-card" open>' in body
    assert _filters_of(app, world.agent.id) == {}


def test_values_the_queue_does_not_offer_are_not_kept(app, client, auth, world):
    auth.login(world.agent.email)
    hostile = "queue=everything&state=lost&category_id=999&sort=sideways&assignee_id=1&x=<script>"
    assert (
        client.post("/desk/saved-filters", data={"filter_name": "Odd", "query": hostile}).status_code == 302
    )
    # an agent has no assignee filter; the rest falls back to the open queue in due order
    assert _filters_of(app, world.agent.id) == {"Odd": "queue=open&sort=due"}
    assert (
        client.post("/desk/saved-filters", data={"filter_name": "Long", "query": "q" * 5000}).status_code
        == 400
    )


def test_at_most_twenty_saved_filters_each(app, client, auth, world):
    auth.login(world.agent.email)
    for i in range(saved_filters.MAX_SAVED_FILTERS):
        assert (
            client.post("/desk/saved-filters", data={"filter_name": f"F{i:02d}", "query": ""}).status_code
            == 302
        )
    response = client.post("/desk/saved-filters", data={"filter_name": "One more", "query": ""})
    assert response.status_code == 400
    assert "You can keep at most 20 saved filters. Delete one to save another." in response.get_data(
        as_text=True
    )
    assert len(_filters_of(app, world.agent.id)) == saved_filters.MAX_SAVED_FILTERS
    # renaming none, updating one is still allowed
    assert (
        client.post("/desk/saved-filters", data={"filter_name": "F00", "query": "queue=mine"}).status_code
        == 302
    )


def test_another_persons_saved_filter_is_not_found(app, client, auth, world):
    with app.app_context():
        theirs, _ = saved_filters.save_filter(world.user("agent2"), "Theirs", {"queue": "mine"})
        db.session.commit()
        theirs_id = theirs.id
    auth.login(world.agent.email)
    assert "Theirs" not in client.get("/desk/").get_data(as_text=True)
    assert client.post(f"/desk/saved-filters/{theirs_id}/delete").status_code == 404
    assert client.post("/desk/saved-filters/99999999999999999999999/delete").status_code == 404
    assert client.post("/desk/saved-filters/abc/delete").status_code == 404
    assert _filters_of(app, world.agent2.id) == {"Theirs": "queue=mine"}


def test_opening_the_queue_changes_nothing(app, client, auth, world):
    auth.login(world.agent.email)
    client.get("/desk/?queue=mine&sort=priority")
    assert _filters_of(app, world.agent.id) == {}


def test_the_service_keeps_only_recognised_parameters_in_a_fixed_order(app, world):
    with app.app_context():
        query = saved_filters.canonical_query(
            {"sort": "oldest", "evil": "1", "queue": "mine", "state": "", "category_id": "2\n\x00"}
        )
        assert query == "queue=mine&category_id=2&sort=oldest"
        assert dict(parse_qsl(query)) == {"queue": "mine", "category_id": "2", "sort": "oldest"}
        agent = world.user("agent")
        with pytest.raises(Refusal):
            saved_filters.save_filter(agent, "   ", {"queue": "open"})
        with pytest.raises(Refusal):
            saved_filters.save_filter(agent, "n" * 81, {"queue": "open"})
        saved, new = saved_filters.save_filter(agent, "a  b", {"queue": "open"})
        assert (saved.name, new) == ("a b", True)
        assert saved_filters.delete_filter(world.user("agent2"), saved.id) is None
        assert saved_filters.delete_filter(agent, saved.id) is saved
