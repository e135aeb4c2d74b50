"""Who may see and move an orientation (application): named predicates, used by the views
(404/403) and again inside the services.

Three kinds of people act on an application, each in one capacity:
- the facilitator of the offer's territory: every application of the territory;
- a prescriber member of the organisation that proposed it (Application.prescriber_id);
- a company user of the offer's company, and only once the guichet has sent the candidate
  (see `shown_to_company`): before that, for the company, the application does not exist.
Buyers and admins never see applications.
"""
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.models import Candidate
from clausematch.offers.models import Offer
from clausematch.offers.permissions import territory_of

FACILITATOR, PRESCRIBER, COMPANY = Role.FACILITATOR, Role.PRESCRIBER, Role.COMPANY

# States a company always sees; refused and withdrawn ones only if they had been sent.
COMPANY_STATES = frozenset({ApplicationStatus.SENT, ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED})
CLOSED_AFTER_SENDING = frozenset({ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN})


def was_sent(application: Application) -> bool:
    """The guichet sent this application to the company at some point (its history says so)."""
    return any(event.to_status == ApplicationStatus.SENT for event in application.events)


def shown_to_company(application: Application) -> bool:
    """The offer's company may see this application: sent, interview, hired, or closed
    (refused, withdrawn) after it had been sent. Of a person whose data was anonymised (consent
    withdrawn…), the hire only (its contract and hours stay for the clause): nothing else exists
    for the company any more."""
    if application.candidate.anonymised_at is not None and application.status != ApplicationStatus.HIRED:
        return False
    if application.status in COMPANY_STATES:
        return True
    return application.status in CLOSED_AFTER_SENDING and was_sent(application)


def is_application_facilitator(user: User, application: Application) -> bool:
    return has_role(user, FACILITATOR) and territory_of(user) == application.offer.territory_id


def is_application_prescriber(user: User, application: Application) -> bool:
    return has_role(user, PRESCRIBER) and is_staff_of(user, application.prescriber_id)


def is_offer_company(user: User, application: Application) -> bool:
    """The user works for the offer's company (whether or not the application was sent)."""
    return has_role(user, COMPANY) and is_staff_of(user, application.offer.company_id)


def application_capacity(user: User, application: Application) -> Role | None:
    """In which capacity `user` acts on `application`: facilitator, prescriber, company, or None."""
    if is_application_facilitator(user, application):
        return FACILITATOR
    if is_application_prescriber(user, application):
        return PRESCRIBER
    if is_offer_company(user, application) and shown_to_company(application):
        return COMPANY
    return None


def can_view_application(user: User, application: Application) -> bool:
    """The full (facilitator or prescriber) view of an application."""
    return application_capacity(user, application) in (FACILITATOR, PRESCRIBER)


def can_view_as_company(user: User, application: Application) -> bool:
    """The company's restricted view (no eligibility, birth date, QPV, prescriber notes)."""
    return application_capacity(user, application) == COMPANY


def can_propose(user: User, candidate: Candidate, offer: Offer | None = None) -> bool:
    """A prescriber may propose their own organisation's candidates, a facilitator the candidates
    of their territory; to offers of the candidate's territory. A merged or anonymised record is
    refused by services.check_can_be_proposed, with its French reason."""
    prescriber = has_role(user, PRESCRIBER) and is_staff_of(user, candidate.prescriber_id)
    facilitator = has_role(user, FACILITATOR) and territory_of(user) == candidate.territory_id
    if not (prescriber or facilitator):
        return False
    return offer is None or offer.territory_id == candidate.territory_id


def may_propose_to(user: User, offer: Offer) -> bool:
    """The user proposes candidates to this offer's territory: a prescriber or facilitator of it."""
    return has_role(user, PRESCRIBER, FACILITATOR) and territory_of(user) == offer.territory_id
