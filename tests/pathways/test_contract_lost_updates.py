"""The extend, convert and exit forms of an employment contract carry its version: a save made over
a newer version is refused in French with the current values, keeps the person's input, changes
nothing; sent again (with the version now current) it succeeds (clausematch/versioning.py). A change
that ended or continued the contract meanwhile is refused by check_open (test_contract_pages.py)."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from clausematch import versioning
from clausematch.pathways import exits, services
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.versioning import EditConflict

REFUSED = ("Quelqu&#39;un d&#39;autre a enregistré cette fiche pendant que vous la modifiiez : "
           "rien n&#39;a été enregistré.")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-01-15 10:00", tick=False)


def loaded_version(html: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    return match.group(1) or match.group(2)


def saved_elsewhere(db, contract_id: int) -> None:
    """Another save of the contract that leaves it open (a correction of its weekly hours)."""
    contract = db.session.get(EmploymentContract, contract_id)
    contract.weekly_hours = 28
    versioning.claim(contract, None)
    db.session.commit()


def follow_ons(db, contract_id: int) -> list[int]:
    db.session.expire_all()
    return db.session.scalars(sa.select(EmploymentContract.id)
                              .where(EmploymentContract.previous_contract_id == contract_id)).all()


def test_an_extension_over_a_newer_version_is_refused_then_sent_again(db, client, login_as, cdd):
    login_as("facilitator")
    extend = f"/contrats-de-travail/{cdd.id}/prolonger"
    version_a = loaded_version(client.get(extend).get_data(as_text=True))
    saved_elsewhere(db, cdd.id)

    data = {"planned_end_date": "2026-06-30", "start_date": "2026-01-01", "weekly_hours": "30"}
    response = client.post(extend, data={**data, "version": version_a})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and REFUSED in html
    assert "Fin du contrat : (vide)" in html  # the person's save would have ended it: it is still open
    assert 'value="2026-06-30"' in html and 'value="30"' in html  # the input is kept
    assert follow_ons(db, cdd.id) == []
    current = db.session.get(EmploymentContract, cdd.id)
    assert (current.end_date, current.weekly_hours, current.version) == (None, 28, int(version_a) + 1)

    again = client.post(extend, data={**data, "version": loaded_version(html)})
    assert again.status_code == 302
    assert len(follow_ons(db, cdd.id)) == 1
    assert db.session.get(EmploymentContract, cdd.id).end_date == date(2025, 12, 31)


def test_an_exit_over_a_newer_version_is_refused_then_sent_again(db, client, login_as, cdd):
    login_as("company")
    record = f"/contrats-de-travail/{cdd.id}/sortie"
    version_a = loaded_version(client.get(record).get_data(as_text=True))
    saved_elsewhere(db, cdd.id)

    data = {"exit_date": "2025-12-31", "detail": "long_cdd", "comment": "Fin de chantier"}
    response = client.post(record, data={**data, "version": version_a})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and REFUSED in html and "Fin de chantier" in html
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0
    assert db.session.get(EmploymentContract, cdd.id).end_date is None

    assert client.post(record, data={**data, "version": loaded_version(html)}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(Exit.contract_id)).all() == [cdd.id]


@pytest.mark.parametrize("change", ["extend", "convert", "exit"])
def test_each_change_service_refuses_a_stale_version_and_keeps_nothing(db, personas, cdd, change):
    stale = cdd.version
    saved_elsewhere(db, cdd.id)
    actor = personas["facilitator"]
    attempt = {
        "extend": lambda: services.extend_contract(cdd.id, services.ExtensionData(date(2026, 6, 30)), actor,
                                                   version=stale),
        "convert": lambda: services.convert_to_cdi(cdd.id, services.ConversionData(date(2025, 10, 1)), actor,
                                                   version=stale),
        "exit": lambda: exits.record_exit(cdd.id, exits.ExitData(date(2025, 12, 31), "long_cdd"), actor,
                                          version=stale),
    }[change]
    with pytest.raises(EditConflict) as refused:
        attempt()
    assert refused.value.current_version == stale + 1
    assert follow_ons(db, cdd.id) == []
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0
    current = db.session.get(EmploymentContract, cdd.id)
    assert (current.end_date, current.version) == (None, stale + 1)
