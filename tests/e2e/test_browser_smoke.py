"""The browser can reach PledgeDesk and the public pages are accessible."""

from tests.e2e.conftest import assert_accessible, screenshot
from tests.support import PASSWORD


def test_sign_in_page_is_accessible_and_signs_an_agent_in(page, world):
    page.goto("/login")
    assert_accessible(page, "login")
    screenshot(page, "login")
    page.get_by_label("Email").fill(world.agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/desk/**")
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_wrong_password_is_explained_beside_the_field(page, world):
    page.goto("/login")
    page.get_by_label("Email").fill(world.agent.email)
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Email or password is wrong.").is_visible()
