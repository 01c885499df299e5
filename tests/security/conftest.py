"""Fixtures of the security probes (the helpers they use live in tests/security/support.py).

A module sets APP_CONFIG (for instance {"WTF_CSRF_ENABLED": True}) and uses `planted`: one app
and one planted world for the whole module. `own_app` builds private apps for one test.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import _database_url
from tests.security.support import dispose, make_app, plant


@pytest.fixture(scope="module")
def planted(request, tmp_path_factory):
    """One app (with the module's APP_CONFIG) and one planted world for the whole module."""
    root = tmp_path_factory.mktemp("security")
    config = getattr(request.module, "APP_CONFIG", {})
    app = make_app(root, _database_url(root), **config)
    world = plant(app)
    yield world
    dispose(app)


@pytest.fixture
def own_app(tmp_path):
    """Build a private app with extra config for one test: own_app(RATELIMIT_ENABLED=True)."""
    built: list[Flask] = []

    def build(config_name: str = "testing", **config) -> Flask:
        app = make_app(tmp_path / f"app{len(built)}", config_name=config_name, **config)
        built.append(app)
        return app

    yield build
    for app in built:
        dispose(app)
