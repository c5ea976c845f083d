"""Maturity self-assessment: the model (stages and dimensions), assessments and their aggregates, and the prompts."""

from models.maturity.assessments import (
    MIN_ANSWERS,
    DimensionResult,
    MaturityAnswer,
    MaturityAssessment,
    answer,
    answered_so_far,
    close,
    due_assessments,
    forget_form,
    get_assessment,
    history,
    open_assessment,
    open_days,
    results,
    start,
    weakest,
)
from models.maturity.model import DIMENSIONS, STAGES, Dimension, stage_name
from models.maturity.prompts import MaturityPrompt, prompts_due

__all__ = [
    "DIMENSIONS", "MIN_ANSWERS", "STAGES", "Dimension", "DimensionResult", "MaturityAnswer", "MaturityAssessment",
    "MaturityPrompt", "answer", "answered_so_far", "close", "due_assessments", "forget_form", "get_assessment",
    "history", "open_assessment", "open_days", "prompts_due", "results", "stage_name", "start", "weakest",
]
