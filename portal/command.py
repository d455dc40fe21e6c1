"""The ``portal`` console script: a Flask command group around :func:`portal.create_app`.

The commands themselves live in :mod:`portal.cli` and are registered by the app factory.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from portal import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False, add_version_option=False)
def main() -> None:
    """Inburgeringsportaal: beheer- en ontwikkelcommando's."""


if __name__ == "__main__":  # pragma: no cover
    main()
