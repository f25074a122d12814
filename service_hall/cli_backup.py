"""``flask --app wsgi backup create|restore DIR`` (see service_hall/backup.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from service_hall.backup import BackupError, Deployment, check_backup, create_backup, restore_backup
from service_hall.core.base import utcnow
from service_hall.extensions import current_session, db

backup_cli = AppGroup("backup", help="备份与恢复")


def _deployment() -> Deployment:
    config = current_app.config
    return Deployment(database_url=config["SQLALCHEMY_DATABASE_URI"], file_store=Path(config["FILE_STORE_PATH"]),
                      signing_dir=Path(config["SIGNING_KEY_PATH"]),
                      audit_key_file=Path(current_app.instance_path) / "audit_key",
                      checkpoint_dir=Path(config["AUDIT_CHECKPOINT_PATH"]),
                      file_store_kind=str(config.get("FILE_STORE") or "local"))


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def create(directory: Path) -> None:
    """备份数据库、文件存储、签章密钥、审计密钥与检查点到 DIRECTORY（须为空目录）"""
    from service_hall.audit.trail import write_checkpoint

    try:
        write_checkpoint(current_session(), current_app.config["AUDIT_CHECKPOINT_PATH"], now=utcnow())
        manifest = create_backup(_deployment(), directory, audit_key=current_app.config["AUDIT_KEY"], now=utcnow())
    except (BackupError, OSError) as exc:
        click.echo(f"备份失败：{exc}", err=True)
        sys.exit(1)
    click.echo(f"备份完成：{directory}（{len(manifest['files'])} 个文件，清单 manifest.json 含各文件 SHA-256）")


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--check-only", is_flag=True, help="只核对备份清单，不恢复")
def restore(directory: Path, check_only: bool) -> None:
    """把 DIRECTORY 中的备份恢复到本部署（仅限空的新部署），恢复后请重启应用"""
    from service_hall.audit.trail import use_key

    try:
        if check_only:
            check_backup(directory)
            click.echo("备份完整：清单中的文件均存在且未被改动")
            return
        deployment = _deployment()
        restore_backup(directory, deployment, db.engine)
    except (BackupError, OSError) as exc:
        click.echo(f"恢复失败：{exc}", err=True)
        sys.exit(1)
    key = deployment.audit_key_file.read_text().strip()
    current_app.config["AUDIT_KEY"] = key
    use_key(key)
    note = "（环境变量 AUDIT_KEY 已设置：请改为备份中的审计密钥）" if os.environ.get("AUDIT_KEY") else ""
    click.echo(f"恢复完成{note}。请运行 flask --app wsgi audit verify 核对审计日志，然后重启应用。")
