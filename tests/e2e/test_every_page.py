"""Every page of PledgeDesk, as every role that may open it, in Chinese and in English: axe finds no
serious or critical violation, and a Chinese page shows none of the catalogue's English nor the
English form of a name. A GET rule this walk does not know fails the coverage test (every_page.py
lists the pages and the rules skipped with their reasons)."""

from __future__ import annotations

import pytest
from flask import url_for

from complaints.extensions import db
from tests.e2e import every_page
from tests.e2e.every_page import ANONYMOUS, LANGUAGES, PAGES, SKIPPED, Page
from tests.e2e.steps import sign_in

VISITS = every_page.visits()

# What a Chinese reader meets: the window's title, the page's text, names read out, hints. Text marked as
# English (lang="en", as the language switch and the English form of a name beside its Chinese one
# are) is English on purpose and left out.
READ_ALOUD = """() => {
  const english = Array.from(document.querySelectorAll('body [lang^="en"]'));
  let text = document.body.innerText;
  for (const part of english) if (part.innerText.trim()) text = text.split(part.innerText).join(' ');
  const said = Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], img[alt]'))
    .filter(e => !e.closest('[lang^="en"]'))
    .map(e => ['aria-label', 'placeholder', 'title', 'alt'].map(a => e.getAttribute(a) || '').join(' '));
  return [document.title, text, ...said].join('\\n');
}"""


@pytest.fixture(scope="module")
def site(live_app, world):
    """The planted complaints and names, and the English a Chinese page must not show."""
    with live_app.app_context():
        planted = every_page.plant(world)
        english = {**every_page.english_of_the_catalogue(), **every_page.english_of_the_names()}
        db.session.remove()
    return planted, english


class Sessions:
    """One browser context per role and language, signed in once; a role's context in the other
    language is closed first, since the language a user picks is saved on their account."""

    def __init__(self, browser, live_server, world):
        self.browser, self.live_server, self.world = browser, live_server, world
        self.open: dict[str, tuple[str, object]] = {}  # role -> (language, context)

    def page_for(self, role: str, language: str):
        kept = self.open.get(role)
        if kept and kept[0] == language:
            return kept[1].pages[0]
        if kept:
            kept[1].close()
        # The browser asks for the other language: the page's language comes from the switch, saved on
        # the account (or, for a visitor, in the session), which overrides Accept-Language.
        context = self.browser.new_context(
            base_url=self.live_server,
            locale="en-US" if language == "zh_CN" else "zh-CN",
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role == ANONYMOUS:
            page.goto("/login")
        else:
            sign_in(page, getattr(self.world, role).email)
        speak(page, language)
        self.open[role] = (language, context)
        return page

    def close(self) -> None:
        for _language, context in self.open.values():
            context.close()


@pytest.fixture(scope="module")
def sessions(browser, live_server, world):
    kept = Sessions(browser, live_server, world)
    yield kept
    kept.close()


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def speak(page, language: str) -> None:
    """Choose `language` with the switch in the page's header (the page is in the other one)."""
    with page.expect_navigation():
        page.locator(f"form[action$='/language'] button[name=locale][value={language}]").click()
    assert page.evaluate("document.documentElement.lang") == LANGUAGES[language], "the switch did not work"


def url_of(live_app, page: Page, planted) -> str:
    with live_app.test_request_context():
        return url_for(page.endpoint, **page.values(planted))


@pytest.mark.parametrize(
    ("language", "role", "visit"), VISITS, ids=[f"{lang}-{role}-{visit.name}" for lang, role, visit in VISITS]
)
def test_page_is_accessible_and_speaks_one_language(language, role, visit, sessions, site, live_app, axe):
    planted, english = site
    page = sessions.page_for(role, language)
    url = url_of(live_app, visit, planted)
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} as {role}: HTTP {response.status}"
    assert page.evaluate("location.pathname + location.search") == url, f"{url} as {role} went to {page.url}"
    shown_in = page.evaluate("document.documentElement.lang")
    assert shown_in == LANGUAGES[language], (
        f"{url} as {role} is in {shown_in}: the language chosen was not kept"
    )

    problems = [f"axe: {line}" for line in serious_violations(page, axe)]
    if language == "zh_CN":
        shown = every_page.english_shown(page.evaluate(READ_ALOUD), english)
        problems += [f"English on the Chinese page: {text}" for text in shown]
    assert not problems, f"{url} as {role} in {language}:\n" + "\n".join(problems)


def serious_violations(page, axe) -> list[str]:
    """axe-core's serious and critical violations: rule, what it wants, and up to three elements."""
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def test_every_get_rule_is_visited_or_skipped_with_a_reason(live_app):
    """A new page is walked by the test above as soon as it exists, or is skipped here on purpose."""
    get_rules = {rule.endpoint for rule in live_app.url_map.iter_rules() if "GET" in rule.methods}
    visited = {page.endpoint for page in PAGES}
    unknown = sorted(get_rules - visited - set(SKIPPED))
    assert not unknown, f"GET rules neither visited nor skipped (add them to every_page.PAGES): {unknown}"
    gone = sorted((visited | set(SKIPPED)) - get_rules)
    assert not gone, f"every_page lists endpoints the app no longer has: {gone}"
    both = sorted(visited & set(SKIPPED))
    assert not both, f"visited and skipped at once: {both}"


def test_each_role_is_walked_in_both_languages():
    """The walk is as wide as it says: every role and both languages have pages."""
    walked = {(language, role) for language, role, _page in VISITS}
    roles = {role for page in PAGES for role in page.roles}
    assert walked == {(language, role) for language in LANGUAGES for role in roles}
    assert roles == {ANONYMOUS, *every_page.SIGNED_IN}


def test_the_checks_see_what_they_look_for(page, axe):
    """The walk's two checks are not blind: axe flags an unnamed button, and the English of a
    translated message is found in a Chinese sentence, but not inside longer words."""
    page.set_content('<html lang="en"><body><main><button></button></main></body></html>')
    assert any(line.startswith("button-name") for line in serious_violations(page, axe))
    english = every_page.english_of_the_catalogue()
    assert "Please sign in to see this page" in english
    shown = every_page.english_shown("提示：Please sign in to see this page.", english)
    assert any("Please sign in to see this page" in line for line in shown)
    assert not every_page.english_shown("XPlease sign in to see this pages", english)
