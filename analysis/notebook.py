"""A notebook's first steps, shared by every notebook: the house chart setup, where the project lives,
and (when the notebook's ``REFRESH`` parameter asks for it) CDC's newest release fetched first.
"""

from __future__ import annotations

from . import charts
from .paths import Paths, project_paths


def start(refresh: bool = False) -> Paths:
    """Set up charts and return the project's paths; with ``refresh``, pull CDC's newest release first
    and print what happened, so everything the notebook reads afterwards is the new release's."""
    charts.setup_notebook()
    paths = project_paths()
    if refresh:
        from . import refresh as refreshing  # needs the network side; imported only when asked

        print(refreshing.refresh(paths=paths).message)
    return paths
