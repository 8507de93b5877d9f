"""Questionnaires in and out as XLSForm workbooks: read, write, and the plain
definition both work on."""

from surveys.questionnaires.xlsform.definition import (
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
    XLSFormError,
)
from surveys.questionnaires.xlsform.read import read_xlsform
from surveys.questionnaires.xlsform.write import write_xlsform

__all__ = [
    "ChoiceDef",
    "FormDefinition",
    "QuestionDef",
    "SectionDef",
    "XLSFormError",
    "read_xlsform",
    "write_xlsform",
]
