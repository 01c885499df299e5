from flask import Blueprint

bp = Blueprint("mediation", __name__, url_prefix="/mediation")
