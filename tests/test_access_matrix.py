"""Every route × every role → what happens. One table says who may open what; a meta-test fails
when a route of the app has no row, so each new route must say who may use it.

Outcomes: "ok" (2xx, or a redirect that is not to the login page), "login" (redirect to
/connexion), or an error status (403: not yours / not your role, 404: no such thing).
Paths are filled with the ids of the objects built by the `objects` fixture: "own" objects
belong to the personas' territory and organisations, "other_*" ones to another territory.
POST rows send an empty form: it must be refused (403) before any validation for the wrong
roles, and re-displayed with errors (200) or rejected as malformed (400) for the right ones.
"""
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

ROLES = ("anonymous", "facilitator", "prescriber", "company", "buyer", "admin")
STAFF = ROLES[1:]


def rule(anonymous="login", others=403, **allowed):
    """One row: the anonymous outcome, `others` for every staff role not named in `allowed`."""
    return {"anonymous": anonymous, **{role: allowed.get(role, others) for role in STAFF}}


PUBLIC = rule(anonymous="ok", others="ok")
LOGGED_IN = rule(others="ok")
FACILITATOR = rule(facilitator="ok")
INVITERS = rule(facilitator="ok", admin="ok")
NOBODY = rule()  # logged-in users all refused (403): someone else's territory
MISSING = rule(others=404)
OFFER_MANAGERS = rule(facilitator="ok", company="ok")
GONE = rule(anonymous=404, others=404)

MATRIX = {
    # Public pages, health check, login.
    ("GET", "/"): PUBLIC,  # logged-in users are sent on to /accueil
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/accessibilite"): PUBLIC,
    ("GET", "/donnees-personnelles"): PUBLIC,  # the register; ?territoire=<id> picks one of several
    ("GET", "/favicon.ico"): PUBLIC,  # a redirect to the static SVG icon
    ("GET", "/connexion"): PUBLIC,  # logged-in users are sent to their home
    ("POST", "/connexion"): PUBLIC,
    ("POST", "/deconnexion"): rule(anonymous="login", others="login"),  # everyone lands on the login page
    # Role homes.
    ("GET", "/accueil"): LOGGED_IN,
    ("GET", "/facilitateur"): FACILITATOR,
    ("GET", "/prescripteur"): rule(prescriber="ok"),
    ("GET", "/entreprise"): rule(company="ok"),
    ("GET", "/acheteur"): rule(buyer="ok"),
    ("GET", "/admin"): rule(admin="ok"),
    # Accounts: invitations, password reset and change.
    ("GET", "/invitations"): INVITERS,
    ("GET", "/invitations/nouvelle"): INVITERS,
    ("POST", "/invitations/nouvelle"): INVITERS,
    ("GET", "/invitation/{invitation_token}"): PUBLIC,
    ("POST", "/invitation/{invitation_token}"): PUBLIC,
    ("GET", "/invitation/lien-inconnu"): GONE,
    ("GET", "/mot-de-passe-oublie"): PUBLIC,
    ("POST", "/mot-de-passe-oublie"): PUBLIC,
    ("GET", "/mot-de-passe/{reset_token}"): PUBLIC,
    ("POST", "/mot-de-passe/{reset_token}"): PUBLIC,
    ("GET", "/mot-de-passe/lien-inconnu"): GONE,
    ("GET", "/mon-compte/mot-de-passe"): LOGGED_IN,
    ("POST", "/mon-compte/mot-de-passe"): LOGGED_IN,
    # Reference data autocomplete (open data, public like the job board).
    ("GET", "/referentiel/appellations?q=macon"): PUBLIC,
    ("GET", "/referentiel/communes?q=Saint-Denis"): PUBLIC,
    # Contracts, lots, clauses: facilitators of the territory; buyers read theirs, companies their lots.
    ("GET", "/marches"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/marches/nouveau"): FACILITATOR,
    ("POST", "/marches/nouveau"): rule(facilitator=422),
    ("GET", "/marches/{contract}"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/marches/{other_contract}"): NOBODY,
    ("GET", "/marches/{missing}"): MISSING,
    ("GET", "/marches/{contract}/modifier"): FACILITATOR,
    ("POST", "/marches/{contract}/modifier"): rule(facilitator=422),
    ("GET", "/marches/{other_contract}/modifier"): NOBODY,
    ("GET", "/marches/{contract}/lots/nouveau"): FACILITATOR,
    ("POST", "/marches/{contract}/lots/nouveau"): rule(facilitator=422),
    ("GET", "/lots/{lot}"): rule(facilitator="ok", company="ok", buyer="ok"),
    ("GET", "/lots/{other_lot}"): NOBODY,
    ("GET", "/lots/{missing}"): MISSING,
    ("GET", "/lots/{lot}/modifier"): FACILITATOR,
    ("POST", "/lots/{lot}/modifier"): rule(facilitator=422),
    ("GET", "/lots/{lot}/clause"): FACILITATOR,
    ("POST", "/lots/{lot}/clause"): rule(facilitator=422),
    ("GET", "/lots/{other_lot}/clause"): NOBODY,
    # Buyers and companies of the territory, territory settings: facilitators.
    ("GET", "/acheteurs"): FACILITATOR,
    ("GET", "/acheteurs/nouveau"): FACILITATOR,
    ("POST", "/acheteurs/nouveau"): rule(facilitator=422),
    ("GET", "/acheteurs/{buyer}/modifier"): FACILITATOR,
    ("POST", "/acheteurs/{buyer}/modifier"): rule(facilitator=422),
    ("GET", "/acheteurs/{other_buyer}/modifier"): NOBODY,
    ("GET", "/acheteurs/{missing}/modifier"): MISSING,
    ("GET", "/entreprises"): FACILITATOR,
    ("GET", "/entreprises/nouvelle"): FACILITATOR,
    ("POST", "/entreprises/nouvelle"): rule(facilitator=422),
    # Directory of inclusive structures: the territory searches; facilitators (and the structure's
    # own members) edit a profile; a titulaire has none.
    ("GET", "/annuaire-inclusion"): rule(facilitator="ok", prescriber="ok", company="ok", buyer="ok"),
    ("GET", "/annuaire-inclusion/structures/{inclusive_company}/fiche"): FACILITATOR,
    ("POST", "/annuaire-inclusion/structures/{inclusive_company}/fiche"): rule(facilitator=422),
    ("GET", "/annuaire-inclusion/structures/{other_inclusive_company}/fiche"): NOBODY,
    ("GET", "/annuaire-inclusion/structures/{company}/fiche"): NOBODY,
    ("GET", "/annuaire-inclusion/structures/{missing}/fiche"): MISSING,
    ("GET", "/entreprises/{company}"): FACILITATOR,
    ("GET", "/entreprises/{other_company}"): NOBODY,
    ("GET", "/entreprises/{missing}"): MISSING,
    ("GET", "/entreprises/{company}/modifier"): FACILITATOR,
    ("POST", "/entreprises/{company}/modifier"): rule(facilitator=422),
    ("GET", "/parametres"): FACILITATOR,
    ("POST", "/parametres"): rule(facilitator=422),
    # Public job board: published offers only.
    ("GET", "/offres"): PUBLIC,
    ("GET", "/offres/{offer}"): PUBLIC,
    ("GET", "/offres/{draft_offer}"): GONE,
    ("GET", "/offres/{missing}"): GONE,
    # Offers workspace: company users for their company's offers, facilitators for their territory's.
    ("GET", "/entreprise/offres"): rule(company="ok"),
    ("GET", "/facilitateur/offres"): FACILITATOR,
    ("GET", "/gestion/offres/nouvelle"): rule(facilitator="ok", company="ok"),
    ("POST", "/gestion/offres/nouvelle"): rule(facilitator=422, company=422),
    ("GET", "/gestion/offres/nouvelle?lot={other_lot}"): NOBODY,
    ("GET", "/gestion/offres/{offer}"): rule(facilitator="ok", company="ok"),
    ("GET", "/gestion/offres/{other_offer}"): NOBODY,
    ("GET", "/gestion/offres/{missing}"): MISSING,
    ("GET", "/gestion/offres/{draft_offer}/modifier"): rule(facilitator="ok", company="ok"),
    ("POST", "/gestion/offres/{draft_offer}/modifier"): rule(facilitator=422, company=422),
    # company: sent back to the offer
    ("GET", "/gestion/offres/{offer}/modifier"): rule(facilitator="ok", company="ok"),
    ("GET", "/gestion/offres/{other_offer}/modifier"): NOBODY,
    ("POST", "/gestion/offres/{offer}/statut"): rule(facilitator=400, company=400),  # empty form: no target
    ("POST", "/gestion/offres/{other_offer}/statut"): NOBODY,
    # Candidates: the owning prescriber organisation; facilitators of the territory read them, decide
    # eligibility and merge duplicates; companies, buyers and admins never open a candidate page.
    ("GET", "/candidats"): rule(facilitator="ok", prescriber="ok"),  # facilitators: search across the territory
    ("GET", "/candidats/nouveau"): rule(prescriber="ok"),
    ("POST", "/candidats/nouveau"): rule(prescriber=422),  # empty form: re-displayed with errors
    ("GET", "/candidats/{candidate}"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/candidats/{other_org_candidate}"): rule(facilitator="ok"),  # another prescriber's person
    ("GET", "/candidats/{other_candidate}"): NOBODY,
    ("GET", "/candidats/{missing}"): MISSING,
    ("GET", "/candidats/{candidate}/modifier"): rule(prescriber="ok"),
    ("POST", "/candidats/{candidate}/modifier"): rule(prescriber=422),
    ("GET", "/candidats/{other_org_candidate}/modifier"): NOBODY,
    ("GET", "/candidats/{missing}/modifier"): MISSING,
    # Right of access (privacy/access.py): the owning prescriber organisation and the territory's
    # facilitators; another prescriber of the territory, another territory's facilitators, companies,
    # buyers and admins are refused. Each opening is logged.
    ("GET", "/candidats/{candidate}/donnees"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/candidats/{other_org_candidate}/donnees"): rule(facilitator="ok"),
    ("GET", "/candidats/{other_candidate}/donnees"): NOBODY,
    ("GET", "/candidats/{missing}/donnees"): MISSING,
    ("GET", "/candidats/{candidate}/donnees.json"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/candidats/{other_org_candidate}/donnees.json"): rule(facilitator="ok"),
    ("GET", "/candidats/{other_candidate}/donnees.json"): NOBODY,
    ("GET", "/candidats/{missing}/donnees.json"): MISSING,
    # Anonymisation (right to erasure): the territory's facilitators only; an empty form is refused (422).
    ("GET", "/candidats/{candidate}/anonymiser"): FACILITATOR,
    ("POST", "/candidats/{candidate}/anonymiser"): rule(facilitator=422),
    ("GET", "/candidats/{other_org_candidate}/anonymiser"): FACILITATOR,  # same territory, another prescriber
    ("GET", "/candidats/{other_candidate}/anonymiser"): NOBODY,
    ("POST", "/candidats/{other_candidate}/anonymiser"): NOBODY,
    ("GET", "/candidats/{missing}/anonymiser"): MISSING,
    # Consent withdrawn: the owning prescriber and the territory's facilitators; an empty form is refused (422).
    ("GET", "/candidats/{candidate}/retrait-consentement"): rule(facilitator="ok", prescriber="ok"),
    ("POST", "/candidats/{candidate}/retrait-consentement"): rule(facilitator=422, prescriber=422),
    ("GET", "/candidats/{other_org_candidate}/retrait-consentement"): rule(facilitator="ok"),
    ("POST", "/candidats/{other_org_candidate}/retrait-consentement"): rule(facilitator=422),
    ("GET", "/candidats/{other_candidate}/retrait-consentement"): NOBODY,
    ("GET", "/candidats/{missing}/retrait-consentement"): MISSING,
    # The person's access log: whoever may open the person's page.
    ("GET", "/candidats/{candidate}/journal"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/candidats/{other_org_candidate}/journal"): FACILITATOR,  # another prescriber's person
    ("GET", "/candidats/{other_candidate}/journal"): NOBODY,
    ("GET", "/candidats/{missing}/journal"): MISSING,
    ("POST", "/candidats/{candidate}/criteres/{criterion}/valider"): FACILITATOR,
    ("POST", "/candidats/{candidate}/criteres/{criterion}/refuser"): rule(facilitator=422),  # no reason
    ("POST", "/candidats/{other_candidate}/criteres/{other_criterion}/valider"): NOBODY,
    ("POST", "/candidats/{candidate}/criteres/{missing}/valider"): rule(facilitator=404),
    ("GET", "/eligibilites"): FACILITATOR,
    ("GET", "/candidats/doublons"): FACILITATOR,
    ("POST", "/candidats/doublons/ignorer"): rule(facilitator=400),  # empty form: no pair
    ("GET", "/candidats/fusion?keep_id={candidate}&drop_id={other_org_candidate}"): FACILITATOR,
    ("GET", "/candidats/fusion?keep_id={candidate}&drop_id={other_candidate}"): NOBODY,
    ("POST", "/candidats/fusion"): rule(facilitator=400),  # empty form: no pair
    # Orientations: prescribers propose their candidates; facilitators follow the territory's; the company
    # sees only candidates sent to its offers (not sent yet: 404, another company's: 403).
    ("GET", "/orienter"): rule(prescriber="ok"),
    # Facilitators propose too: any candidate of their territory, to its offers.
    ("GET", "/orienter/offres/{offer}"): rule(prescriber="ok", facilitator="ok"),
    ("POST", "/orienter/offres/{offer}"): rule(prescriber=422, facilitator=422),  # empty form: no candidate chosen
    ("GET", "/orienter/offres/{other_offer}"): NOBODY,
    ("GET", "/orienter/offres/{missing}"): rule(prescriber=404, facilitator=404),
    ("GET", "/candidats/{candidate}/proposer"): rule(prescriber="ok", facilitator="ok"),
    ("POST", "/candidats/{candidate}/proposer"): rule(prescriber=422, facilitator=422),
    ("GET", "/candidats/{other_org_candidate}/proposer"): rule(facilitator="ok"),  # same territory
    ("GET", "/candidats/{other_candidate}/proposer"): NOBODY,
    ("POST", "/orientations/{application}/proposer-ailleurs"): rule(facilitator=422, prescriber=422),  # no offer
    ("POST", "/orientations/{other_application}/proposer-ailleurs"): NOBODY,
    ("POST", "/orientations/{missing}/proposer-ailleurs"): rule(facilitator=404, prescriber=404),
    ("GET", "/orientations"): FACILITATOR,
    ("GET", "/mes-orientations"): rule(prescriber="ok"),
    ("GET", "/orientations/{application}"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/orientations/{sent_application}"): rule(facilitator="ok", prescriber="ok"),  # company: its own page
    ("GET", "/orientations/{other_application}"): NOBODY,
    ("GET", "/orientations/{missing}"): MISSING,
    ("POST", "/orientations/{application}/etat/validated"): rule(facilitator="ok"),  # refused with a message
    ("POST", "/orientations/{other_application}/etat/withdrawn"): NOBODY,
    ("GET", "/entreprise/candidatures"): rule(company="ok"),
    ("GET", "/entreprise/candidatures/{sent_application}"): rule(company="ok"),
    ("GET", "/entreprise/candidatures/{application}"): rule(company=404),  # not sent to the company yet
    ("GET", "/entreprise/candidatures/{other_application}"): NOBODY,
    ("GET", "/entreprise/candidatures/{missing}"): rule(company=404),
    ("POST", "/entreprise/candidatures/{sent_application}/entretien"): rule(company="ok"),  # all fields optional
    ("POST", "/entreprise/candidatures/{sent_application}/embauche"): rule(company=422),
    ("POST", "/entreprise/candidatures/{sent_application}/refus"): rule(company=422),
    ("POST", "/entreprise/candidatures/{other_application}/refus"): NOBODY,
    # Matching: suggested candidates and the shortlist for the facilitators of the offer's territory; suggested
    # offers for the prescriber organisation that follows the person; the ranking model for facilitators.
    ("GET", "/gestion/offres/{offer}/candidats-suggeres"): FACILITATOR,
    ("GET", "/gestion/offres/{other_offer}/candidats-suggeres"): NOBODY,
    ("GET", "/gestion/offres/{missing}/candidats-suggeres"): rule(facilitator=404),
    ("POST", "/gestion/offres/{offer}/preselection"): FACILITATOR,  # nothing ticked: back to the list, with the message
    ("POST", "/gestion/offres/{other_offer}/preselection"): NOBODY,
    # nothing shortlisted: back, with the message
    ("POST", "/gestion/offres/{offer}/preselection/envoyer"): FACILITATOR,
    ("POST", "/gestion/offres/{other_offer}/preselection/envoyer"): NOBODY,
    ("GET", "/candidats/{candidate}/offres-suggerees"): rule(prescriber="ok"),
    ("GET", "/candidats/{other_org_candidate}/offres-suggerees"): NOBODY,  # another prescriber's person
    ("GET", "/candidats/{missing}/offres-suggerees"): rule(prescriber=404),
    ("GET", "/rapprochement/modele"): FACILITATOR,
    ("POST", "/rapprochement/modele/entrainer"): FACILITATOR,  # too few outcomes: back, with the message
    # In-app notifications: everyone their own.
    ("GET", "/notifications"): LOGGED_IN,
    ("POST", "/notifications/tout-lire"): LOGGED_IN,
    ("POST", "/notifications/{notification}/lue"): rule(prescriber="ok"),
    ("POST", "/notifications/{missing}/lue"): MISSING,
    # Monthly hours: company users declare on their lots; the territory's facilitators validate; both
    # read the histories (a company those of its own contracts only).
    ("GET", "/entreprise/heures"): rule(company="ok"),
    ("POST", "/entreprise/heures"): rule(company="ok"),  # nothing posted: nothing changes
    ("GET", "/entreprise/heures?lot={lot}&mois=2025-03"): rule(company="ok"),
    ("GET", "/entreprise/heures?lot={other_lot}&mois=2025-03"): NOBODY,
    ("GET", "/entreprise/heures?lot={missing}&mois=2025-03"): rule(company=404),
    ("GET", "/entreprise/heures/import"): rule(company="ok"),  # the import page (a refused file's URL, reloaded)
    ("POST", "/entreprise/heures/import"): rule(company="ok"),  # no file: re-displayed with the error
    ("GET", "/entreprise/heures/modele.csv"): rule(company="ok"),
    ("GET", "/entreprise/heures/modele.csv?lot={other_lot}"): NOBODY,
    ("GET", "/heures/a-valider"): FACILITATOR,
    ("GET", "/heures/lots/{lot}/2025-03"): FACILITATOR,
    ("GET", "/heures/lots/{other_lot}/2025-03"): NOBODY,
    ("GET", "/heures/lots/{missing}/2025-03"): rule(facilitator=404),
    ("POST", "/heures/lots/{lot}/2025-03/valider"): FACILITATOR,
    ("POST", "/heures/lots/{other_lot}/2025-03/valider"): NOBODY,
    ("POST", "/heures/lots/{lot}/2025-03/refuser"): rule(facilitator=422),  # no reason: re-displayed with the error
    ("POST", "/heures/lots/{other_lot}/2025-03/refuser"): NOBODY,
    ("GET", "/heures/saisies/{hours_entry}"): rule(facilitator="ok", company="ok"),
    ("GET", "/heures/saisies/{other_hours_entry}"): NOBODY,
    ("GET", "/heures/saisies/{missing}"): MISSING,
    ("POST", "/heures/saisies/{hours_entry}/valider"): FACILITATOR,
    ("POST", "/heures/saisies/{other_hours_entry}/valider"): NOBODY,
    ("POST", "/heures/saisies/{hours_entry}/refuser"): rule(facilitator=422),  # no reason: re-displayed with the error
    ("POST", "/heures/saisies/{hours_entry}/corriger"): rule(facilitator=422),  # empty form: shown again with errors
    ("POST", "/heures/saisies/{other_hours_entry}/corriger"): NOBODY,
    # SIAE subcontracting invoices: the lot's titulaire and the territory's facilitators enter them (empty
    # form: 422), the facilitators validate or reject them (no reason: 422).
    ("GET", "/lots/{lot}/mutualisation"): FACILITATOR,
    ("GET", "/lots/{other_lot}/mutualisation"): NOBODY,
    ("GET", "/lots/{missing}/mutualisation"): rule(facilitator=404),
    ("POST", "/lots/{lot}/mutualisation"): rule(facilitator=422),
    ("POST", "/lots/{other_lot}/mutualisation"): NOBODY,
    ("POST", "/mutualisations/{pool}/dissoudre"): rule(facilitator=422),
    ("POST", "/mutualisations/{other_pool}/dissoudre"): NOBODY,
    ("POST", "/mutualisations/{missing}/dissoudre"): rule(facilitator=404),
    ("GET", "/lots/{lot}/factures-siae"): rule(facilitator="ok", company="ok"),
    ("GET", "/lots/{other_lot}/factures-siae"): NOBODY,
    ("GET", "/lots/{missing}/factures-siae"): rule(facilitator=404, company=404),
    ("POST", "/lots/{lot}/factures-siae"): rule(facilitator=422, company=422),
    ("POST", "/lots/{other_lot}/factures-siae"): NOBODY,
    ("POST", "/factures-siae/{invoice}/valider"): FACILITATOR,
    ("POST", "/factures-siae/{other_invoice}/valider"): NOBODY,
    ("POST", "/factures-siae/{missing}/valider"): rule(facilitator=404),
    ("POST", "/factures-siae/{invoice}/refuser"): rule(facilitator=422),
    ("POST", "/factures-siae/{other_invoice}/refuser"): NOBODY,
    ("GET", "/heures/a-valider/factures"): FACILITATOR,  # the facilitators' queue of invoices to validate
    ("GET", "/heures/lots/{lot}/2025-03/historique"): rule(facilitator="ok", company="ok"),
    ("GET", "/heures/lots/{other_lot}/2025-03/historique"): NOBODY,
    # Hires: facilitators of the territory and the company owing the hours (empty forms re-displayed with
    # errors); follow-ups: facilitators; a person's pathway: facilitators and the owning prescriber.
    ("GET", "/contrats-de-travail"): rule(facilitator="ok", company="ok"),
    ("GET", "/contrats-de-travail/{employment_contract}"): rule(facilitator="ok", company="ok"),
    ("GET", "/contrats-de-travail/{other_employment_contract}"): NOBODY,
    ("GET", "/contrats-de-travail/{missing}"): MISSING,
    ("GET", "/contrats-de-travail/{employment_contract}/prolonger"): rule(facilitator="ok", company="ok"),
    ("POST", "/contrats-de-travail/{employment_contract}/prolonger"): rule(facilitator=422, company=422),
    ("GET", "/contrats-de-travail/{other_employment_contract}/prolonger"): NOBODY,
    ("GET", "/contrats-de-travail/{employment_contract}/convertir-en-cdi"): rule(facilitator="ok", company="ok"),
    ("POST", "/contrats-de-travail/{employment_contract}/convertir-en-cdi"): rule(facilitator=422, company=422),
    ("GET", "/contrats-de-travail/{employment_contract}/sortie"): rule(facilitator="ok", company="ok"),
    ("POST", "/contrats-de-travail/{employment_contract}/sortie"): rule(facilitator=422, company=422),
    ("POST", "/contrats-de-travail/{other_employment_contract}/sortie"): NOBODY,
    ("GET", "/contrats-de-travail/{missing}/sortie"): MISSING,
    ("GET", "/suivis"): FACILITATOR,
    ("GET", "/suivis/{follow_up}"): FACILITATOR,
    ("POST", "/suivis/{follow_up}"): rule(facilitator=422),
    ("GET", "/suivis/{other_follow_up}"): NOBODY,
    ("GET", "/suivis/{missing}"): MISSING,
    ("GET", "/parcours/{candidate}"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/parcours/{other_org_candidate}"): FACILITATOR,
    ("GET", "/parcours/{other_candidate}"): NOBODY,
    ("GET", "/parcours/{missing}"): MISSING,
    # Scheduled jobs: administrators ("Lancer maintenant" runs the job, then back to the list).
    ("GET", "/admin/taches"): rule(admin="ok"),
    ("GET", "/admin/courriels"): rule(admin="ok"),
    ("POST", "/admin/taches/pathways.follow_ups/lancer"): rule(admin="ok"),
    # Accounts and invitations managed by administrators (every other role: 403, even on a missing id).
    ("GET", "/admin/journal"): rule(admin="ok"),
    ("GET", "/admin/journal?personne=1&utilisateur=x&organisation=1&action=login&du=01/01/2026&au=31/12/2026&page=2"):
        rule(admin="ok"),
    ("GET", "/admin/journal?du=32/13/2026"): rule(admin=422),  # a bad date: a French message on the field
    ("GET", "/admin/utilisateurs"): rule(admin="ok"),
    ("GET", "/admin/utilisateurs?q=x&role=prescriber&organisation=x&etat=actif&page=2"): rule(admin="ok"),
    ("GET", "/admin/utilisateurs/{managed_user}"): rule(admin="ok"),
    ("GET", "/admin/utilisateurs/{missing}"): rule(admin=404),
    ("GET", "/admin/utilisateurs/{managed_user}/modifier"): rule(admin="ok"),
    ("POST", "/admin/utilisateurs/{managed_user}/modifier"): rule(admin="ok"),  # empty form: errors shown
    ("GET", "/admin/utilisateurs/{missing}/modifier"): rule(admin=404),
    ("POST", "/admin/utilisateurs/{managed_user}/desactiver"): rule(admin="ok"),  # then back to the account
    ("POST", "/admin/utilisateurs/{missing}/desactiver"): rule(admin=404),
    ("POST", "/admin/utilisateurs/{managed_user}/reactiver"): rule(admin="ok"),  # already active: message
    ("GET", "/admin/invitations/{invitation}"): rule(admin="ok"),
    ("GET", "/admin/invitations/{missing}"): rule(admin=404),
    ("POST", "/admin/invitations/{invitation}/renvoyer"): rule(admin="ok"),  # sent just now: message
    ("POST", "/admin/invitations/{invitation}/annuler"): rule(admin="ok"),
    ("POST", "/admin/invitations/{missing}/annuler"): rule(admin=404),
    # Reports: facilitators of the territory; buyer users read their own contracts only (scope forced).
    ("GET", "/rapports"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/entonnoir"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/inconnu"): rule(facilitator=404, buyer=404),
    ("GET", "/rapports/heures/export.csv"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/heures/export.xlsx"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/heures/export.pdf"): rule(facilitator=404, buyer=404),
    ("GET", "/rapports/bilan/marche/{contract}"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/bilan/marche/{other_contract}"): NOBODY,
    ("GET", "/rapports/bilan/marche/{missing}"): MISSING,
    ("GET", "/rapports/bilan/acheteur/{buyer}"): rule(facilitator="ok", buyer="ok"),
    ("GET", "/rapports/bilan/acheteur/{other_buyer}"): NOBODY,
    ("GET", "/rapports/bilan/acheteur/{missing}"): MISSING,
    # Programmes and their funnel: facilitators of the territory.
    ("GET", "/programmes"): FACILITATOR,
    ("GET", "/programmes/nouveau"): FACILITATOR,
    ("POST", "/programmes/nouveau"): rule(facilitator=422),
    ("GET", "/programmes/{programme}"): FACILITATOR,
    ("GET", "/programmes/{other_programme}"): NOBODY,
    ("GET", "/programmes/{missing}"): MISSING,
    ("GET", "/programmes/{programme}/modifier"): FACILITATOR,
    ("POST", "/programmes/{programme}/modifier"): rule(facilitator=422),
    ("GET", "/programmes/{other_programme}/modifier"): NOBODY,
    ("GET", "/programmes/{programme}/entonnoir.csv"): FACILITATOR,
    ("GET", "/programmes/{other_programme}/entonnoir.csv"): NOBODY,
    # Events and pre-hire steps: the territory's facilitators run events; its prescribers see them and answer for
    # (or register) their own people; steps: facilitators and the person's prescriber; companies and buyers nothing.
    ("GET", "/evenements"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/evenements/nouveau"): FACILITATOR,
    ("POST", "/evenements/nouveau"): rule(facilitator=422),
    ("GET", "/evenements/{event}"): rule(facilitator="ok", prescriber="ok"),
    ("GET", "/evenements/{other_event}"): NOBODY,
    ("GET", "/evenements/{missing}"): rule(facilitator=404, prescriber=404),
    ("GET", "/evenements/{event}/modifier"): FACILITATOR,
    ("POST", "/evenements/{event}/modifier"): rule(facilitator=422),
    ("GET", "/evenements/{other_event}/modifier"): NOBODY,
    ("GET", "/evenements/{event}/annuler"): FACILITATOR,  # what cancelling does
    ("POST", "/evenements/{event}/annuler"): rule(facilitator=422),  # no reason given
    ("GET", "/evenements/{other_event}/annuler"): NOBODY,
    ("POST", "/evenements/{other_event}/annuler"): NOBODY,
    ("POST", "/evenements/participants/{participant}/retirer"): rule(facilitator=400),  # no version sent
    ("POST", "/evenements/participants/{other_participant}/retirer"): NOBODY,
    ("GET", "/evenements/{event}/inviter"): FACILITATOR,
    ("POST", "/evenements/{event}/inviter"): rule(facilitator=422),  # nobody ticked
    ("GET", "/evenements/{other_event}/inviter"): NOBODY,
    ("POST", "/evenements/participants/{participant}/reponse"): rule(prescriber=400),  # no answer sent
    ("POST", "/evenements/participants/{other_participant}/reponse"): NOBODY,
    ("GET", "/evenements/{started_event}/presences"): FACILITATOR,
    ("POST", "/evenements/{started_event}/presences"): rule(facilitator=422),  # presence not given
    ("GET", "/evenements/{other_event}/presences"): NOBODY,
    ("GET", "/candidats/{candidate}/evenements"): rule(facilitator="ok", prescriber="ok"),
    ("POST", "/candidats/{candidate}/evenements"): rule(facilitator=422, prescriber=422),  # no event chosen
    ("GET", "/candidats/{other_org_candidate}/evenements"): rule(facilitator="ok"),
    ("GET", "/candidats/{other_candidate}/evenements"): NOBODY,
    ("GET", "/candidats/{candidate}/etapes/nouvelle"): rule(facilitator="ok", prescriber="ok"),
    ("POST", "/candidats/{candidate}/etapes/nouvelle"): rule(facilitator=422, prescriber=422),
    ("GET", "/candidats/{other_org_candidate}/etapes/nouvelle"): rule(facilitator="ok"),
    ("GET", "/candidats/{other_candidate}/etapes/nouvelle"): NOBODY,
    ("GET", "/etapes/{step}"): rule(facilitator="ok", prescriber="ok"),
    ("POST", "/etapes/{step}"): rule(facilitator=422, prescriber=422),  # no outcome chosen
    ("GET", "/etapes/{other_step}"): NOBODY,
    ("GET", "/etapes/{step}/modifier"): rule(facilitator="ok", prescriber="ok"),
    ("POST", "/etapes/{step}/modifier"): rule(facilitator=422, prescriber=422),  # start date missing
    ("GET", "/etapes/{other_step}/modifier"): NOBODY,
    ("POST", "/etapes/{other_step}/modifier"): NOBODY,
    ("GET", "/etapes/{missing}"): rule(facilitator=404, prescriber=404),
    # Spreadsheet imports (facilitators of the territory; admins run the platform, not the clauses).
    ("GET", "/imports"): FACILITATOR,
    ("POST", "/imports"): rule(facilitator=422),  # no kind, no file
    ("POST", "/imports/{missing}/importer"): rule(facilitator=404),  # not an upload of theirs
    ("GET", "/imports/{missing}/resultat.csv"): rule(facilitator=404),
    ("GET", "/imports/companies/modele.csv"): FACILITATOR,
    ("GET", "/imports/contracts/modele.xlsx"): FACILITATOR,
    ("GET", "/imports/contracts/export.csv"): FACILITATOR,
    ("GET", "/imports/companies/export.xlsx"): FACILITATOR,
    ("GET", "/imports/inconnu/modele.csv"): rule(facilitator=404),
}

# The administrators' API token page (the JSON API itself is in API_MATRIX below).
MATRIX.update({
    ("GET", "/api/v1/openapi.json"): PUBLIC,  # the OpenAPI document of the JSON API
    ("GET", "/admin/api"): rule(admin="ok"),
    ("POST", "/admin/api"): rule(admin=422),  # empty form: shown again with the errors
    ("POST", "/admin/api/{missing}/revoquer"): rule(admin=404),
})


def api_rule(others=403, **allowed):
    """An API row: each role calls with a token of its organisation holding every scope its kind may
    hold (clausematch/api/tokens.py SCOPES_BY_KIND); anonymous calls without a token, and so does
    admin (administrators belong to no organisation: they create tokens, they hold none): 401."""
    return {"anonymous": 401, "admin": 401, **{role: allowed.get(role, others) for role in STAFF if role != "admin"}}


API_PUBLIC = {role: "ok" for role in ROLES}
REPORT_READERS = api_rule(facilitator="ok", buyer="ok")
API_MATRIX = {
    ("GET", "/api/v1/offres"): API_PUBLIC,
    ("GET", "/api/v1/offres/{offer}"): API_PUBLIC,
    ("GET", "/api/v1/offres/{draft_offer}"): {role: 404 for role in ROLES},
    # Candidates: the owning prescriber organisation only (no other kind holds a candidate scope).
    ("GET", "/api/v1/candidats"): api_rule(prescriber="ok"),
    ("POST", "/api/v1/candidats"): api_rule(prescriber=422),  # empty body: every required field named
    ("GET", "/api/v1/candidats/{candidate}"): api_rule(prescriber="ok"),
    ("GET", "/api/v1/candidats/{other_org_candidate}"): api_rule(),  # another prescriber's person: 403
    ("GET", "/api/v1/candidats/{other_candidate}"): api_rule(),
    ("GET", "/api/v1/candidats/{missing}"): api_rule(prescriber=404),
    ("PATCH", "/api/v1/candidats/{candidate}"): api_rule(prescriber=422),  # no version
    ("PATCH", "/api/v1/candidats/{other_org_candidate}"): api_rule(),
    # Applications: the proposing prescriber organisation and the territory's facilitators.
    ("GET", "/api/v1/orientations"): api_rule(prescriber="ok", facilitator="ok"),
    ("POST", "/api/v1/orientations"): api_rule(prescriber=422, facilitator=422),  # empty body
    ("GET", "/api/v1/orientations/{application}"): api_rule(prescriber="ok", facilitator="ok"),
    ("GET", "/api/v1/orientations/{other_application}"): api_rule(),
    ("GET", "/api/v1/orientations/{missing}"): api_rule(prescriber=404, facilitator=404),
    # A company's monthly hours.
    ("GET", "/api/v1/heures?mois=2025-03"): api_rule(company="ok"),
    ("POST", "/api/v1/heures"): api_rule(company=422),  # empty body
    # Reports: facilitators (their territory) and buyers (their contracts, small counts masked).
    ("GET", "/api/v1/rapports/heures"): REPORT_READERS,
    ("GET", "/api/v1/rapports/entonnoir"): REPORT_READERS,
    ("GET", "/api/v1/rapports/publics"): REPORT_READERS,
    ("GET", "/api/v1/rapports/sorties"): REPORT_READERS,
    ("GET", "/api/v1/rapports/clauses"): REPORT_READERS,
}


@pytest.fixture
def objects(db, personas):
    """Ids (and secret link tokens) that the MATRIX paths refer to."""
    return build_objects(db, personas)


def build_objects(db, personas) -> dict:
    """The objects of `objects` (also the seed of the bad-input fuzz test)."""
    from factories import CompanyFactory, LotInTerritoryFactory, OfferInTerritoryFactory, UserFactory

    from clausematch.accounts.models import CompanyKind, Invitation, PasswordResetToken, Role
    from clausematch.accounts.tokens import new_token
    from clausematch.database import utcnow
    from clausematch.offers.models import OfferStatus, Programme

    company, buyer = personas["company"].organisation, personas["buyer"].organisation
    lot = LotInTerritoryFactory(contract__buyer=buyer, company=company)
    other_lot = LotInTerritoryFactory()  # its contract, buyer and company are in another territory
    offer = OfferInTerritoryFactory(lot=lot)
    draft_offer = OfferInTerritoryFactory(lot=lot, status=OfferStatus.DRAFT)
    other_offer = OfferInTerritoryFactory(lot=other_lot)
    other_offer = OfferInTerritoryFactory(lot=other_lot, status=OfferStatus.DRAFT)
    invitation_token, invitation_hash = new_token()
    reset_token, reset_hash = new_token()
    expires_at = utcnow() + timedelta(days=1)
    invitation = Invitation(token_hash=invitation_hash, email="invitee@exemple.fr", full_name="Personne Invitée",
                            organisation=company, role=Role.COMPANY, expires_at=expires_at)
    managed_user = UserFactory(role=Role.PRESCRIBER, organisation=personas["prescriber"].organisation)
    inclusive = CompanyFactory(territory=company.territory, company_kind=CompanyKind.EI)
    other_inclusive = CompanyFactory(territory=other_lot.contract.territory, company_kind=CompanyKind.ACI)
    programme = Programme(territory_id=company.territory_id, name="Parcours")
    other_programme = Programme(territory_id=other_lot.contract.territory_id, name="Parcours d'ailleurs")
    db.session.add_all([
        invitation, programme, other_programme,
        PasswordResetToken(token_hash=reset_hash, user=personas["prescriber"], expires_at=expires_at),
    ])
    db.session.flush()
    candidate, other_org_candidate, other_candidate, criterion, other_criterion = _candidates(db, personas)
    applications = _applications(db, personas, lot, other_offer, candidate)
    hires = _hires(db, lot, other_lot, candidate)
    hours_entries = _hours_entries(lot, other_lot)
    prehire = _prehire(db, personas, candidate, other_candidate, other_lot.contract.territory_id)
    invoices = _invoices(db, lot, other_lot, inclusive, other_inclusive)
    hours_pools = _pools(db, lot, other_lot)
    db.session.commit()
    return {
        **applications, **hires, **hours_entries, **prehire, **invoices, **hours_pools,
        "candidate": candidate, "other_org_candidate": other_org_candidate, "other_candidate": other_candidate,
        "criterion": criterion, "other_criterion": other_criterion,
        "contract": lot.contract_id, "other_contract": other_lot.contract_id, "lot": lot.id,
        "other_lot": other_lot.id, "buyer": buyer.id, "other_buyer": other_lot.contract.buyer_id,
        "company": company.id, "other_company": other_lot.company_id, "offer": offer.id,
        "draft_offer": draft_offer.id, "other_offer": other_offer.id, "missing": 999_999,
        "invitation_token": invitation_token, "reset_token": reset_token,
        "invitation": invitation.id, "managed_user": managed_user.id,
        "inclusive_company": inclusive.id, "other_inclusive_company": other_inclusive.id,
        "programme": programme.id, "other_programme": other_programme.id,
    }


def _candidates(db, personas) -> tuple[int, ...]:
    """A candidate of the persona prescriber (with a declared criterion), one of another prescriber of
    the territory, and one of another territory (with a criterion)."""
    from factories import CandidateInTerritoryFactory, PrescriberFactory

    from clausematch.candidates.models import EligibilityCriterion
    from clausematch.vocabulary import Criterion

    prescriber = personas["prescriber"].organisation
    mine = CandidateInTerritoryFactory(prescriber=prescriber)
    neighbour = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=prescriber.territory))
    stranger = CandidateInTerritoryFactory()
    for candidate in (mine, stranger):
        candidate.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation"))
    db.session.flush()
    return mine.id, neighbour.id, stranger.id, mine.criteria[0].id, stranger.criteria[0].id


def _pools(db, lot, other_lot) -> dict:
    """A pooling agreement on the personas' lot, and one in the other territory."""
    from datetime import date

    from clausematch.contracts.models import HoursPool, HoursPoolLot

    ids = {}
    for key, pooled in (("pool", lot), ("other_pool", other_lot)):
        pool = HoursPool(territory_id=pooled.contract.territory_id, company_id=pooled.company_id,
                         agreed_on=date(2025, 1, 15), members=[HoursPoolLot(lot_id=pooled.id)])
        db.session.add(pool)
        db.session.flush()
        ids[key] = pool.id
    return ids


def _applications(db, personas, lot, other_offer, candidate_id: int) -> dict:
    """Applications of the persona prescriber's candidate to two offers of the persona company (one
    submitted, one sent), one of another territory, and a notification of the persona prescriber."""
    from factories import ApplicationFactory, NotificationFactory, OfferInTerritoryFactory

    from clausematch.applications.models import ApplicationStatus
    from clausematch.candidates.models import Candidate

    candidate = db.session.get(Candidate, candidate_id)
    submitted = ApplicationFactory(candidate=candidate, offer=OfferInTerritoryFactory(lot=lot))
    sent = ApplicationFactory(candidate=candidate, offer=OfferInTerritoryFactory(lot=lot),
                              status=ApplicationStatus.SENT)
    elsewhere = ApplicationFactory(offer=other_offer)
    notification = NotificationFactory(user=personas["prescriber"])
    db.session.flush()
    return {"application": submitted.id, "sent_application": sent.id, "other_application": elsewhere.id,
            "notification": notification.id}


def _hires(db, lot, other_lot, candidate_id: int) -> dict:
    """A contract of the persona prescriber's candidate on the persona company's lot, one of another
    territory, and a follow-up of each."""
    from factories import EmploymentContractFactory, ExitFactory, FollowUpFactory

    from clausematch.candidates.models import Candidate

    contract = EmploymentContractFactory(lot=lot, candidate=db.session.get(Candidate, candidate_id))
    other_contract = EmploymentContractFactory(lot=other_lot)
    follow_up = FollowUpFactory(exit=ExitFactory(contract=EmploymentContractFactory(lot=lot)))
    other_follow_up = FollowUpFactory(exit=ExitFactory(contract=EmploymentContractFactory(lot=other_lot)))
    db.session.flush()
    return {"employment_contract": contract.id, "other_employment_contract": other_contract.id,
            "follow_up": follow_up.id, "other_follow_up": other_follow_up.id}


def _hours_entries(lot, other_lot) -> dict:
    """March 2025 hours declared on the persona company's lot, and on a lot of another territory."""
    from factories import EmploymentContractFactory, HoursEntryFactory

    from clausematch.pathways.models import HoursStatus

    mine = HoursEntryFactory(contract=EmploymentContractFactory(lot=lot), status=HoursStatus.DECLARED)
    other = HoursEntryFactory(contract=EmploymentContractFactory(lot=other_lot), status=HoursStatus.DECLARED)
    return {"hours_entry": mine.id, "other_hours_entry": other.id}


def _prehire(db, personas, candidate_id: int, other_candidate_id: int, other_territory_id: int) -> dict:
    """An event to come with the persona prescriber's person invited, one that has started with them
    registered, an event of another territory with its participant; a step of each person."""
    from datetime import date

    from clausematch.prehire.models import Event, EventKind, EventParticipant, ParticipantStatus, PreHireStep, StepKind
    from clausematch.prehire.rules import local_now

    territory_id = personas["facilitator"].organisation.territory_id

    def event(territory: int, days: int) -> Event:
        row = Event(territory_id=territory, kind=EventKind.JOB_DATING, title="Job-dating", place="Mairie",
                    starts_at=local_now() + timedelta(days=days))
        db.session.add(row)
        db.session.flush()
        return row

    upcoming, started, other = event(territory_id, 5), event(territory_id, -1), event(other_territory_id, 5)
    participants = [EventParticipant(event_id=upcoming.id, candidate_id=candidate_id),
                    EventParticipant(event_id=started.id, candidate_id=candidate_id,
                                     status=ParticipantStatus.REGISTERED),
                    EventParticipant(event_id=other.id, candidate_id=other_candidate_id)]
    steps = [PreHireStep(candidate_id=person, kind=StepKind.PMSMP, start_date=date(2026, 3, 2),
                         organisation_name="Bâtir Ensemble") for person in (candidate_id, other_candidate_id)]
    db.session.add_all([*participants, *steps])
    db.session.flush()
    return {"event": upcoming.id, "started_event": started.id, "other_event": other.id,
            "participant": participants[0].id, "other_participant": participants[2].id,
            "step": steps[0].id, "other_step": steps[1].id}


def _invoices(db, lot, other_lot, siae, other_siae) -> dict:
    """A declared SIAE invoice on the persona company's lot, and one on a lot of another territory."""
    from datetime import date
    from decimal import Decimal

    from clausematch.pathways.models import InvoiceNature, SubcontractingInvoice

    def invoice(on, structure):
        return SubcontractingInvoice(lot_id=on.id, siae_id=structure.id, nature=InvoiceNature.SUBCONTRACTING,
                                     month=date(2025, 3, 1), amount_ht=Decimal(3000), hourly_cost=Decimal(30),
                                     converted_hours=Decimal(100))
    mine, other = invoice(lot, siae), invoice(other_lot, other_siae)
    db.session.add_all([mine, other])
    db.session.flush()
    return {"invoice": mine.id, "other_invoice": other.id}


def outcome(response) -> str | int:
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if urlsplit(response.headers["Location"]).path == "/connexion" else "ok"
    return "ok" if 200 <= response.status_code < 300 else response.status_code


@pytest.mark.parametrize(("method", "path"), MATRIX, ids=lambda value: value)
def test_access(client, login_as, objects, method, path):
    """One route, each role in turn on a clean session: the outcomes must be the row's."""
    url = path.format(**objects)
    outcomes = {}
    for role in ROLES:
        with client.session_transaction() as session:
            session.clear()
        if role != "anonymous":
            login_as(role)
        outcomes[role] = outcome(client.open(url, method=method, data={}))
    assert outcomes == MATRIX[method, path]


def test_every_row_has_every_role():
    assert [key for key, row in MATRIX.items() if set(row) != set(ROLES)] == []
    assert [key for key, row in API_MATRIX.items() if set(row) != set(ROLES)] == []


@pytest.mark.parametrize(("method", "path"), API_MATRIX, ids=lambda value: value)
def test_api_access(client, personas, objects, method, path):
    """One API operation, each role with its organisation's token (none for anonymous and admin)."""
    from clausematch.api import tokens

    secrets = {role: tokens.create_token(None, personas[role].organisation.id, role,
                                         sorted(tokens.SCOPES_BY_KIND[personas[role].organisation.kind]))[1]
               for role in STAFF if role != "admin"}
    url = path.format(**objects)
    outcomes = {}
    for role in ROLES:
        headers = {"Authorization": f"Bearer {secrets[role]}"} if role in secrets else {}
        response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
        outcomes[role] = outcome(response)
        assert response.is_json, (role, response.status_code)
    assert outcomes == API_MATRIX[method, path]


def test_every_route_of_the_app_has_a_row(app):
    """New routes must be added to MATRIX (and every row must still match a route)."""
    adapter = app.url_map.bind("localhost")
    any_id = defaultdict(lambda: "1")
    covered = set()
    for method, path in [*MATRIX, *API_MATRIX]:
        matched_rule, _ = adapter.match(urlsplit(path.format_map(any_id)).path, method=method, return_rule=True)
        covered.add((method, matched_rule.rule))
    routes = {(method, r.rule) for r in app.url_map.iter_rules() if r.endpoint != "static"
              for method in r.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - covered)
    assert not missing, "Routes sans ligne dans MATRIX : " + ", ".join(f"{m} {r}" for m, r in missing)
