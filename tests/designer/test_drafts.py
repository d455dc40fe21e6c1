"""Drafts of the process set: saved on the server, conflicts detected, names and sizes checked."""

import pytest

from portal.audit.models import AuditEvent
from portal.designer import drafts
from portal.designer.services import diff_sources, files_of, workdir_files
from portal.extensions import db


@pytest.fixture
def otto(create_user):
    return create_user("otto", role="ontwerper", code=None)


@pytest.fixture
def draft(otto):
    return drafts.create_draft("Termijn aanpassen", workdir_files(), user_id=otto.id)


def test_a_draft_starts_as_a_copy_and_is_a_source_for_diff(draft):
    assert files_of(drafts.source_name(draft)) == workdir_files()
    assert not diff_sources("workdir", drafts.source_name(draft))


def test_a_save_raises_the_revision_and_is_audited(draft, otto):
    saved = drafts.save_file(draft.id, "forms/nieuw.json", "{}", expected=1, user_id=otto.id)
    assert saved.revision == 2 and saved.files["forms/nieuw.json"] == "{}"
    db.session.expire_all()
    assert drafts.draft_or_none(draft.id).files["forms/nieuw.json"] == "{}"
    subjects = db.session.scalars(db.select(AuditEvent.purpose).where(
        AuditEvent.subject == f"process_draft:{draft.id}")).all()
    assert subjects == ["designer.draft_create", "designer.draft_save"]


def test_a_save_on_an_old_revision_is_a_conflict_and_changes_nothing(draft, otto):
    drafts.save_file(draft.id, "forms/a.json", "{}", expected=1, user_id=otto.id)
    with pytest.raises(drafts.DraftConflict) as conflict:
        drafts.save_file(draft.id, "forms/a.json", '{"x": 1}', expected=1, user_id=otto.id)
    assert conflict.value.draft.revision == 2
    assert drafts.draft_or_none(draft.id).files["forms/a.json"] == "{}"


@pytest.mark.parametrize("path", ["../x.bpmn", "bpmn/x.json", "forms/../../etc.json", "README.md"])
def test_names_outside_workflows_are_refused(draft, otto, path):
    with pytest.raises(drafts.DraftError):
        drafts.save_file(draft.id, path, "x", expected=1, user_id=otto.id)


def test_a_closed_draft_cannot_change(draft, otto):
    drafts.close_draft(draft.id, "discarded", user_id=otto.id)
    with pytest.raises(drafts.DraftError):
        drafts.save_file(draft.id, "forms/a.json", "{}", expected=1, user_id=otto.id)


def test_source_names(draft):
    assert drafts.draft_id_of("draft-12") == 12
    assert drafts.draft_id_of("draft-") is None and drafts.draft_id_of("draft-1x") is None
    assert drafts.draft_id_of("12") is None and drafts.draft_id_of("draft-" + "9" * 12) is None
    assert files_of("draft-999999") is None
