"""One exception for "the rules do not allow this": a room's service raises it with a reason the user reads.

Views show the reason next to the form and keep what was typed; when a portal action raises it, the
BPMN step stays open (``portal.processes.actions.run_action`` turns it into ``ActionRefused``).
"""


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
