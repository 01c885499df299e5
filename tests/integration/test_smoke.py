from tests.support import PASSWORD


def test_consumer_registers_and_lands_on_their_complaints(client):
    response = client.post(
        "/register",
        data={"name": "李雷", "email": "lilei@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/portal/complaints")


def test_filing_through_the_service_gives_a_yearly_reference(app, world):
    with app.app_context():
        first = world.file()
        second = world.file()
    assert first == "C-2026-000001"
    assert second == "C-2026-000002"
