"""Back up or restore a workspace from the command line, for files too large to go through the
browser or for a workspace whose file was lost::

    python -m b2b_core.store restore BACKUP.duckdb --workspace data/workspace.duckdb
    python -m b2b_core.store backup BACKUP.duckdb --workspace data/workspace.duckdb

Both act as the local admin (``access.LOCAL``) and are audited in the workspace like the Data
page's. A restore may recreate a workspace file that is missing from its path. Stop the app
first: the workspace file is open in one process at a time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from b2b_core.access import LOCAL
from b2b_core.store.errors import WorkspaceError, unwritable
from b2b_core.store.workspace import Workspace, created_marker, default_path


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status (0 done, 1 refused, with the reason on stderr)."""
    parser = argparse.ArgumentParser(prog="python -m b2b_core.store", description=__doc__.split("::")[0].strip())
    parser.add_argument("command", choices=["backup", "restore"], help="write a backup file, or restore from one")
    parser.add_argument("file", help="the backup file (.duckdb)")
    parser.add_argument(
        "--workspace", default=str(default_path()), help="the workspace file (default: %(default)s, or $B2B_WORKSPACE)"
    )
    args = parser.parse_args(argv)
    path = Path(args.workspace)
    if args.command == "backup" and not path.exists():
        print(f"Not done: there is no workspace file at {path}.", file=sys.stderr)
        return 1
    made, marked = not path.exists(), created_marker(path).exists()
    try:
        with Workspace(path, recreate=made) as workspace:
            if args.command == "restore":
                done = workspace.restore_backup(args.file, actor=LOCAL)
                print(
                    f"Restored {path} from the backup of {done['created_at']:%Y-%m-%d %H:%M} UTC "
                    f"(version {done['source_version']}): {done['rows']['uploads']} upload(s), "
                    f"{done['rows']['panel_rows']:,} stored rows. The workspace is now at version "
                    f"{done['replaced_version'] + 1}."
                )
            else:
                done = workspace.write_backup(args.file, actor=LOCAL)
                print(
                    f"Backed up {path} (version {done['version']}) to {args.file}: "
                    f"{done['bytes'] / 1e6:.1f} MB, sha256 {done['sha256']}."
                )
    except (ValueError, WorkspaceError, duckdb.Error, OSError) as failed:
        if made:  # a refused restore leaves no empty workspace for the app to fill with the sample
            for leftover in (path, Path(f"{path}.wal"), *(() if marked else (created_marker(path),))):
                leftover.unlink(missing_ok=True)
        print(f"Not done: {_reason(failed, path)}", file=sys.stderr)
        return 1
    return 0


def _reason(error: Exception, path: Path) -> str:
    """What went wrong, as the command says it."""
    if isinstance(error, ValueError | WorkspaceError):
        return str(error)
    if "lock" in str(error).lower():
        return (
            f"the workspace file {path} cannot be opened: another process holds it. If the app is running with "
            "it, stop the app first, or use the Data page."
        )
    disk = unwritable(error, "A file")
    return str(disk) if disk else f"{type(error).__name__}: {error}"


if __name__ == "__main__":
    sys.exit(main())
