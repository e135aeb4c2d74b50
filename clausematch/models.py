"""Imports every model so that metadata (Alembic, create_all) sees the whole schema."""
from clausematch.accounts.models import (  # noqa: F401
    Buyer,
    Company,
    FacilitatorTeam,
    Invitation,
    Membership,
    Organisation,
    PasswordResetToken,
    Prescriber,
    Territory,
    TerritoryCommune,
    User,
)
from clausematch.applications.models import Application, ApplicationEvent  # noqa: F401
from clausematch.audit import AuditEvent  # noqa: F401
from clausematch.candidates.models import (  # noqa: F401
    Candidate,
    CandidateDesiredJob,
    CandidateNameWord,
    Consent,
    EligibilityCriterion,
)
from clausematch.contracts.models import Clause, Contract, HoursPool, HoursPoolLot, Lot  # noqa: F401
from clausematch.directory.models import DirectoryCommune, DirectoryProfile, DirectoryRomeCode  # noqa: F401
from clausematch.imports.uploads import ImportUpload  # noqa: F401
from clausematch.jobs import JobRun  # noqa: F401
from clausematch.matching.models import MatchingModel  # noqa: F401
from clausematch.notifications import Notification, OutboxMessage  # noqa: F401
from clausematch.offers import search_index  # noqa: F401, I001  (the board's full-text index: DDL and flush events)
from clausematch.offers.models import Offer, OfferStatusChange, Programme  # noqa: F401
from clausematch.pathways.hours_totals import ArchivedLotMonthHours, LotMonthHours  # noqa: F401
from clausematch.pathways.models import (  # noqa: F401
    EmploymentContract,
    Exit,
    FollowUp,
    HoursEntry,
    HoursRevision,
)
from clausematch.prehire.models import Event, EventParticipant, PreHireStep  # noqa: F401
from clausematch.privacy.models import AccountabilityArchive  # noqa: F401
from clausematch.referential.models import Commune, RomeAppellation, RomeCode  # noqa: F401
