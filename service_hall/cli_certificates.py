"""``flask --app wsgi certificates …``: the deployment's signing key, and offline checks of PDF files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from service_hall.cases.clock import local_date
from service_hall.certificates import settings as document_settings
from service_hall.certificates.settings import DocumentSettings
from service_hall.core.base import utcnow
from service_hall.extensions import current_session, db

certificates_cli = AppGroup("certificates", help="电子证照")

DEFAULT_ORGANISATION = "乡镇便民服务中心"


def ensure_signing_identity() -> DocumentSettings:
    """Create the deployment's signing identity (files 0600) if there is none, in the name of the first
    county in the database. Called by ``demo load`` and ``certificates init-key``."""
    from service_hall.jurisdictions.models import Jurisdiction, JurisdictionLevel

    settings = document_settings.current()
    county = db.session.scalar(select(Jurisdiction).where(Jurisdiction.level == JurisdictionLevel.COUNTY)
                               .order_by(Jurisdiction.code))
    settings.identity(f"{county.name}人民政府" if county else DEFAULT_ORGANISATION)
    return settings


@certificates_cli.command("init-key")
def init_key() -> None:
    """生成本部署的电子签章密钥与根证书（已存在时不覆盖）"""
    settings = ensure_signing_identity()
    identity = settings.identity(DEFAULT_ORGANISATION)
    click.echo(f"签章密钥：{settings.signing_dir}（{identity.organisation_name}）")


@certificates_cli.command("verify")
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--offline", is_flag=True, help="只校验电子签名，不查询数据库中的证照状态")
def verify(pdf_file: Path, offline: bool) -> None:
    """校验电子证照 PDF：签名是否完好、是否由本系统签发，以及证照当前状态；有效时退出码为 0"""
    from service_hall.certificates.verification import check_file
    from service_hall.documents.errors import DocumentError

    settings = document_settings.current()
    try:
        root = settings.root_cert_pem()
    except DocumentError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    session = None if offline else current_session()
    try:
        result = check_file(pdf_file.read_bytes(), root, session=session, today=local_date(utcnow()))
    except SQLAlchemyError as exc:
        click.echo(f"错误：无法查询证照状态（{type(exc).__name__}），可加 --offline 只校验签名", err=True)
        sys.exit(2)
    if result.report.signer:
        click.echo(f"签章：{result.report.signer}，签署时间 {result.report.signed_at}")
    if result.valid:
        click.echo(result.message)
        return
    click.echo(result.message, err=True)
    sys.exit(1)
