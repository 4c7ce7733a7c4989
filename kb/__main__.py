"""The `kb` command ([project.scripts]) and `python -m kb`: `kb import FILE` is `flask --app app kb import FILE`."""
from __future__ import annotations

from flask.cli import ScriptInfo

from .cli import kb_cli
from .web import create_app


def main() -> None:
    kb_cli.main(prog_name="kb", obj=ScriptInfo(create_app=lambda: create_app()))


if __name__ == "__main__":
    main()
