"""The process designer's workspace: deployed versions, their diagrams with live counts, and diffs.

A top-floor room: it reads processes, tasks and cases; nothing imports it. Counts come from the SQL
projections (``workflow_instance``, ``human_task``, ``case_wait``), never from loading workflows.
"""
