"""People: the directory (people.yaml) mirrored into the store, so that any SQLite tool (and a
query joining tasks to their owners) sees the same names, departments and managers.
"""

from __future__ import annotations

from .base import Repository, json_text


class PeopleRepository(Repository):

    def sync_people(self, people: list) -> None:
        """Replace the stored directory with `people` (config.Person), in one transaction."""
        with self.transaction():
            self.table("people").delete_where()
            self.table("people").insert_all(
                {"email": p.email, "name": p.name, "department": p.department, "title": p.title,
                 "manager": p.manager, "aliases": json_text(p.aliases), "delegates": json_text(p.delegates),
                 "language": p.language}
                for p in people)
