"""Repeated notifications are grouped when written: one unread line per group for its recipient,
counted, worded in the plural when the sender gave one, moved to the top; the inbox stays one
paginated query per recipient, whatever the number of repeats."""
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, NotificationFactory

from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
from clausematch.candidates.validation import refuse_criterion, validate_criterion
from clausematch.database import utcnow
from clausematch.notifications import Notification, notify
from clausematch.vocabulary import Criterion


def rows(db, user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_identical_unread_notifications_make_one_counted_line(db, personas):
    me = personas["prescriber"]
    for _ in range(3):
        notify(me.id, "Doublon possible : une fiche ressemble à une autre.", "/candidats/doublons")
    notify(me.id, "Un autre message.", "/candidats/doublons")
    db.session.commit()

    first, other = rows(db, me)
    assert (first.repeat_count, first.text) == (3, "Doublon possible : une fiche ressemble à une autre.")
    assert (other.repeat_count, other.text) == (1, "Un autre message.")


def test_a_group_counts_again_from_one_once_read(db, personas):
    me = personas["prescriber"]
    notify(me.id, "Même message", "/x")
    notify(me.id, "Même message", "/x")
    db.session.commit()
    [read] = rows(db, me)
    read.read_at = utcnow()
    db.session.commit()

    notify(me.id, "Même message", "/x")
    db.session.commit()

    assert [(n.repeat_count, n.read_at is None) for n in rows(db, me)] == [(2, False), (1, True)]


def test_a_group_is_per_recipient(db, personas):
    for user in (personas["prescriber"], personas["facilitator"]):
        notify(user.id, "Même message")
    notify(personas["prescriber"].id, "Même message")
    db.session.commit()
    assert [n.repeat_count for n in rows(db, personas["prescriber"])] == [2]
    assert [n.repeat_count for n in rows(db, personas["facilitator"])] == [1]


def criteria_of(db, candidate, codes):
    made = [EligibilityCriterion(candidate_id=candidate.id, criterion=Criterion(code),
                                 status=EligibilityStatus.DECLARED, evidence="Attestation vue") for code in codes]
    db.session.add_all(made)
    db.session.commit()
    return made


def test_eligibility_decisions_name_the_person_and_group_per_person(db, personas):
    referent = personas["prescriber"]
    awa = CandidateInTerritoryFactory(prescriber=referent.organisation, referent_id=referent.id,
                                      first_name="Awa", last_name="Diallo")
    lea = CandidateInTerritoryFactory(prescriber=referent.organisation, referent_id=referent.id,
                                      first_name="Léa", last_name="Martin")
    db.session.commit()
    for row in criteria_of(db, awa, ["rsa", "deld", "qpv"]):
        validate_criterion(personas["facilitator"], row.id)
    [lea_row] = criteria_of(db, lea, ["rsa"])
    validate_criterion(personas["facilitator"], lea_row.id)
    [refused] = criteria_of(db, awa, ["aah"])
    refuse_criterion(personas["facilitator"], refused.id, "Justificatif illisible")

    texts = [(n.text, n.link) for n in rows(db, referent)]
    assert texts == [
        ("3 critères d'éligibilité d'Awa D. ont été validés.", f"/candidats/{awa.id}"),
        ("Un critère d'éligibilité de Léa M. a été validé.", f"/candidats/{lea.id}"),
        ("Un critère d'éligibilité d'Awa D. a été refusé : voir le motif sur sa fiche.", f"/candidats/{awa.id}"),
    ]
    # Neither the criterion nor the reason travels in the message.
    assert not any("RSA" in text or "illisible" in text for text, _ in texts)


def test_the_inbox_shows_a_group_once_on_top_with_its_count(db, client, login_as, personas):
    me = personas["prescriber"]
    NotificationFactory(user=me, message="Plus ancienne")
    db.session.commit()
    for _ in range(4):
        notify(me.id, "Rappel identique", "/mes-orientations")
    db.session.commit()

    login_as("prescriber")
    html = client.get("/notifications").get_data(as_text=True)

    assert html.count("Rappel identique <span") == 1
    assert '<span class="etiquette">reçu 4 fois</span>' in html
    assert html.index("Rappel identique") < html.index("Plus ancienne")
    assert "2 notifications non lues." in html


def test_the_inbox_runs_the_same_queries_with_many_groups(db, client, login_as, personas, count_queries):
    me = personas["prescriber"]
    login_as("prescriber")

    def statements(groups: int) -> int:
        for index in range(groups):
            for _ in range(3):
                notify(me.id, f"Message {index}", "/mes-orientations")
        db.session.commit()
        db.session.expire_all()
        with count_queries() as executed:
            assert client.get("/notifications").status_code == 200
        return len(executed)

    assert statements(3) == statements(30)
