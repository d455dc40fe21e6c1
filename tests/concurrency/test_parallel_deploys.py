"""Two designers deploying the same files at the same moment get one version, not a 500."""

import pytest
import sqlalchemy as sa

from tests.concurrency.conftest import at_once

pytestmark = [pytest.mark.own_database]


def test_two_deploys_of_the_same_files_at_once_make_one_version(served):
    from portal.engine.parser import source_files
    from portal.extensions import db
    from portal.processes.models import ProcessVersion
    from portal.processes.services import deploy, workflows_dir

    app, _base = served
    with app.app_context():
        files = source_files(workflows_dir())
        before = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessVersion))
    name = next(n for n in files if n.startswith("forms/"))
    files[name] = files[name].replace('"title"', '"description": "Nieuw in deze versie", "title"', 1)

    def deploy_once(_i):
        with app.app_context():
            version, created = deploy(files=files, note="tegelijk")
            db.session.commit()
            return version.id, created

    results = at_once(2, deploy_once)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({version_id for version_id, _created in results}) == 1
    assert sorted(created for _id, created in results) == [False, True]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProcessVersion)) == before + 1
