"""The registry of what each workflow action changes beyond the state.

Each domain module (decisions, conversation, mediation) registers its effects here with
@effect; `lifecycle.apply_action` looks them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from complaints.models import Complaint, User
from complaints.workflow import Action


@dataclass
class Change:
    """What an effect reports back: facts for the event, and whether the consumer sees it."""

    detail: dict = field(default_factory=dict)


Effect = Callable[[Complaint, User | None, dict], Change]
EFFECTS: dict[Action, Effect] = {}


def effect(action: Action) -> Callable[[Effect], Effect]:
    """Register the function that applies `action`'s changes beyond the state."""

    def register(fn: Effect) -> Effect:
        EFFECTS[action] = fn
        return fn

    return register
