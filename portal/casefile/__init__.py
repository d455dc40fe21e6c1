"""The case file (dossier) pages: the case list, opening a case, the case page and reassignment.

A top-floor room: it composes the case entity, the workflow, the plan, the progress record,
enforcement and concerns; nothing imports it.
"""
