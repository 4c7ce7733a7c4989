"""The application layer: every rule, transaction and audit line, whoever asks (command line or web).

Blueprints and commands parse the request, call one function here and render the answer; they run no
query of their own. One module per area.
"""
from .knowledge_base import (PURGE_LOCK, CheckReport, ImportReport, KnowledgeBase, case_to_record, same_content,
                             with_relations)

__all__ = ["PURGE_LOCK", "CheckReport", "ImportReport", "KnowledgeBase", "case_to_record", "same_content",
           "with_relations"]
