"""Data shapes shared by every stage: Document (what a file holds) and Plan (what a plan
says). The database layer is the store package."""
from schemas.document import Block, Document, ExtractionError
from schemas.plan import Deadline, Plan, PlanMeta, Task

__all__ = ["Block", "Deadline", "Document", "ExtractionError", "Plan", "PlanMeta", "Task"]
