"""The database out of reach during a request (both databases; the real server restart is in
tests/serve/test_database_restart.py): the French 503 page with Retry-After, the request's pending
changes rolled back, a log line without SQL parameters; any other driver error stays a 500."""
import html as html_lib
import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clausematch.accounts.models import Territory
from clausematch.settings import services

SETTINGS = {"eligibility_validity_months": "6", "default_labour_share": "50", "default_insertion_rate": "7,5",
            "default_hourly_cost": "32,50", "exit_convention": "dgefp",
            "inactivity_months": "24", "accountability_years": "5", "access_log_months": "12"}


def cut_after_first_write(error: Exception):
    """update_settings' stand-in: changes the territory in the session, then the driver fails."""
    def update(actor, data, version=None):
        services.territory_for(actor).default_insertion_rate = Decimal("0.5")
        raise error
    return update


def test_a_lost_connection_answers_503_in_french_and_writes_nothing(client, login_as, territory, db, monkeypatch,
                                                                    caplog):
    login_as("facilitator")
    lost = sa.exc.OperationalError("UPDATE territories SET …", {"secret": "prenom.nom@exemple.fr"},
                                   Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(services, "update_settings", cut_after_first_write(lost))
    caplog.set_level(logging.WARNING, logger="clausematch.web.errors")
    response = client.post("/parametres", data=SETTINGS)
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "<h1>Service momentanément indisponible</h1>" in html and "Erreur 503" in html
    assert "Retour à l'accueil" in html and "Connecté en tant que" not in html
    db.session.expire_all()
    assert db.session.get(Territory, territory.id).default_insertion_rate == Decimal("0.05")
    assert "Base de données injoignable (Exception) pendant POST settings.edit : réponse 503" in caplog.text
    assert "prenom.nom" not in caplog.text


def test_json_clients_get_the_503_as_json(client, login_as, territory, monkeypatch):
    login_as("facilitator")
    lost = sa.exc.OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))
    monkeypatch.setattr(services, "update_settings", cut_after_first_write(lost))
    response = client.post("/parametres", data=SETTINGS, headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == "Service momentanément indisponible"


def test_another_driver_error_is_still_a_server_error(client, login_as, territory, monkeypatch):
    login_as("facilitator")
    bug = sa.exc.IntegrityError("INSERT …", {}, Exception("duplicate key value"))
    monkeypatch.setattr(services, "update_settings", cut_after_first_write(bug))
    with pytest.raises(sa.exc.IntegrityError):  # the tests propagate what production shows as the 500 page
        client.post("/parametres", data=SETTINGS)
