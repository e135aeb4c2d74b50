"""Login, logout, invitations, password reset."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
