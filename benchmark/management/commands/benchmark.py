"""Measure the platform on a synthetic campaign in a scratch database.

The command migrates a scratch database (a temporary SQLite file, or
--database-url), then runs itself again in a subprocess whose DATABASE_URL
points there, so nothing touches the development database. The work is in
benchmark/run.py.
"""

import argparse
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmark import report, run


class Command(BaseCommand):
    help = (
        "Benchmark the analysis, workbook and survey pages on a synthetic campaign "
        "(default 4,000 responses × 300 items) in a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=int, default=4000)
        parser.add_argument("--items", type=int, default=300, help="Questions per response")
        parser.add_argument("--json", type=Path, help="Also write every number to this file")
        parser.add_argument(
            "--concurrency", type=int, default=20, help="Simulated respondents at once"
        )
        parser.add_argument("--load-seconds", type=float, default=30.0)
        parser.add_argument(
            "--database-url",
            help="An empty database to use instead of a temporary SQLite file; it is "
            "migrated and filled, and left in place",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch directory and its database"
        )
        # Internal: set when the command runs itself against the scratch database.
        parser.add_argument("--inner", metavar="SCRATCH_DIR", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["responses"] < 1 or options["items"] < 4 or options["concurrency"] < 1:
            raise CommandError("Give at least 1 response, 4 items and 1 respondent.")
        if options["inner"]:
            return self._inner(options)
        if options["database_url"] and run.is_development_database(options["database_url"]):
            raise CommandError("Refusing to fill the development database: give a scratch one.")
        scratch = run.scratch_directory()
        database_url = options["database_url"] or run.sqlite_url(scratch)
        env = run.scratch_environment(database_url, scratch)
        self.stderr.write(f"Scratch directory {scratch}")
        try:
            self._manage(["migrate", "--noinput", "--verbosity", "0"], env)
            if run.needs_collectstatic():
                self._manage(["collectstatic", "--noinput", "--verbosity", "0"], env)
            inner = [
                "benchmark",
                "--inner",
                str(scratch),
                "--responses",
                str(options["responses"]),
                "--items",
                str(options["items"]),
                "--concurrency",
                str(options["concurrency"]),
                "--load-seconds",
                str(options["load_seconds"]),
            ]
            if options["json"]:
                inner += ["--json", str(options["json"].resolve())]
            self._manage(inner, env)
            if options["database_url"]:
                self.stderr.write("The synthetic campaign stays in the --database-url database.")
        finally:
            if options["keep"]:
                self.stderr.write(f"Kept {scratch}")
            else:
                run.remove_scratch(scratch)

    def _manage(self, arguments, env):
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        # A kill of this process is passed on, so the child stops its server.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.terminate())
        try:
            returncode = process.wait()
        except KeyboardInterrupt:
            # The child got the same Ctrl-C: give it time to stop its server.
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            raise CommandError("Interrupted.", returncode=130) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
        if returncode:
            raise CommandError(
                f"manage.py {arguments[0]} failed (exit {returncode})", returncode=returncode
            )

    def _inner(self, options):
        # A plain kill must still stop the server: run the cleanup, as on Ctrl-C.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        try:
            measured = run.run(
                responses=options["responses"],
                items=options["items"],
                concurrency=options["concurrency"],
                load_seconds=options["load_seconds"],
                scratch=options["inner"],
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("Interrupted: the server is stopped.", returncode=130) from None
        if options["json"]:
            run.write_json(measured, options["json"])
        self.stdout.write(report.report_table(measured))
        if options["json"]:
            self.stdout.write(f"\nEvery number is in {options['json']}")
