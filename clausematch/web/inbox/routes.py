"""/notifications for any logged-in user, and the unread count shown in the navigation."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.inbox import services
from clausematch.notifications import Notification
from clausematch.web.helpers import bounded_int, get_or_404

bp = Blueprint("inbox", __name__)


def _me():
    return current_user._get_current_object()


def _is_local(link: str | None) -> bool:
    """A path of this site (never another host: "//host" is not a path)."""
    return bool(link) and link.startswith("/") and not link.startswith("//") and "\\" not in link


@bp.app_context_processor
def inject_unread_count():
    """`unread_notifications()` in every template: runs its one COUNT only when called."""
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(_me())
    return {"unread_notifications": unread_notifications}


@bp.get("/notifications")
@login_required
def index():
    page = services.notifications_page(_me(), request.args.get("page", 1, type=bounded_int))
    return render_template("inbox/index.html", page=page)


@bp.post("/notifications/<int:notification_id>/lue")
@login_required
def mark_read(notification_id: int):
    notification = get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(403)
    services.mark_read(notification.id, _me())
    if request.form.get("ouvrir") and _is_local(notification.link):
        return redirect(notification.link)
    flash("Notification marquée comme lue.", "success")
    return redirect(url_for("inbox.index", page=request.form.get("page", type=bounded_int)))


@bp.post("/notifications/tout-lire")
@login_required
def mark_all_read():
    count = services.mark_all_read(_me())
    flash("Aucune notification à marquer comme lue." if count == 0 else
          "Toutes vos notifications sont marquées comme lues.", "success")
    return redirect(url_for("inbox.index"))
