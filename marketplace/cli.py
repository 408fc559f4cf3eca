"""Command-line tasks: `flask --app wsgi seed`, `send-mail`, `mail-worker`, `send-digest`, `activate-placements`,
`create-admin`, `copy-uploads`, `scheduler`, `worker`, `run-job`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from marketplace.extensions import db
from marketplace.mail_worker import run_worker
from marketplace.models import Role
from marketplace.seeding import seed_agreement_clauses, seed_demo, seed_groups
from marketplace.services.accounts import create_user
from marketplace.services.digests import send_digests
from marketplace.services.errors import DomainError
from marketplace.services.notifications import send_pending_mail
from marketplace.services.placements import activate_due_placements


def register(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--demo/--no-demo", default=None,
                  help="Also create demo accounts and records (default: yes, except in production).")
    @click.option("--scale", is_flag=True,
                  help="Also write the benchmark data set: 10,000 students, 500 companies, 5,000 published openings, "
                       "50,000 applications, 2,000 placements (bench/README.md). Once, on a demo database.")
    def seed_command(demo: bool | None, scale: bool) -> None:
        """Load the project groups and (outside production) demo data. Safe to run again (without --scale)."""
        import time

        created = seed_groups()
        created += seed_agreement_clauses()
        if demo is None:
            demo = not app.config.get("SESSION_COOKIE_SECURE")
        if demo or scale:
            created += seed_demo()
        db.session.commit()
        click.echo(f"Seeded: {created} new records.")
        if scale:
            from marketplace.seeding_scale import refresh_statistics, seed_scale

            started = time.perf_counter()
            try:
                counts = seed_scale()
            except RuntimeError as error:
                db.session.rollback()
                raise click.ClickException(str(error)) from None
            db.session.commit()
            refresh_statistics()
            click.echo("Scale data: " + ", ".join(f"{n:,} {what}" for what, n in counts.items())
                       + f" ({time.perf_counter() - started:.1f} s).")

    @app.cli.command("send-mail")
    @click.option("--limit", default=200, show_default=True, help="At most this many e-mails per run.")
    def send_mail_command(limit: int) -> None:
        """Deliver the due e-mails of the outbox (SMTP when MAIL_SERVER is set; printed to the log otherwise).

        A mail that fails is recorded and retried by later runs with growing pauses; after MAIL_MAX_ATTEMPTS it
        is marked failed and listed for the programme office (Admin -> E-mail delivery). One bad mail never
        stops the others. Exits 1 when a mail failed in this run, so a scheduler can alert."""
        sent, failed = delivery = send_pending_mail(limit)
        click.echo(f"Sent {sent} e-mails, {failed} failed (recorded; retried later or listed under Admin).")
        if delivery.server_error:
            click.echo(f"The mail server could not be reached ({delivery.server_error}); the rest wait for the "
                       "next run.")
        if failed or delivery.server_error:
            raise SystemExit(1)

    @app.cli.command("mail-worker")
    @click.option("--interval", type=float, default=None,
                  help="Seconds between looks at the outbox (default: MAIL_WORKER_INTERVAL, 2).")
    @click.option("--limit", default=200, show_default=True, help="At most this many e-mails per round.")
    @click.option("--parent-pid", type=int, default=None, hidden=True,
                  help="Stop when this process is no longer the parent (make run starts it beside gunicorn).")
    def mail_worker_command(interval: float | None, limit: int, parent_pid: int | None) -> None:
        """Send the outbox continuously, and the daily digest once a day from DIGEST_HOUR (Seoul).

        Retries failed mails with growing pauses, waits out database and mail-server outages, and stops cleanly
        on SIGTERM or Ctrl-C (after the mail in hand). Several workers may run at once: no mail is sent twice."""
        run_worker(app, interval=interval, limit=limit, parent_pid=parent_pid)

    @app.cli.command("send-digest")
    def send_digest_command() -> None:
        """Queue today's daily digest (Seoul) for every user with notifications waiting for one; at most one
        digest per user and day, however often and on however many servers this runs. Nothing for users with
        nothing waiting. The mails leave with the worker or the next `send-mail`."""
        queued = send_digests()
        click.echo(f"Queued {queued} daily digests.")

    @app.cli.command("activate-placements")
    def activate_placements_command() -> None:
        """Approved placements whose start date (Seoul) has come become active, once all three parties
        acknowledged the agreement and both insurances are recorded. Safe to run often."""
        held: list = []
        moved = activate_due_placements(held=held)
        db.session.commit()
        click.echo(f"Activated {moved} placements.")
        for placement_id, reasons in held:
            click.echo(f"Held back placement {placement_id}: {' '.join(reasons)}")

    @app.cli.command("copy-uploads")
    @click.option("--from", "source", default=None, metavar="FOLDER",
                  help="The folder to copy from (default: UPLOAD_FOLDER, where the local backend keeps files).")
    @click.option("--dry-run", is_flag=True, help="Only count what would be copied.")
    def copy_uploads_command(source: str | None, dry_run: bool) -> None:
        """Copy uploaded files kept on this server's disk into the configured storage (STORAGE_BACKEND).

        Run it on every server that kept files locally before the switch. Files already in the storage with the
        same content are skipped, so it is safe to run again; nothing is deleted from the disk: remove the folder
        yourself once the pages show every CV. Exits 1 when a file could not be copied."""
        from marketplace import storage

        target = storage.current()
        local = storage.LocalStorage(source or app.config["UPLOAD_FOLDER"])
        if target.name == "local" and local.root.resolve() == Path(app.config["UPLOAD_FOLDER"]).resolve():
            raise click.ClickException("STORAGE_BACKEND is local and the source is UPLOAD_FOLDER: nothing to copy. "
                                       "Set STORAGE_BACKEND=database or s3 first.")
        copied = skipped = failed = 0
        for key in local.keys():
            data = local.get(key)
            try:
                if target.get(key) == data:
                    skipped += 1
                    continue
                if not dry_run:
                    target.put(key, data)
                copied += 1
            except storage.StorageError as error:
                failed += 1
                click.echo(f"could not copy {key}: {error}", err=True)
        verb = "Would copy" if dry_run else "Copied"
        click.echo(f"{verb} {copied} files from {local.root} into the {target.name} storage; "
                   f"{skipped} were already there, {failed} failed.")
        if failed:
            raise SystemExit(1)

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Claim and hand on what is due now, then exit (for cron).")
    def scheduler_command(once: bool) -> None:
        """Start scheduled jobs (SCHEDULE): run one on every application server; each period runs once in all.

        With REDIS_URL the jobs go to the queue for `flask worker`; without it they run here."""
        from marketplace import jobs

        if once:
            claimed = jobs.tick()
            click.echo(f"Claimed {len(claimed)} due jobs: " + ", ".join(f"{n} #{s}" for n, s in claimed))
            return
        periods = ", ".join(f"{name} every {seconds} s" for name, seconds in jobs.schedule(app.config).items())
        click.echo(f"Scheduler {jobs.whoami()}: {periods}")
        jobs.run_scheduler()

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
    def worker_command(burst: bool) -> None:
        """Execute queued background jobs (needs REDIS_URL). Run one or more anywhere that reaches Redis."""
        from marketplace import jobs

        try:
            jobs.run_worker(burst=burst)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from None

    @app.cli.command("run-job")
    @click.argument("name")
    def run_job_command(name: str) -> None:
        """Run one job now in this process, outside the schedule (send-mail, activate-placements, ...)."""
        from marketplace import jobs

        if name not in jobs.JOBS:
            raise click.ClickException(f"unknown job {name!r}; known: {', '.join(jobs.JOBS)}")
        click.echo(jobs.run(name))

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", "display_name", prompt="Full name")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--temporary/--permanent", default=True, show_default=True,
                  help="Temporary: the new admin must choose their own password at first sign-in (and then confirms "
                       "their e-mail). Permanent: for the person running this command, creating their own account.")
    def create_admin_command(email: str, display_name: str, password: str, temporary: bool) -> None:
        """Create an admin account (the password is asked for, never defaulted)."""
        try:
            user = create_user(email, password, display_name, Role.ADMIN, temporary=temporary)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(f"{error.field or 'error'}: {error.message}") from None
        db.session.commit()
        click.echo(f"Admin {user.email} created.")
