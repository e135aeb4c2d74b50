"""0028: the table keeping an import's file between its preview and its commit."""
import flask_migrate
import sqlalchemy as sa
from test_migrations import empty_database_url, migration_app  # noqa: F401 - the fixtures of every migration test

from clausematch.extensions import db


def test_0028_import_uploads_up_and_down(migration_app):  # noqa: F811 - the imported fixture
    flask_migrate.upgrade(revision="0028")
    inspector = sa.inspect(db.engine)
    columns = {column["name"] for column in inspector.get_columns("import_uploads")}
    assert {"territory_id", "user_id", "kind", "file_name", "sha256", "data", "created_at", "committed_at"} <= columns
    foreign_keys = {(key["constrained_columns"][0], key["referred_table"], key["options"].get("ondelete"))
                    for key in inspector.get_foreign_keys("import_uploads")}
    assert foreign_keys == {("territory_id", "territories", "CASCADE"), ("user_id", "users", "CASCADE")}
    flask_migrate.downgrade(revision="0027")
    assert "import_uploads" not in sa.inspect(db.engine).get_table_names()
