"""`xieshang` command: init-db, deploy, demo, serve, tick, verify, backup, restore, holidays. Each command commits once.

Settings come from the environment's XIESHANG_* names (engine/settings.py), the database from --database-url."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import click

import engine.procedures  # noqa: F401 - the procedures register with the core before any command
from sqlalchemy.orm import Session


@click.group(name="xieshang")
@click.option("--database-url", envvar="XIESHANG_DATABASE_URL", default=None,
              help="SQLAlchemy URL (default: sqlite:///instance/xieshang.db).")
@click.pass_context
def main(ctx: click.Context, database_url: str | None) -> None:
    """协商 — county CPPCC consultation workflows."""
    from engine.settings import Settings

    settings = Settings.from_mapping({**os.environ, "XIESHANG_DATABASE_URL": database_url or ""})
    ctx.obj = {"settings": settings, "url": settings.database_url}


@contextmanager
def _session(ctx: click.Context) -> Iterator[Session]:
    from engine.db import make_engine, make_sessionmaker, writing

    engine = make_engine(ctx.obj["url"])
    try:
        with writing(), make_sessionmaker(engine, ctx.obj["settings"])() as session:  # every command here writes
            yield session
    finally:
        engine.dispose()


@main.command("init-db")
@click.pass_context
def init_db(ctx: click.Context) -> None:
    """Create the tables."""
    from engine.calendar import holidays
    from engine.db import make_engine
    from engine.schema import create_schema

    engine = make_engine(ctx.obj["url"])
    try:
        create_schema(engine)
    finally:
        engine.dispose()
    with _session(ctx) as session:  # the holidays the calendar library knows, for the office to see and correct
        holidays.seed_from_library(session)
        session.commit()
    click.echo(f"数据库已初始化：{ctx.obj['url']}")


@main.command()
@click.option("--directory", default="processes", show_default=True, help="Diagrams, forms, roles.json, units.json.")
@click.pass_context
def deploy(ctx: click.Context, directory: str) -> None:
    """Load roles and units, then deploy every diagram of DIRECTORY as a new version if it changed."""
    from engine.definitions import deploy as definitions
    from engine.people import directory as reference
    from engine.errors import DeployError

    with _session(ctx) as session:
        reference.load_roles(session, directory)
        reference.load_units(session, directory)
        try:
            versions = definitions.deploy_directory(session, directory)
        except DeployError as err:
            for problem in err.problems:
                click.echo(f"  ✗ {problem}", err=True)
            raise click.ClickException(err.message) from None
        session.commit()
        for version in versions:
            click.echo(f"{version.process_key}\tv{version.version}\t{version.name}")


@main.command()
@click.option("--directory", default="processes", show_default=True)
@click.pass_context
@click.option("--year/--no-year", "with_year", default=True, show_default=True,
              help="Also run a demonstration year of work, once, into a database with none.")
def demo(ctx: click.Context, directory: str, with_year: bool) -> None:
    """Create the demo units, roles and users (password: xieshang), and a demonstration year."""
    from engine.people import demo as demo_data, demo_year

    with _session(ctx) as session:
        logins = demo_data.load_demo(session, directory)
        session.commit()
    if with_year:
        with _session(ctx) as session:
            if demo_year.load_year(session):
                session.commit()
                click.echo("已生成演示年度的办理记录（提案、季协商座谈会等）。")
    click.echo(f"演示账号（密码均为 {demo_data.DEMO_PASSWORD}）：")
    for username, name in logins:
        click.echo(f"  {username:<14} {name}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the web app with waitress (on 127.0.0.1 unless --host says otherwise)."""
    import waitress

    from web import create_app

    app = create_app(settings=ctx.obj["settings"])
    click.echo(f"http://{host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads)


@main.command()
@click.pass_context
def tick(ctx: click.Context) -> None:
    """Fire due timers and start scheduled instances (run every minute from cron or a timer unit)."""
    from engine.runtime import schedule

    with _session(ctx) as session:
        counts = schedule.tick(session)
        session.commit()
    click.echo(f"已推进 {counts['timers']} 个事项，新发起 {counts['started']} 个事项")
    if "broken" in counts:
        click.echo(f"每日完整性检查：发现 {counts['broken']} 处问题" if counts["broken"] else "每日完整性检查：记录完好",
                   err=bool(counts["broken"]))
    if counts.get("deadlines"):
        click.echo(f"按新的节假日安排重算了 {counts['deadlines']} 个期限")


@main.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Verify every audit chain (each instance's, the account log, the calendar's and the board's); exit 1 naming the
    first broken link of each broken chain."""
    from engine import integrity

    with _session(ctx) as session:
        check = integrity.run(session, "command")
        session.commit()
        if check.ok:
            click.echo(f"记录完好：{check.chains} 条记录链，{check.events} 条记录")
            return
        for finding in check.broken:
            chain = (f"事项 {finding['instance_id']}" if finding["chain"] == "instance"
                     else str(integrity.LOG_NAMES.get(finding["chain"], "其他记录")))
            where = f"第 {finding['event_id']} 条记录" if finding["event_id"] else "末尾"
            click.echo(f"{chain}：{where}，{integrity.REASONS[finding['reason']]}", err=True)
    raise SystemExit(1)


def _files_dir(ctx: click.Context, given: str | None):
    """Where the attachments are: --files-dir, XIESHANG_FILES_DIR, or the web app's default (instance/files)."""
    from pathlib import Path

    from flask import Flask

    if given:
        return Path(given)
    return ctx.obj["settings"].files_dir or Path(Flask("web").instance_path) / "files"


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--files-dir", default=None, help="Attachment store (default: XIESHANG_FILES_DIR or instance/files).")
@click.pass_context
def backup(ctx: click.Context, directory: str, files_dir: str | None) -> None:
    """Write a consistent copy of the database and its attachments into the new DIRECTORY, while the server runs
    (SQLite: the online backup API; PostgreSQL: pg_dump of one exported snapshot)."""
    from engine import backup as backups
    from engine.errors import XieshangError

    try:
        manifest = backups.backup(ctx.obj["url"], _files_dir(ctx, files_dir), directory)
    except XieshangError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"已备份到 {directory}：数据库（{manifest.kind}，版本 {manifest.revision}）和 {len(manifest.files)} 个附件文件")


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--files-dir", default=None, help="Attachment store (default: XIESHANG_FILES_DIR or instance/files).")
@click.pass_context
def restore(ctx: click.Context, directory: str, files_dir: str | None) -> None:
    """Bring the backup in DIRECTORY back into an empty database (a database with tables is refused, untouched) and
    its attachments into the file store; then run `xieshang verify`."""
    from engine import backup as backups
    from engine.errors import XieshangError

    try:
        manifest = backups.restore(ctx.obj["url"], _files_dir(ctx, files_dir), directory)
    except XieshangError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"已从 {directory} 恢复（备份于 {manifest.taken_at}）：数据库和 {len(manifest.files)} 个附件文件。"
               "请运行 xieshang verify 检查记录链。")


@main.group()
def holidays() -> None:
    """节假日安排: each year's holidays and adjusted working weekends."""


@holidays.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def holidays_load(ctx: click.Context, path: str) -> None:
    """Load the years of PATH (.xlsx as exported from 节假日安排, or .json) and recompute open deadlines."""
    from engine.calendar import sheets as holiday_sheets
    from engine.errors import FormInvalid

    with _session(ctx) as session:
        try:
            years = holiday_sheets.load_file(session, path)
        except FormInvalid as invalid:
            for problem in invalid.errors.values():
                click.echo(f"  ✗ {problem}", err=True)
            raise click.ClickException(invalid.message) from None
        session.commit()
    click.echo(f"已录入 {'、'.join(str(y) for y in years)} 年的节假日安排")


@holidays.command("list")
@click.pass_context
def holidays_list(ctx: click.Context) -> None:
    """The entered years, with their source and number of ranges."""
    from engine.calendar import holidays as calendar

    with _session(ctx) as session:
        for entry in calendar.years(session):
            click.echo(f"{entry.year}\t{len(entry.ranges)}\t{entry.source}")
