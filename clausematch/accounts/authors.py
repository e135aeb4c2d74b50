"""Who made a change and when, as the "someone was faster" messages name it: « par vous le … »,
« par l'équipe de facilitation le … », « automatiquement le … » (applications and offers workflows)."""
from datetime import datetime

from clausematch.accounts.models import Role, User
from clausematch.extensions import db
from clausematch.formats import format_date

BY_ROLE = {Role.FACILITATOR: "l'équipe de facilitation", Role.PRESCRIBER: "le prescripteur",
           Role.COMPANY: "l'entreprise", Role.ADMIN: "un administrateur"}


def done_by(author_id: int | None, reader: User | None, when: datetime) -> str:
    """« par vous le 04/12/2026 21:20 » when `reader` made the change, else the author's role;
    « automatiquement » for a change made by a scheduled job (no author)."""
    if author_id is None:
        by = "automatiquement"
    elif reader is not None and author_id == reader.id:
        by = "par vous"
    else:
        author = db.session.get(User, author_id)
        by = "par " + BY_ROLE.get(author.role if author else None, "un autre utilisateur")
    return f"{by} le {format_date(when)}"
