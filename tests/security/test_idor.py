"""Insecure direct object references: other roles' areas and other people's ids.

Each role tries the URLs of areas that are not theirs (403) and the complaints, actions and
evidence of other people by reference and by id (404, exactly as for a complaint that does not
exist, so a refusal tells nothing). Requests that would change something carry a real form;
the whole database and the evidence folder must be unchanged afterwards.
"""

from __future__ import annotations

import re

import pytest

from tests.security.endpoints import Request, UnknownArgument, requests
from tests.security.support import PRIVATE, differences

FORBIDDEN_PAGE = "You do not have access to this page."
NOT_FOUND_PAGE = "We could not find that page or complaint."


def _area(prefix: str) -> list[Request]:
    return requests("GET", prefix) + requests("POST", prefix)


KEPT_OUT = [
    *[("consumer", r) for r in _area("/desk") + _area("/mediation") + _area("/admin")],
    *[("agent", r) for r in _area("/admin") + _area("/mediation")],
    *[("mediator", r) for r in _area("/desk") + _area("/admin") + _area("/portal")],
]


def _send(planted, role: str, request: Request):
    try:
        return request.send(planted.client(role), planted)
    except UnknownArgument as unknown:
        pytest.fail(str(unknown))


@pytest.mark.parametrize(("role", "request_"), KEPT_OUT, ids=[f"{role}->{r}" for role, r in KEPT_OUT])
def test_a_role_is_kept_out_of_other_roles_areas(planted, role, request_):
    before = planted.snapshot()
    response = _send(planted, role, request_)
    assert response.status_code == 403
    assert FORBIDDEN_PAGE in response.text
    assert differences(before, planted.snapshot()) == []


def _aimed(endpoint: str, method: str, target: str) -> list[Request]:
    return [r.aimed_at(target) for r in requests(method) if r.endpoint == endpoint]


# consumer -> other_consumer's complaint "foreign": its pages, every action, its evidence.
OTHER_CONSUMERS = [
    *_aimed("portal.complaint", "GET", "foreign"),
    *_aimed("portal.filed", "GET", "foreign"),
    *_aimed("portal.act", "POST", "foreign"),
    *_aimed("files.attachment", "GET", "foreign"),
]


@pytest.mark.parametrize("request_", OTHER_CONSUMERS, ids=str)
def test_a_consumer_finds_nothing_of_another_consumers_complaint(planted, request_):
    before = planted.snapshot()
    response = _send(planted, "consumer", request_)
    assert response.status_code == 404
    assert NOT_FOUND_PAGE in response.text
    assert PRIVATE["foreign"] not in response.text
    assert differences(before, planted.snapshot()) == []


def test_the_other_consumer_does_see_their_own_complaint(planted):
    """The control: the 404s above are about who asks, not about a broken page."""
    page = planted.client("other_consumer").get(
        planted.url("portal.complaint", reference=planted.refs["foreign"])
    )
    assert page.status_code == 200
    assert PRIVATE["foreign"] in page.text


# mediator of org_id -> the case referred to other_org_id.
OTHER_ORGANISATIONS = [
    *_aimed("mediation.case", "GET", "foreign_mediated"),
    *_aimed("mediation.act", "POST", "foreign_mediated"),
    *_aimed("files.attachment", "GET", "foreign_mediated"),
]


@pytest.mark.parametrize("request_", OTHER_ORGANISATIONS, ids=str)
def test_a_mediator_finds_nothing_of_another_organisations_case(planted, request_):
    before = planted.snapshot()
    response = _send(planted, "mediator", request_)
    assert response.status_code == 404
    assert PRIVATE["foreign_mediated"] not in response.text
    assert differences(before, planted.snapshot()) == []


@pytest.mark.parametrize("request_", OTHER_ORGANISATIONS[:1] + OTHER_ORGANISATIONS[-1:], ids=str)
def test_the_mediator_of_that_organisation_does_see_the_case(planted, request_):
    assert _send(planted, "other_mediator", request_).status_code == 200


def _comparable(html: str, reference: str) -> str:
    """The page without what differs between any two requests (the reference asked, the token)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html.replace(reference, "C-2026-?"))


REFERENCES = [f"C-2026-{n:06d}" for n in range(1, 21)]


@pytest.mark.parametrize("reference", REFERENCES)
def test_guessing_references_finds_only_ones_own_complaints(planted, reference):
    client = planted.client("consumer")
    own = {ref for key, ref in planted.refs.items() if not key.startswith("foreign")}
    nowhere = client.get(planted.url("portal.complaint", reference="C-2026-999999"))
    before = planted.snapshot()

    page = client.get(planted.url("portal.complaint", reference=reference))
    filed = client.get(planted.url("portal.filed", reference=reference))

    if reference in own:
        assert page.status_code == filed.status_code == 200
    else:  # someone else's or nobody's: the same answer, so the refusal tells nothing
        reply = client.post(
            planted.url("portal.act", reference=reference, action="reply"), data={"body": "guessing"}
        )
        assert page.status_code == filed.status_code == reply.status_code == 404
        assert _comparable(page.text, reference) == _comparable(nowhere.text, "C-2026-999999")
        assert differences(before, planted.snapshot()) == []
    for secret in (PRIVATE["foreign"], PRIVATE["foreign_mediated"]):
        assert secret not in page.text + filed.text


@pytest.mark.parametrize("attachment_id", range(1, 21))
@pytest.mark.parametrize("complaint", ["received", "mediated"])
def test_guessing_attachment_ids_never_serves_someone_elses_file(planted, complaint, attachment_id):
    reference = planted.refs[complaint]
    response = planted.client("consumer").get(
        planted.url("files.attachment", reference=reference, attachment_id=attachment_id)
    )
    if planted.attachments.get(complaint) == attachment_id:
        assert response.status_code == 200
        assert response.data == planted.attachment_bytes[attachment_id]
    else:
        assert response.status_code == 404
        others = {planted.attachment_bytes[planted.attachments[k]] for k in ("foreign", "foreign_mediated")}
        assert response.data not in others
