"""Data shapes shared by every stage: Document (what a file holds), Plan (what a plan says),
and the database tables."""
from schemas.document import Block, Document, ExtractionError
from schemas.plan import Deadline, Plan, PlanMeta, Task

__all__ = ["Block", "Deadline", "Document", "ExtractionError", "Plan", "PlanMeta", "Task"]
