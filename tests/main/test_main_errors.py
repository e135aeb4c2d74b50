"""French error pages: 404, 403, and 500 with the database session rolled back."""
import sqlalchemy as sa
from main_pages import h1

from clausematch.accounts.models import Territory


def test_unknown_page_gives_the_french_404(client):
    response = client.get("/nimporte-quoi")

    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert h1(html) == "Page introuvable"
    assert "La page demandée n&#39;existe pas" in html
    assert "<title>Page introuvable — ClauseMatch</title>" in html
    assert '<a class="bouton" href="/">Retour à l\'accueil</a>' in html


def test_forbidden_page_gives_the_french_403(client, login_as):
    login_as("prescriber")

    response = client.get("/admin")

    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert h1(html) == "Accès refusé"
    assert "Vous n&#39;avez pas les droits nécessaires" in html
    assert '<main id="contenu"' in html  # the full layout, navigation included
    assert ">Mon espace<" in html


def test_server_error_gives_the_french_500_and_rolls_back(app, db, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # let the error handler answer, as in production

    @app.get("/boum")
    def boom():
        db.session.add(Territory(name="Territoire à moitié enregistré"))
        db.session.flush()
        raise RuntimeError("panne simulée")

    response = client.get("/boum")

    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert h1(html) == "Erreur du serveur"
    assert "Une erreur inattendue s&#39;est produite" in html
    assert "panne simulée" not in html
    assert db.session.scalar(sa.select(sa.func.count(Territory.id))
                             .where(Territory.name == "Territoire à moitié enregistré")) == 0
