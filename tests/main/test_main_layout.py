"""The page layout: French, landmarks, skip link, navigation by role, flash messages."""
import re

import pytest
from flask import flash, render_template_string
from main_pages import h1


def test_layout_is_french_with_landmarks_and_skip_link(client):
    html = client.get("/").get_data(as_text=True)

    assert '<html lang="fr">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r'<a href="#contenu">Aller au contenu</a>', html)
    assert html.index("Aller au contenu") < html.index("<header")
    assert '<main id="contenu" tabindex="-1">' in html
    assert '<nav id="navigation" class="navigation" aria-label="Navigation principale"' in html
    assert "<footer" in html and "Accessibilité&nbsp;: non conforme" in html
    assert re.search(r"<title>[^<]+ — ClauseMatch</title>", html)
    assert "cdn" not in html.lower() and "https://" not in html


def test_landing_page_explains_the_service_and_links_to_login(client):
    html = client.get("/").get_data(as_text=True)

    assert h1(html).startswith("ClauseMatch")
    assert "clause sociale d'insertion" in html
    assert html.count('href="/connexion"') >= 2  # in the navigation and in the page


def test_anonymous_navigation(app, client):
    html = client.get("/").get_data(as_text=True)
    nav = html.split('id="menu-principal"')[1].split("</ul>")[0]

    assert '<a href="/" aria-current="page">Accueil</a>' in nav
    assert '<a href="/connexion">Se connecter</a>' in nav
    assert '<a href="/offres">Offres</a>' in nav
    assert "Se déconnecter" not in html


def test_navigation_marks_the_page_shown_as_current(app, client):
    nav = client.get("/offres").get_data(as_text=True).split('id="menu-principal"')[1].split("</ul>")[0]

    assert '<a href="/offres" aria-current="page">Offres</a>' in nav
    assert '<a href="/">Accueil</a>' in nav


@pytest.mark.parametrize("role, home, label", [
    ("facilitator", "/facilitateur", "Tableau de bord"),
    ("prescriber", "/prescripteur", "Mon espace"),
    ("company", "/entreprise", "Mon espace"),
    ("buyer", "/acheteur", "Mon espace"),
    ("admin", "/admin", "Administration"),
])
def test_logged_in_navigation_shows_the_role_home_user_and_logout(client, login_as, role, home, label):
    user = login_as(role)

    html = client.get(home).get_data(as_text=True)
    nav = html.split('id="menu-principal"')[1].split("</ul>")[0]

    assert f'<a href="{home}" aria-current="page">{label}</a>' in nav
    assert "Se connecter" not in nav
    assert user.full_name in html and user.role.label in html
    logout = re.search(r'<form method="post" action="/deconnexion"[^>]*>(.*?)</form>', html, re.S)
    assert logout and 'name="csrf_token"' in logout.group(1) and "Se déconnecter" in logout.group(1)


def test_invitations_link_only_for_roles_that_invite(client, login_as):
    login_as("facilitator")
    facilitator_nav = client.get("/facilitateur").get_data(as_text=True).split('id="menu-principal"')[1]
    login_as("prescriber")
    prescriber_nav = client.get("/prescripteur").get_data(as_text=True).split('id="menu-principal"')[1]

    assert ">Invitations<" in facilitator_nav.split("</ul>")[0]
    assert ">Invitations<" not in prescriber_nav.split("</ul>")[0]


def test_flash_messages_by_category(app, client):
    @app.get("/test-flash")
    def show_flashes():
        flash("Offre publiée.", "success")
        flash("Pour information.", "info")
        flash("Attention au délai.", "warning")
        flash("Action impossible.", "error")
        return render_template_string('{% extends "base.html" %}{% block content %}<h1>Test</h1>{% endblock %}')

    html = client.get("/test-flash").get_data(as_text=True)

    assert re.search(r'message--success" role="status">\s*<p><strong class="message__type">Succès&nbsp;:</strong> '
                     r'Offre publiée\.', html)
    assert re.search(r'message--info" role="status">\s*<p><strong[^>]*>Information&nbsp;:', html)
    assert re.search(r'message--warning" role="alert">\s*<p><strong[^>]*>Attention&nbsp;:', html)
    assert re.search(r'message--error" role="alert">\s*<p><strong[^>]*>Erreur&nbsp;:</strong> Action impossible',
                     html)
    assert html.index('class="messages"') > html.index('<main id="contenu"')


def test_stylesheet_has_visible_focus_and_phone_layout(client):
    with client.get("/static/css/clausematch.css") as response:
        css = response.get_data(as_text=True)
    with client.get("/static/js/navigation.js") as response:
        script = response.get_data(as_text=True)

    assert re.search(r":focus-visible \{ outline: 3px solid var\(--focus\)", css)
    assert "@media (max-width: 47.99em)" in css
    assert 'setAttribute("aria-expanded"' in script


def test_accessibility_statement_is_public_and_honest(client):
    html = client.get("/accessibilite").get_data(as_text=True)

    assert h1(html) == "Déclaration d'accessibilité"
    assert "<strong>non conforme</strong>" in html and "Défenseur des droits" in html


def test_every_page_links_an_icon_that_exists(client):
    """No 404 for the icon: pages link the SVG, and /favicon.ico leads to it for other clients."""
    html = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon
    with client.get(icon.group(1)) as response:
        assert response.status_code == 200 and response.get_data(as_text=True).startswith("<svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"] == icon.group(1)
