"""The coordinators' admin, one module per part of the data. Importing them
registers their ModelAdmins; only coordinators may use any of them
(surveys.admin.base.CoordinatorsOnly)."""

from surveys.admin import campaigns, courses, directory, questionnaires, registry, responses

__all__ = ["campaigns", "courses", "directory", "questionnaires", "registry", "responses"]
