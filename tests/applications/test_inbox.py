"""/notifications: the user's own notifications, paginated, marked as read one by one or all at
once; the unread count in the navigation."""
import sqlalchemy as sa
from factories import NotificationFactory

from clausematch.notifications import Notification


def unread(db, user) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def test_lists_only_my_notifications_unread_first(db, client, login_as, personas):
    me = personas["prescriber"]
    NotificationFactory(user=me, message="Ancienne lue", read_at=sa.func.now())
    NotificationFactory(user=me, message="Nouvelle non lue")
    NotificationFactory(user=personas["company"], message="Pas pour moi")
    db.session.commit()
    login_as("prescriber")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Pas pour moi" not in html
    assert html.index("Nouvelle non lue") < html.index("Ancienne lue")
    assert "1 notification non lue." in html


def test_unread_count_in_the_navigation(db, client, login_as, personas):
    for _ in range(3):
        NotificationFactory(user=personas["facilitator"])
    db.session.commit()
    login_as("facilitator")
    html = client.get("/facilitateur").get_data(as_text=True)
    assert ('<a href="/notifications">Notifications <span class="etiquette">3<span class="visuellement-cache">'
            ' non lues') in html
    login_as("company")
    html = client.get("/entreprise").get_data(as_text=True)
    assert '<a href="/notifications">Notifications</a>' in html


def test_mark_one_as_read_and_open_its_link(db, client, login_as, personas):
    note = NotificationFactory(user=personas["prescriber"], link="/mes-orientations")
    db.session.commit()
    login_as("prescriber")
    response = client.post(f"/notifications/{note.id}/lue", data={"ouvrir": "1"})
    assert response.headers["Location"] == "/mes-orientations"
    assert unread(db, personas["prescriber"]) == 0


def test_a_link_to_another_site_is_never_followed(db, client, login_as, personas):
    note = NotificationFactory(user=personas["prescriber"], link="//exemple.com/piege")
    db.session.commit()
    login_as("prescriber")
    response = client.post(f"/notifications/{note.id}/lue", data={"ouvrir": "1"})
    assert response.headers["Location"].startswith("/notifications")


def test_mark_all_as_read(db, client, login_as, personas):
    for _ in range(2):
        NotificationFactory(user=personas["prescriber"])
    other = NotificationFactory(user=personas["company"])
    db.session.commit()
    login_as("prescriber")
    response = client.post("/notifications/tout-lire", follow_redirects=True)
    assert "Toutes vos notifications sont marquées comme lues." in response.get_data(as_text=True)
    assert unread(db, personas["prescriber"]) == 0
    assert db.session.get(Notification, other.id).read_at is None


def test_someone_elses_notification_is_403_and_a_missing_one_404(db, client, login_as, personas):
    note = NotificationFactory(user=personas["company"])
    db.session.commit()
    login_as("prescriber")
    assert client.post(f"/notifications/{note.id}/lue").status_code == 403
    assert client.post("/notifications/999999/lue").status_code == 404
    assert unread(db, personas["company"]) == 1


def test_paginated_in_sql(db, client, login_as, personas, app):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        NotificationFactory(user=personas["buyer"], message=f"Message numéro {n}")
    db.session.commit()
    login_as("buyer")
    html = client.get("/notifications?page=3").get_data(as_text=True)
    assert "Page 3 sur 3" in html and html.count('class="notification__message"') == 1
