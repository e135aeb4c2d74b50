"""factory_boy factories for the domain; they flush through the app's db.session."""
from datetime import date, timedelta
from decimal import Decimal

import factory
from werkzeug.security import generate_password_hash

from clausematch import models as m
from clausematch.accounts.models import BuyerKind, CompanyKind, PrescriberKind, Role
from clausematch.contracts.models import ClauseKind, ObjectiveMethod
from clausematch.database import utcnow
from clausematch.extensions import db
from clausematch.offers.models import OfferStatus
from clausematch.vocabulary import ContractType, EducationLevel, Gender, Sector

TEST_PASSWORD = "mot-de-passe-de-test"
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)  # hashing is slow: once per run


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class TerritoryFactory(Base):
    class Meta:
        model = m.Territory

    name = factory.Sequence(lambda n: f"Territoire {n}")


class FacilitatorTeamFactory(Base):
    class Meta:
        model = m.FacilitatorTeam

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Équipe clauses {n}")


class PrescriberFactory(Base):
    class Meta:
        model = m.Prescriber

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Agence France Travail {n}")
    prescriber_kind = PrescriberKind.FRANCE_TRAVAIL


def _siret(n: int) -> str:
    """A 14-digit SIRET with a valid Luhn checksum."""
    body = f"{n:013d}"
    digits = [int(d) for d in body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        # The check digit will sit at position 0, so body digits start at position 1.
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


class CompanyFactory(Base):
    class Meta:
        model = m.Company

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    company_kind = CompanyKind.TITULAIRE
    siret = factory.Sequence(lambda n: _siret(73282932000000 // 10 + n))


class BuyerFactory(Base):
    class Meta:
        model = m.Buyer

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Acheteur {n}")
    buyer_kind = BuyerKind.CITY


class UserFactory(Base):
    class Meta:
        model = m.User

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    role = Role.FACILITATOR
    password_hash = _PASSWORD_HASH

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        if extracted is not None:
            db.session.add(m.Membership(user=self, organisation=extracted))
            db.session.flush()


class ContractFactory(Base):
    class Meta:
        model = m.Contract

    buyer = factory.SubFactory(BuyerFactory)
    territory = factory.SelfAttribute("buyer.territory")
    reference = factory.Sequence(lambda n: f"2025-{n:04d}")
    object = "Construction d'un groupe scolaire"
    sector = Sector.CONSTRUCTION
    amount_ht = Decimal("1000000")
    notified_on = date(2025, 1, 15)
    start_date = date(2025, 2, 1)
    end_date = date(2026, 12, 31)
    clause_kind = ClauseKind.EXECUTION_CONDITION


class LotFactory(Base):
    class Meta:
        model = m.Lot

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Gros œuvre"
    company = factory.SubFactory(CompanyFactory, territory=factory.SelfAttribute("..contract.territory"))
    amount_ht = Decimal("1000000")
    start_date = date(2025, 2, 1)
    end_date = date(2026, 12, 31)


class ClauseFactory(Base):
    class Meta:
        model = m.Clause

    lot = factory.SubFactory(LotFactory)
    hours_objective = Decimal("833")
    objective_method = ObjectiveMethod.FIXED
    eligible_criteria = factory.LazyFunction(list)
    allowed_modes = factory.LazyFunction(list)


class OfferFactory(Base):
    class Meta:
        model = m.Offer

    lot = factory.SubFactory(LotFactory)
    territory = factory.SelfAttribute("lot.contract.territory")
    company = factory.SelfAttribute("lot.company")
    title = "Maçon / Maçonne"
    appellation_code = 16250  # "Maçon / Maçonne", under F1703 Maçonnerie
    rome_code = "F1703"
    sector = Sector.CONSTRUCTION
    commune_insee = "93066"  # Saint-Denis
    latitude = 48.93697
    longitude = 2.35976
    contract_type = ContractType.CDD
    weekly_hours = 35
    positions = 1
    start_date = date(2026, 1, 5)
    publication_end = factory.LazyFunction(lambda: date.today() + timedelta(days=30))
    eligible_criteria = factory.LazyFunction(list)
    status = OfferStatus.PUBLISHED


class CandidateFactory(Base):
    class Meta:
        model = m.Candidate

    prescriber = factory.SubFactory(PrescriberFactory)
    territory = factory.SelfAttribute("prescriber.territory")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    name_key = factory.LazyAttribute(lambda o: " ".join(sorted([o.first_name.lower(), o.last_name.lower()])))
    birth_date = date(1990, 5, 17)
    gender = Gender.FEMALE
    commune_insee = "93066"
    education_level = EducationLevel.CAP_BEP
    desired_jobs_text = "maçon"


# --- Applications, hires, hours, exits, messages (added with the role home pages) -------------
from clausematch.pathways.models import HoursKind, HoursStatus  # noqa: E402
from clausematch.vocabulary import EXIT_CATEGORY, ExitDetail, Mode  # noqa: E402


# Contract, Offer and Candidate have a `territory_id` column but no `territory` relationship, so
# ContractFactory, OfferFactory, CandidateFactory (and LotFactory's default company) above cannot
# build. These variants set the id from the parent record instead; the factories below use them.
class ContractInTerritoryFactory(ContractFactory):
    class Meta:
        exclude = ("territory",)

    territory_id = factory.LazyAttribute(lambda o: o.buyer.territory_id)


class LotInTerritoryFactory(LotFactory):
    contract = factory.SubFactory(ContractInTerritoryFactory)
    company = factory.SubFactory(
        CompanyFactory, territory=factory.LazyAttribute(
            lambda o: db.session.get(m.Territory, o.factory_parent.contract.territory_id)))


class OfferInTerritoryFactory(OfferFactory):
    class Meta:
        exclude = ("territory",)

    territory = None
    lot = factory.SubFactory(LotInTerritoryFactory)
    territory_id = factory.LazyAttribute(lambda o: o.lot.contract.territory_id)


class CandidateInTerritoryFactory(CandidateFactory):
    class Meta:
        exclude = ("territory",)

    territory_id = factory.LazyAttribute(lambda o: o.prescriber.territory_id)


class ApplicationFactory(Base):
    class Meta:
        model = m.Application

    candidate = factory.SubFactory(CandidateInTerritoryFactory)
    offer = factory.SubFactory(OfferInTerritoryFactory)
    prescriber_id = factory.LazyAttribute(lambda o: o.candidate.prescriber_id)


class EmploymentContractFactory(Base):
    class Meta:
        model = m.EmploymentContract

    candidate = factory.SubFactory(CandidateInTerritoryFactory)
    lot = factory.SubFactory(LotInTerritoryFactory)
    company = factory.SelfAttribute("lot.company")
    employer = factory.SelfAttribute("lot.company")
    contract_type = ContractType.CDD
    mode = Mode.DIRECT
    start_date = date(2025, 3, 1)
    planned_end_date = date(2025, 12, 31)
    weekly_hours = 35


class HoursEntryFactory(Base):
    """Hours on a contract; lot, company, candidate and mode are copied from it, as the model wants."""

    class Meta:
        model = m.HoursEntry

    contract = factory.SubFactory(EmploymentContractFactory)
    candidate_id = factory.LazyAttribute(lambda o: o.contract.candidate_id)
    lot_id = factory.LazyAttribute(lambda o: o.contract.lot_id)
    company_id = factory.LazyAttribute(lambda o: o.contract.company_id)
    mode = factory.LazyAttribute(lambda o: o.contract.mode)
    month = date(2025, 3, 1)
    kind = HoursKind.WORK
    hours = Decimal("100")
    status = HoursStatus.VALIDATED


class ExitFactory(Base):
    class Meta:
        model = m.Exit

    contract = factory.SubFactory(EmploymentContractFactory)
    exit_date = date(2025, 12, 31)
    detail = ExitDetail.CDI
    category = factory.LazyAttribute(lambda o: EXIT_CATEGORY[o.detail])


class FollowUpFactory(Base):
    class Meta:
        model = m.FollowUp

    exit = factory.SubFactory(ExitFactory)
    due_on = factory.LazyAttribute(lambda o: o.exit.exit_date + timedelta(days=182))


class NotificationFactory(Base):
    class Meta:
        model = m.Notification

    class Params:
        user = None

    user_id = factory.LazyAttribute(lambda o: o.user.id)
    message = factory.Sequence(lambda n: f"Notification {n}")


class JobRunFactory(Base):
    """A finished run (at most one unfinished run per job: pass finished_at=None for it)."""

    class Meta:
        model = m.JobRun

    job_name = "deliver_outbox"
    started_at = factory.LazyFunction(utcnow)
    finished_at = factory.LazyAttribute(lambda o: o.started_at)
    succeeded = True


class OutboxMessageFactory(Base):
    class Meta:
        model = m.OutboxMessage

    recipient = factory.Sequence(lambda n: f"destinataire{n}@exemple.fr")
    subject = "Invitation"
    body = "Bonjour"
