"""A small territory whose report figures are computed by hand (see `world`), and the demo seeded
once per module for the story figures."""
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from database_support import empty_domain_tables

from clausematch.applications.models import ApplicationEvent, RefusalReason
from clausematch.applications.models import ApplicationStatus as S
from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
from clausematch.pathways.models import HoursKind, HoursStatus
from clausematch.vocabulary import ContractType, Criterion, ExitDetail, Gender, Mode

FULL_PATH = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
LOT_START, LOT_END = date(2025, 1, 1), date(2026, 12, 31)


class World:
    """Builders over the factories, in the personas' territory."""

    def __init__(self, db, territory, personas):
        self.db, self.territory, self.personas = db, territory, personas
        self.prescriber = personas["prescriber"].organisation

    def contract(self, buyer, notified_on=date(2024, 6, 1), **values):
        from factories import ContractInTerritoryFactory

        return ContractInTerritoryFactory(buyer=buyer, notified_on=notified_on, start_date=notified_on,
                                          end_date=LOT_END, **values)

    def lot(self, contract, company, objective=None, start=LOT_START, end=LOT_END, **values):
        from factories import ClauseFactory, LotFactory

        lot = LotFactory(contract=contract, company=company, start_date=start, end_date=end, **values)
        if objective is not None:
            ClauseFactory(lot=lot, hours_objective=Decimal(objective))
        return lot

    def person(self, gender=Gender.MALE, birth=date(1990, 1, 1), qpv=False, commune="93066", criteria=()):
        from factories import CandidateInTerritoryFactory

        candidate = CandidateInTerritoryFactory(prescriber=self.prescriber, gender=gender, birth_date=birth,
                                                commune_insee=commune)
        # Residence in a QPV is the validated "qpv" criterion, like the other publics.
        for criterion, status in [*criteria, *([(Criterion.QPV, EligibilityStatus.VALIDATED)] if qpv else [])]:
            validated = status is EligibilityStatus.VALIDATED
            self.db.session.add(EligibilityCriterion(
                candidate_id=candidate.id, criterion=criterion, status=status,
                validated_at=datetime(2025, 1, 2) if validated else None,
                valid_until=date(2025, 7, 2) if validated else None))
        return candidate

    def apply(self, candidate, offer, path, created=datetime(2025, 1, 10, 9)):
        """An application walking `path`, one event a day."""
        from factories import ApplicationFactory

        last = path[-1]
        reason = RefusalReason.LACKS_SKILLS if last is S.REFUSED else None
        application = ApplicationFactory(candidate=candidate, offer=offer, status=last, refusal_reason=reason,
                                          created_at=created)
        previous = None
        for day, status in enumerate(path):
            self.db.session.add(ApplicationEvent(
                application_id=application.id, from_status=previous, to_status=status,
                occurred_at=created + timedelta(days=day),
                refusal_reason=reason if status is S.REFUSED else None))
            previous = status
        self.db.session.flush()
        return application

    def hire(self, candidate, lot, *, application=None, previous=None, contract_type=ContractType.CDD,
             mode=Mode.DIRECT, start=date(2025, 3, 1), end=None, employer=None):
        from factories import EmploymentContractFactory

        planned = None if contract_type is ContractType.CDI else (end or date(2025, 12, 31))
        return EmploymentContractFactory(
            candidate=candidate, lot=lot, employer=employer or lot.company, contract_type=contract_type, mode=mode,
            start_date=start, planned_end_date=planned, end_date=end,
            application_id=application.id if application else None,
            previous_contract_id=previous.id if previous else None)

    def hours(self, employment, month, hours, kind=HoursKind.WORK, status=HoursStatus.VALIDATED):
        from factories import HoursEntryFactory

        return HoursEntryFactory(contract=employment, month=month, hours=Decimal(hours), kind=kind, status=status)

    def leave(self, employment, detail, *, in_work=None, situation=None, done=True):
        from factories import ExitFactory, FollowUpFactory

        exit_ = ExitFactory(contract=employment, exit_date=employment.end_date, detail=detail)
        due = exit_.exit_date + timedelta(days=182)
        FollowUpFactory(exit=exit_, due_on=due, done_on=due if done else None,
                        in_work=in_work if done else None, situation=situation if done else None)
        return exit_


@pytest.fixture
def world(db, territory, personas):
    """The hand-computed territory (figures in the docstrings of the reporting tests):

    Buyer A (the buyer persona): contract A1 (2024, clause) — lot 1 (company persona, 1 000 h)
    and lot 2 (other titulaire, 500 h); contracts A2 (2024), A3 (2023) without clause, A4 (2023,
    clause, its lot 4 of 100 h ended in 2025). Buyer B: contract B1, lot 3 (200 h).
    Programme "Parcours test": offer 1 on lot 1. Offer 2 on lot 2, outside the programme.
    People: c1 oriented; c2 validated then refused; c3 refused after interview; c4 hired (CDD,
    then CDI), in work at the follow-up; c5 hired (ETTI), out of work; c6 hired (GEIQ
    professionalisation, then CDI) out of work at the first follow-up, in work at the second;
    c7 hired on lot 3 without application.
    """
    from factories import BuyerFactory, CompanyFactory, OfferInTerritoryFactory

    from clausematch.accounts.models import TerritoryCommune
    from clausematch.offers.models import Programme

    w = World(db, territory, personas)
    territory.target_women_share, territory.target_under_26_share = Decimal("0.20"), Decimal("0.25")
    territory.target_over_50_share, territory.target_qpv_share = Decimal("0.10"), Decimal("0.60")
    territory.target_local_share = Decimal("0.50")
    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93066"))
    buyer_a, company = personas["buyer"].organisation, personas["company"].organisation
    buyer_b = BuyerFactory(territory=territory, name="Acheteur B")
    other_company = CompanyFactory(territory=territory, name="Titulaire du lot 2")
    geiq = CompanyFactory(territory=territory, name="GEIQ test")
    a1 = w.contract(buyer_a, reference="A1")
    lot1, lot2 = w.lot(a1, company, 1000, number=1), w.lot(a1, other_company, 500, number=2, title="Second œuvre")
    w.contract(buyer_a, reference="A2", clause_kind=None)
    w.contract(buyer_a, notified_on=date(2023, 3, 1), reference="A3", clause_kind=None)
    a4 = w.contract(buyer_a, notified_on=date(2023, 5, 1), reference="A4")
    lot4 = w.lot(a4, company, 100, number=1, end=date(2025, 12, 31))
    b1 = w.contract(buyer_b, reference="B1")
    lot3 = w.lot(b1, other_company, 200, number=1)
    programme = Programme(territory_id=territory.id, name="Parcours test")
    db.session.add(programme)
    db.session.flush()
    offer1 = OfferInTerritoryFactory(lot=lot1, company=company, programme_id=programme.id)
    offer2 = OfferInTerritoryFactory(lot=lot2, company=other_company)

    c1, c2, c3 = w.person(), w.person(), w.person()
    c4 = w.person(Gender.FEMALE, date(1999, 3, 2), qpv=True,
                  criteria=[(Criterion.RSA, EligibilityStatus.VALIDATED)])
    c5 = w.person(Gender.MALE, date(1999, 3, 1), criteria=[(Criterion.RQTH, EligibilityStatus.VALIDATED)])
    c6 = w.person(Gender.FEMALE, date(1975, 3, 1), commune="93001",
                  criteria=[(Criterion.RQTH, EligibilityStatus.DECLARED)])
    c7 = w.person(Gender.MALE, date(1975, 3, 2), qpv=True, commune="93001")
    w.apply(c1, offer1, [S.SUBMITTED])
    w.apply(c2, offer1, [S.SUBMITTED, S.VALIDATED, S.REFUSED])
    w.apply(c3, offer1, FULL_PATH[:5] + [S.REFUSED])
    a4_ = w.apply(c4, offer1, FULL_PATH)
    w.apply(c4, offer2, [S.SUBMITTED], created=datetime(2026, 2, 1, 9))
    a5 = w.apply(c5, offer1, FULL_PATH)
    a6 = w.apply(c6, offer1, FULL_PATH)

    cdd4 = w.hire(c4, lot1, application=a4_, end=date(2025, 5, 31))
    cdi4 = w.hire(c4, lot1, previous=cdd4, contract_type=ContractType.CDI, start=date(2025, 6, 1))
    etti5 = w.hire(c5, lot1, application=a5, mode=Mode.ETTI, contract_type=ContractType.INTERIM,
                   end=date(2025, 6, 30))
    pro6 = w.hire(c6, lot2, application=a6, mode=Mode.GEIQ, contract_type=ContractType.PROFESSIONNALISATION,
                  end=date(2026, 2, 28), employer=geiq)
    cdi6 = w.hire(c6, lot2, previous=pro6, contract_type=ContractType.CDI, start=date(2026, 3, 1),
                  end=date(2026, 6, 30))
    direct7 = w.hire(c7, lot3, start=date(2025, 3, 1), end=date(2025, 9, 30))

    w.hours(cdd4, date(2025, 3, 1), "100")
    w.hours(cdd4, date(2025, 4, 1), "50", kind=HoursKind.TRAINING)
    w.hours(cdd4, date(2025, 5, 1), "80", status=HoursStatus.DECLARED)
    w.hours(cdi4, date(2025, 6, 1), "120")
    w.hours(etti5, date(2025, 3, 1), "40")
    w.hours(pro6, date(2025, 3, 1), "300")
    w.hours(pro6, date(2026, 1, 1), "290")
    w.hours(direct7, date(2025, 3, 1), "50")
    w.hours(direct7, date(2025, 4, 1), "30", status=HoursStatus.REJECTED)

    w.leave(cdd4, ExitDetail.CDI, in_work=True, situation=ExitDetail.CDI)
    w.leave(etti5, ExitDetail.SHORT_CDD, in_work=False, situation=ExitDetail.UNEMPLOYMENT)
    w.leave(pro6, ExitDetail.CDI, in_work=False, situation=ExitDetail.UNEMPLOYMENT)
    w.leave(cdi6, ExitDetail.UNEMPLOYMENT, in_work=True, situation=ExitDetail.LONG_INTERIM)
    db.session.commit()
    return SimpleNamespace(
        territory=territory, buyer_a=buyer_a, buyer_b=buyer_b, company=company, other_company=other_company,
        a1=a1, a4=a4, b1=b1, lot1=lot1, lot2=lot2, lot3=lot3, lot4=lot4, programme=programme, offer1=offer1,
        offer2=offer2, people=[c1, c2, c3, c4, c5, c6, c7], builder=w)


@pytest.fixture
def scope_of(world):
    """scope_of(**filters): a Scope of the world's territory."""
    from clausematch.reporting.filters import Scope

    def make(**filters):
        return Scope(territory_id=world.territory.id, **filters)
    return make


# --- The demo, seeded once per module ----------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(database_url, referential_index):
    """The demo on the run's database, its app context pushed for the module; emptied after."""
    from clausematch import create_app
    from clausematch.extensions import db as _db
    from clausematch.referential import search
    from seeds.demo import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.extensions[search.EXTENSION_KEY] = referential_index
    with app.app_context():
        started = time.perf_counter()
        seed_demo()
        yield SimpleNamespace(app=app, seconds=time.perf_counter() - started)
        _db.session.remove()
        empty_domain_tables(_db)
        _db.engine.dispose()
