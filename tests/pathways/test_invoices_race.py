"""Two facilitators validate the same SIAE invoice at the same moment (real parallel connections,
PostgreSQL, tests/concurrency.py): the invoice row is locked, so exactly one validation is
recorded and the other is refused, "déjà été validée"."""
from datetime import date
from decimal import Decimal

import pytest
from concurrency import failures, race

from clausematch.accounts.models import CompanyKind, User
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError
from clausematch.extensions import db as _db
from clausematch.pathways import invoices
from clausematch.pathways.models import HoursStatus, InvoiceNature, SubcontractingInvoice


@pytest.mark.postgres
def test_validating_an_invoice_twice_at_once_has_one_outcome(app, db, personas):
    from factories import CompanyFactory, LotInTerritoryFactory

    company = personas["company"].organisation
    lot = LotInTerritoryFactory(contract__buyer=personas["buyer"].organisation, company=company)
    siae = CompanyFactory(territory=company.territory, company_kind=CompanyKind.ACI)
    invoice = SubcontractingInvoice(lot_id=lot.id, siae_id=siae.id, nature=InvoiceNature.CO_CONTRACTING,
                                    month=date(2025, 3, 1), amount_ht=Decimal(3000), hourly_cost=Decimal(30),
                                    converted_hours=Decimal(100))
    db.session.add(invoice)
    db.session.commit()
    invoice_id, user_id = invoice.id, personas["facilitator"].id

    def validate():
        return invoices.validate_invoice(_db.session.get(User, user_id), invoice_id).status

    outcomes = race([app, app], [validate, validate])

    assert failures(outcomes) == []
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and "déjà été validée" in refused[0].message
    assert [o for o in outcomes if not isinstance(o, Exception)] == [HoursStatus.VALIDATED]
    db.session.expire_all()
    assert db.session.get(SubcontractingInvoice, invoice_id).status == HoursStatus.VALIDATED
    events = db.session.query(AuditEvent).filter_by(action="invoice.validated", entity_id=invoice_id).count()
    assert events == 1
