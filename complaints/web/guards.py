"""Who may open a view. The decorator sits right above each view function."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from complaints.models import Role
from complaints.participants import platform_staff_roles, supervisor_roles


def roles_required(*roles: Role):
    """Only signed-in users with one of `roles` get in; others get 403 (anonymous: the login page)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


# Roles as the participant policy groups them: the platform's staff (agents and supervisors),
# and those of them who supervise.
STAFF = platform_staff_roles()
SUPERVISORS = supervisor_roles()
