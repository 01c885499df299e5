"""The layout of DESIGN.md, checked: layers point one way, and one module decides who is who."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from complaints.models import Role
from complaints.participants import PARTICIPANTS

PACKAGE = Path(__file__).resolve().parents[2] / "complaints"

# Code that creates or edits accounts (and so names roles) is allowed to test a role; nothing
# else is: what a role may see and do is the participant policy's answer.
ROLE_TEST = re.compile(r"role is (not )?Role|role in \(|role == Role|role != Role")
MAY_TEST_ROLES = {
    "participants.py",  # the policy itself
    "services/accounts.py",  # which affiliation an account of a role needs
    "services/administration.py",  # admins create staff accounts and edit roles
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_nothing_in_sla_reaches_up_into_services_or_the_web():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name for name in _imports(path) if name.startswith(("complaints.services", "complaints.web"))
        )
        for path in (PACKAGE / "sla").glob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_workflow_and_the_calendar_stay_pure():
    # The state machine may read its own vocabulary, which is as pure as it is; nothing else.
    own = "complaints.workflow_vocabulary"
    for module in (
        PACKAGE / "workflow.py",
        PACKAGE / "workflow_vocabulary.py",
        PACKAGE / "sla" / "calendar.py",
    ):
        imported = {n for n in _imports(module) if not n.startswith(own)}
        assert not {n for n in imported if n.startswith(("flask", "sqlalchemy", "complaints."))}, module


def test_roles_are_tested_only_by_the_participant_policy_and_account_management():
    found = sorted(
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in MAY_TEST_ROLES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_TEST.search(line)
    )
    assert found == []


def test_templates_ask_the_policy_not_the_role():
    templates = PACKAGE.parent / "templates"
    found = sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"role(\.value)?\s*(==|in)\s", path.read_text(encoding="utf-8"))
    )
    assert found == []


def test_every_role_has_an_entry_in_the_participant_policy():
    assert set(Role) <= set(PARTICIPANTS)
