"""Errors that services raise for the web layer to turn into clear answers."""

from __future__ import annotations

from complaints.workflow import N_, Refusal


class StaleComplaint(Refusal):
    """Someone else changed the complaint since the actor loaded it."""

    def __init__(self):
        super().__init__(N_("This complaint changed while you were looking at it. Reload it and try again."))


class ComplaintNotFound(LookupError):
    """No complaint with that reference is visible to the actor (another's, or none): a 404."""


class InvalidUpload(ValueError):
    """An uploaded file is refused; the message says why, for the person who sent it."""

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


__all__ = ["ComplaintNotFound", "InvalidUpload", "Refusal", "StaleComplaint"]
