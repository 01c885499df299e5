"""The API's documentation page: the operations of the OpenAPI document, rendered on the server
(no CDN, no script), with how to authenticate and act for someone."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/docs")
def docs():
    spec = current_app.extensions["pledgedesk_api"].spec.to_dict()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": (op.get("summary") or "").strip(),
            "statuses": sorted(op.get("responses", {})),
            "public": not op.get("security"),
        }
        for path, item in sorted(spec.get("paths", {}).items())
        for method, op in item.items()
        if method in METHODS
    ]
    return render_template("api/docs.html", operations=operations, version=spec["info"]["version"])
