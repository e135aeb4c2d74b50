"""The demo's everyday events and steps (seeds/demo/events.py), dated from the load day: a
job-dating next week for two open offers, an information session of a services programme, a
site visit, an immersion under way and an AFPR planned; people from the everyday flow only."""
from datetime import datetime, timedelta

from seed_queries import as_date, rows, value

from clausematch.database import today

UPCOMING = "SELECT id, kind, programme_id, capacity FROM events WHERE starts_at >= :now AND cancelled_at IS NULL"


def _upcoming():
    return {kind: (event_id, programme_id, capacity)
            for event_id, kind, programme_id, capacity in rows(UPCOMING, now=datetime.now())}


def test_the_events_page_has_events_to_come(seeded):
    upcoming = _upcoming()
    assert set(upcoming) == {"job_dating", "info_session", "site_visit"}
    starts = as_date(str(value("SELECT starts_at FROM events WHERE id = :id", id=upcoming["job_dating"][0])))
    assert starts == today() + timedelta(days=7)
    offers = rows("SELECT o.status FROM event_offers eo JOIN offers o ON o.id = eo.offer_id WHERE eo.event_id = :id",
                  id=upcoming["job_dating"][0])
    assert [status for (status,) in offers] == ["published", "published"]
    programme = value("SELECT name FROM programmes WHERE id = :id", id=upcoming["info_session"][1])
    assert programme == "Parcours propreté et services urbains"


def test_people_are_invited_through_their_prescribers_and_seats_hold(seeded):
    for event_id, _, capacity in _upcoming().values():
        statuses = dict(rows("SELECT status, COUNT(*) FROM event_participants WHERE event_id = :id GROUP BY status",
                             id=event_id))
        assert statuses.get("invited", 0) >= 1 and statuses.get("registered", 0) >= 1
        assert statuses.get("registered", 0) <= capacity and not {"attended", "absent"} & set(statuses)
    pending = value("""SELECT COUNT(*) FROM event_participants p JOIN candidates c ON c.id = p.candidate_id
                       JOIN memberships m ON m.organisation_id = c.prescriber_id JOIN users u ON u.id = m.user_id
                       JOIN events e ON e.id = p.event_id
                       WHERE u.email = 'prescripteur@demo.clausematch.fr' AND p.status = 'invited'
                       AND e.starts_at >= :now""", now=datetime.now())
    assert pending >= 1  # the demo prescriber has invitations to answer
    answered_by_their_prescriber = rows("""SELECT COUNT(*) FROM event_participants p
        JOIN candidates c ON c.id = p.candidate_id JOIN memberships m ON m.user_id = p.answered_by_id
        WHERE p.answered_by_id IS NOT NULL AND m.organisation_id <> c.prescriber_id
        AND p.event_id IN (SELECT id FROM events WHERE starts_at >= :now)""", now=datetime.now())
    assert answered_by_their_prescriber == [(0,)]


def test_no_story_person_is_drawn_into_the_everyday_events(seeded):
    story_people = """SELECT p.candidate_id FROM event_participants p JOIN events e ON e.id = p.event_id
                      WHERE e.programme_id = (SELECT id FROM programmes WHERE name = 'Parcours désamiantage')"""
    assert value(f"""SELECT COUNT(*) FROM event_participants p JOIN events e ON e.id = p.event_id
                     WHERE e.starts_at >= :now AND p.candidate_id IN ({story_people})""", now=datetime.now()) == 0


def test_an_immersion_is_under_way_and_an_afpr_is_planned(seeded):
    steps = rows("SELECT kind, status, start_date, end_date, hours FROM prehire_steps WHERE start_date >= :since",
                 since=today() - timedelta(days=60))
    by_kind = {kind: (status, as_date(start), as_date(end), hours) for kind, status, start, end, hours in steps}
    status, start, end, _ = by_kind["pmsmp"]
    assert status == "planned" and start <= today() <= end and (end - start).days <= 31
    status, start, _, hours = by_kind["afpr"]
    assert status == "planned" and start > today() and 1 <= float(hours) <= 2000
