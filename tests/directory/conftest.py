"""Fixtures of the directory tests: inclusive structures of the personas' territory."""
import pytest


@pytest.fixture
def structure(db, territory):
    """structure(kind=CompanyKind.EI, commune="93066", **profile) → (company, profile or None).
    A profile is saved through the service (as a facilitator) unless `profile=False`."""
    from factories import CompanyFactory, FacilitatorTeamFactory, UserFactory

    from clausematch.accounts.models import CompanyKind, Role
    from clausematch.directory import services

    facilitator = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(territory=territory))

    def make(name="Structure", kind=CompanyKind.EI, commune="93066", profile=True, **values):
        company = CompanyFactory(territory=territory, name=name, company_kind=kind, commune_insee=commune)
        db.session.commit()
        if not profile:
            return company, None
        values.setdefault("activities", "Nettoyage de locaux")
        values.setdefault("is_published", True)
        values.setdefault("contact_email", "contact@structure.fr")
        saved = services.save_profile(facilitator, company.id, services.ProfileInput(**values))
        return company, saved
    return make


@pytest.fixture
def build(db, territory, personas):
    """The contracts tests' builders (contracts, lots, offers) in the personas' territory."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "contracts" / "conftest.py"
    spec = importlib.util.spec_from_file_location("contracts_builders", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Builder(db, territory, personas)
