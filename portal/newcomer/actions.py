"""What the newcomer room registers with lower rooms (imported by discovery when the app is created)."""

from portal.newcomer.recovery import worklist_notices
from portal.tasks.worklist import worklist_notices as notices_hook

notices_hook.register(worklist_notices)
