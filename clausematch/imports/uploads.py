"""A file uploaded for an import, kept server-side between its preview and its commit.

The page previews the file, stores its bytes here and only sends the upload's id back: the
commit re-reads these bytes and re-plans them under the territory lock, never a plan sent by the
browser. An upload is committed at most once (`committed_at`, set in the import's transaction:
a second click on "Importer" finds it set). Uploads older than a day are purged when the next
one is stored."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

KEPT_FOR = timedelta(days=1)


class ImportUpload(db.Model):
    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    file_name: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    committed_at: Mapped[datetime | None]


def purge_old_uploads() -> None:
    """Delete the uploads older than a day (committed or not); the caller commits."""
    db.session.execute(sa.delete(ImportUpload).where(ImportUpload.created_at < utcnow() - KEPT_FOR))
