"""Who saw or changed what about a person (issue 14): the access log.

Every change about a person is an audit event carrying its `candidate_id` (clausematch/audit.py,
written by each service in its own unit of work). Every view of a person's sensitive data (the
person's page with its criteria and evidence, the edit form, the eligibility queue, the pathway,
the access export) adds one "candidate.viewed" event through `log_view`, with
details {"what": "fiche" | "criteres" | "justificatifs" | "parcours" | "export"} — ids and codes
only, never personal data.

Fail closed: a view is logged in its own short unit of work, committed after the page is built and
before it is sent. If that commit fails, the exception goes up: the person sees the French 503
page (database unreachable) or the 500 page, never the data. Data shown without a trace would
break the promise made to the person; a page refused while the database fails is no loss (the
page itself needed the database).

The log is read by the person's page ("Consultations et modifications", the 10 latest lines), by
`/candidats/<id>/journal` (all of it, paginated in SQL), by the administrators' viewer
`/admin/journal` (filters person, user, organisation, action, period), and by the access export
(through `audit_events.candidate_id`). `purge_access_log` deletes, each day, the events about a
person older than their territory's `access_log_months`; events about no one stay.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Organisation, Territory, User
from clausematch.applications.models import ApplicationStatus
from clausematch.audit import AuditEvent, actor_organisation
from clausematch.candidates.models import Candidate
from clausematch.contracts.queries import contains
from clausematch.database import add_months, to_local, utc_start_of, utcnow
from clausematch.extensions import db
from clausematch.formats import MONTHS
from clausematch.pagination import Page, paginate
from clausematch.text import normalise

VIEWED = "candidate.viewed"
# The right-of-access export (privacy/access.py), logged with its format: a view of everything.
EXPORTED = "candidate.data_exported"
# What a view showed (details["what"]) and how the log names it.
WHAT_LABELS = {
    "fiche": "fiche",
    "criteres": "critères d'éligibilité",
    "justificatifs": "justificatifs",
    "parcours": "parcours",
    "export": "export des données",
}

# The French label of each change about a person ("Modifié : <label>"). An action missing here
# (a feature added later) is shown with GENERIC_CHANGE, never hidden.
CHANGE_LABELS = {
    "candidate.created": "fiche créée",
    "candidate.updated": "fiche modifiée",
    "candidate.duplicate_suspected": "doublon possible signalé à l'équipe de facilitation",
    "candidate.duplicate_dismissed": "doublon écarté (deux personnes différentes)",
    "candidate.merged": "fiches de la même personne fusionnées",
    "candidate.anonymised": "données anonymisées",
    "candidate.retention_notice": "prescripteur prévenu de l'anonymisation à venir (conservation)",
    "consent.withdrawn": "retrait du consentement enregistré",
    "eligibility.validated": "critère validé",
    "eligibility.renewed": "critère renouvelé",
    "eligibility.refused": "critère refusé",
    "application.created": "proposé(e) à une offre",
    "application.status_changed": "candidature mise à jour",
    "application.stale_reminder": "relance d'une candidature sans nouvelle",
    "employment_contract.created": "embauche enregistrée",
    "employment_contract.extended": "contrat prolongé",
    "employment_contract.converted": "contrat converti en CDI",
    "employment_contract.candidate_merged": "contrat rattaché à la fiche conservée",
    "exit.recorded": "sortie enregistrée",
    "follow_up.recorded": "suivi à 6 mois enregistré",
    "hours.person_declared": "heures déclarées",
    "hours.person_validated": "heures validées",
    "hours.validated": "heures validées",
    "hours.person_rejected": "heures refusées",
    "hours.corrected": "heures corrigées",
    "prehire_step.created": "étape avant l'embauche enregistrée",
    "prehire_step.updated": "étape avant l'embauche modifiée",
    "prehire_step.status_changed": "étape avant l'embauche mise à jour",
    "event.person_invited": "invité(e) à un événement",
    "event.registered": "inscrit(e) à un événement",
    "event.answered": "réponse à une invitation enregistrée",
    "event.participant_removed": "retiré(e) d'un événement",
    "event.person_attendance_recorded": "présence à un événement enregistrée",
}
GENERIC_CHANGE = "autre changement"

# Actions about no one, offered by the administrators' viewer with the ones above.
OTHER_ACTION_LABELS = {
    "login": "Connexion",
    "login_failed": "Échec de connexion",
    "logout": "Déconnexion",
    "session_expired": "Session expirée",
    "password_changed": "Mot de passe changé",
    "password_reset_requested": "Réinitialisation du mot de passe demandée",
    "password_reset": "Mot de passe réinitialisé",
    "invitation_sent": "Invitation envoyée",
    "invitation_accepted": "Invitation acceptée",
    "user.deactivated": "Compte désactivé",
    "user.reactivated": "Compte réactivé",
    "user.updated": "Compte modifié",
    "invitation.resent": "Invitation renvoyée",
    "invitation.cancelled": "Invitation annulée",
    "territory_settings_updated": "Paramètres du territoire modifiés",
    "job.run_manually": "Tâche lancée à la main",
    "offer.created": "Offre créée",
    "offer.updated": "Offre modifiée",
    "offer.status_changed": "Offre : état changé",
    "hours.declared": "Heures déclarées (lot)",
    "hours.rejected": "Heures refusées (lot)",
    "contract_created": "Marché créé",
    "contract_updated": "Marché modifié",
}

LATEST_COUNT = 10
JOURNAL_PAGE_SIZE = 50


def log_view(actor: User, candidate_id: int, what: str) -> None:
    """Log that `actor` saw `what` of the person, and commit: call it after the page is built,
    before it is sent. Its own unit of work (the request is a GET: nothing else is pending). Fails
    closed: an error here is raised, and the page is not sent (see the module's docstring)."""
    log_views(actor, [candidate_id], what)


def log_views(actor: User, candidate_ids, what: str) -> None:
    """`log_view` for each person of a list page (the eligibility queue): one INSERT of all the
    lines, one commit, whatever the number of people on the page."""
    if what not in WHAT_LABELS:
        raise ValueError(f"Unknown view kind: {what!r}")
    now = utcnow()
    rows = [{"occurred_at": now, "actor_id": actor.id, "action": VIEWED, "entity_type": "candidate",
             "entity_id": candidate_id, "candidate_id": candidate_id, "details": {"what": what}}
            for candidate_id in dict.fromkeys(candidate_ids)]
    if rows:  # the organisation found inside the INSERT, as audit.record does
        db.session.execute(sa.insert(AuditEvent).values(organisation_id=actor_organisation(actor.id)), rows)
    db.session.commit()


def action_label(action: str, details: dict[str, Any] | None) -> str:
    """"Consulté (fiche)", "Modifié : critère validé", … for an event about a person."""
    details = details or {}
    if action == VIEWED:
        return f"Consulté ({WHAT_LABELS.get(details.get('what'), 'données')})"
    if action == EXPORTED:
        return f"Consulté ({WHAT_LABELS['export']})"
    label = CHANGE_LABELS.get(action, GENERIC_CHANGE)
    if action == "application.status_changed" and details.get("to_status"):
        status = next((s for s in ApplicationStatus if s.value == details["to_status"]), None)
        if status is not None:
            label = f"candidature passée à l'étape « {status.label} »"
    return f"Modifié : {label}"


def general_label(action: str) -> str:
    """The label of any action in the administrators' viewer (the code itself when unknown)."""
    if action == VIEWED:
        return "Consultation des données d'une personne"
    if action == EXPORTED:
        return "Export des données d'une personne (droit d'accès)"
    if action in CHANGE_LABELS:
        return f"Personne — {CHANGE_LABELS[action]}"
    return OTHER_ACTION_LABELS.get(action, action)


def known_actions() -> list[tuple[str, str]]:
    """(code, label) of every action the viewer offers, by label."""
    codes = {VIEWED, EXPORTED, *CHANGE_LABELS, *OTHER_ACTION_LABELS}
    return sorted(((code, general_label(code)) for code in codes), key=lambda pair: normalise(pair[1]))


def format_moment(moment: datetime) -> str:
    """"3 décembre 2026 à 14 h 05", in the territories' time (moments are stored in naive UTC)."""
    local = to_local(moment)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


@dataclass(frozen=True)
class LogLine:
    id: int
    occurred_at: datetime
    action: str
    label: str
    actor_name: str | None
    organisation_name: str | None
    candidate_id: int | None

    @property
    def is_view(self) -> bool:
        return self.action == VIEWED

    @property
    def by(self) -> str:
        """"Jeanne Dupont — Mission locale", or the system."""
        if self.actor_name is None:
            return "ClauseMatch (tâche automatique ou compte supprimé)"
        return f"{self.actor_name} — {self.organisation_name}" if self.organisation_name else self.actor_name

    @property
    def when(self) -> str:
        return format_moment(self.occurred_at)

    @property
    def sentence(self) -> str:
        """"Consulté (fiche) par Jeanne Dupont — Mission locale — le 3 décembre 2026 à 14 h 05"."""
        return f"{self.label} par {self.by} — le {self.when}"


def _lines_stmt(*conditions) -> sa.Select:
    actor, organisation = aliased(User), aliased(Organisation)
    return (sa.select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.details,
                      actor.full_name, organisation.name, AuditEvent.candidate_id)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .outerjoin(organisation, organisation.id == AuditEvent.organisation_id)
            .where(*conditions)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))


def _line(row, label: str) -> LogLine:
    return LogLine(id=row[0], occurred_at=row[1], action=row[2], label=label, actor_name=row[4],
                   organisation_name=row[5], candidate_id=row[6])


def latest_entries(candidate_id: int, limit: int = LATEST_COUNT) -> list[LogLine]:
    """The person's latest views and changes, newest first: one query."""
    rows = db.session.execute(_lines_stmt(AuditEvent.candidate_id == candidate_id).limit(limit))
    return [_line(row, action_label(row[2], row[3])) for row in rows]


def candidate_log_page(candidate_id: int, page: int | None) -> Page:
    """The person's whole log, newest first, one page: a COUNT and a page query."""
    result = paginate(_lines_stmt(AuditEvent.candidate_id == candidate_id), page, per_page=JOURNAL_PAGE_SIZE)
    return Page(items=[_line(row, action_label(row[2], row[3])) for row in result.items], page=result.page,
                per_page=result.per_page, total=result.total)


@dataclass(frozen=True)
class AuditFilters:
    """The administrators' viewer filters (all optional); `since`/`until` are local dates, both
    included."""

    candidate_id: int | None = None
    user: str = ""
    organisation_id: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (kept in the pagination links)."""
        args = {"personne": self.candidate_id, "utilisateur": self.user, "organisation": self.organisation_id,
                "action": self.action, "du": self.since.strftime("%d/%m/%Y") if self.since else None,
                "au": self.until.strftime("%d/%m/%Y") if self.until else None}
        return {key: str(value) for key, value in args.items() if value not in (None, "")}



def audit_page(filters: AuditFilters, page: int | None) -> Page:
    """One page of the whole audit trail, newest first, filtered: a COUNT and a page query."""
    actor, organisation = aliased(User), aliased(Organisation)
    stmt = (sa.select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.details,
                      actor.full_name, organisation.name, AuditEvent.candidate_id, actor.email,
                      AuditEvent.entity_type, AuditEvent.entity_id)
            .outerjoin(actor, actor.id == AuditEvent.actor_id)
            .outerjoin(organisation, organisation.id == AuditEvent.organisation_id)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    if filters.candidate_id is not None:
        stmt = stmt.where(AuditEvent.candidate_id == filters.candidate_id)
    if filters.user:
        stmt = stmt.where(sa.or_(contains(actor.search_name, normalise(filters.user)),
                                 contains(actor.email, filters.user)))
    if filters.organisation_id is not None:
        stmt = stmt.where(AuditEvent.organisation_id == filters.organisation_id)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= utc_start_of(filters.since))
    if filters.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < utc_start_of(filters.until + timedelta(days=1)))
    result = paginate(stmt, page)
    items = [AuditRow(line=_line(row, general_label(row[2]) if row[6] is None else action_label(row[2], row[3])),
                      actor_email=row[7], entity_type=row[8], entity_id=row[9]) for row in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


@dataclass(frozen=True)
class AuditRow:
    line: LogLine
    actor_email: str | None
    entity_type: str
    entity_id: int | None


def organisation_choices() -> list[tuple[int, str]]:
    """(id, "name (kind)") of every organisation, by name: the viewer's select."""
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.kind)
                              .order_by(Organisation.name, Organisation.id))
    return [(ident, f"{name} ({kind.label})") for ident, name, kind in rows]


# --- Retention ---------------------------------------------------------------------------------


def retention_cutoff(on: date, months: int) -> datetime:
    """Events before this moment (naive UTC) are older than `months` on the local date `on`."""
    return utc_start_of(add_months(on, -months))


def purge_access_log(on: date) -> int:
    """Delete the events about a person older than their territory's `access_log_months`, as of
    the local date `on`; events about no one (accounts, settings, offers) stay. One DELETE per
    territory, one commit; returns how many events were deleted."""
    deleted = 0
    for territory_id, months in db.session.execute(sa.select(Territory.id, Territory.access_log_months)
                                                   .order_by(Territory.id)).all():
        people = sa.select(Candidate.id).where(Candidate.territory_id == territory_id)
        result = db.session.execute(
            sa.delete(AuditEvent).where(AuditEvent.candidate_id.in_(people),
                                        AuditEvent.occurred_at < retention_cutoff(on, months))
            .execution_options(synchronize_session=False))
        deleted += result.rowcount or 0
    db.session.commit()
    return deleted


def purge_summary(deleted: int) -> str:
    """The job's French result."""
    if deleted == 0:
        return "Aucune entrée du journal des accès à supprimer."
    return (f"{deleted} entrée{'s' if deleted > 1 else ''} du journal des accès supprimée{'s' if deleted > 1 else ''} "
            "(durée de conservation dépassée).")
