"""From acceptance to the certificate: a reviewer's opinion, the decider's approval, delivery, the applicant
downloading the signed e-certificate, and a stranger scanning its QR code to verify it without signing in.

Written against the pages as they are being built; each test is skipped (with the reason) while a page it
needs does not exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import fact, fill_homestead_form, flash, submit_and_wait
from tests.browser.support import describe, new_context, run_axe, serious
from tests.factories.places import QINGSHAN
from tests.factories.power_list import ITEM

DECISION_PAGES = ("workbench.accept", "workbench.opinion", "workbench.complete_review", "workbench.approve",
                  "workbench.deliver")
CERTIFICATE_PAGES = ("documents.applicant_certificate", "verify.by_token")


def _needs(live: Any, endpoints: tuple[str, ...]) -> None:
    missing = [e for e in endpoints if not live.has_endpoint(e)]
    assert not missing, f"pages missing: {', '.join(missing)}"


@dataclass(frozen=True)
class Approved:
    mobile: str
    name: str
    id_number: str
    ref: str
    case_number: str
    case_id: int


@pytest.fixture(scope="module")
def approved(live: Any, browser: Any, storage_state: Callable[[str], Any]) -> Iterator[Approved]:
    """The journey: an application filed online and taken through review, approval and delivery by the
    town's staff, each in their own browser. Run once for the tests below."""
    _needs(live, DECISION_PAGES)
    contexts: list[Any] = []
    blocked: list[str] = []

    def open_as(username: str, at: str) -> Page:
        contexts.append(new_context(browser, live.server, blocked=blocked, storage_state=storage_state(username)))
        page = contexts[-1].new_page()
        page.goto(at)
        return page

    try:
        live.set_now("2026-11-23")
        person = live.make_applicant(name="孙龑")
        applicant = open_as(person["mobile"], f"/portal/apply/{QINGSHAN}/{ITEM}")
        fill_homestead_form(applicant, name="孙龑", id_number=person["id_number"], mobile=person["mobile"])
        submit_and_wait(applicant, "提交申请")
        case_number = fact(applicant, "办件编号").inner_text().strip()
        ref = applicant.url.rstrip("/").rsplit("/", 1)[-1]

        def open_case(username: str) -> Page:
            page = open_as(username, "/workbench/")
            page.get_by_role("link", name=case_number).click()
            return page

        clerk = open_case("clerk")
        case_id = int(clerk.url.rstrip("/").rsplit("/", 1)[-1])
        submit_and_wait(clerk, "受理")
        expect(fact(clerk, "状态")).to_contain_text("已受理")

        live.set_now("2026-11-25")
        reviewer = open_case("reviewer")
        reviewer.get_by_label("审查意见", exact=True).fill("材料齐全，经实地踏勘，选址符合村庄规划")
        reviewer.get_by_label("建议准予许可").check()
        submit_and_wait(reviewer, "提交审查意见")
        expect(reviewer.locator("ol.reviews")).to_contain_text("建议准予许可")
        submit_and_wait(reviewer, "审查完毕")
        expect(fact(reviewer, "状态")).to_contain_text("审查完毕")

        live.set_now("2026-11-26")
        decider = open_case("decider")
        submit_and_wait(decider, "准予许可")
        expect(flash(decider)).to_be_visible()
        expect(fact(decider, "状态")).to_contain_text("准予许可")
        # 电子送达: the applicant opens the decision; only then is it delivered and shown.
        applicant.reload()
        expect(fact(applicant, "当前状态")).to_contain_text("已作出决定，待查收")
        applicant.get_by_role("region", name="您有一份决定文书待查收").get_by_role("button", name="查收文书").click()
        expect(fact(applicant, "当前状态")).to_contain_text("准予许可")
        submit_and_wait(decider, "记录送达")
        expect(fact(decider, "状态")).to_contain_text("已办结送达")
        assert not blocked, blocked
    finally:
        for context in contexts:
            context.close()
        live.app.config.pop("FIXED_NOW", None)
    yield Approved(person["mobile"], "孙龑", person["id_number"], ref, case_number, case_id)


def test_review_approval_and_delivery_through_the_pages(approved, signed_in):
    applicant = signed_in(approved.mobile, at=f"/portal/applications/{approved.ref}")
    expect(fact(applicant, "当前状态")).to_contain_text("已办结送达")
    expect(applicant.locator(".badge")).to_have_count(0)  # no clock runs any more
    notices = applicant.get_by_role("listitem")
    expect(notices.filter(has_text="受理通知书")).to_have_count(1)
    expect(notices.filter(has_text=re.compile("准予(行政)?许可决定书"))).to_have_count(1)
    violations = serious(run_axe(applicant))  # the page with the decision, notices and certificates
    assert not violations, describe(violations)


def test_the_clerk_reads_the_answers_under_the_forms_labels(approved, signed_in):
    """Regression: the case page listed the stored data raw (applicant_name, {'village': …})."""
    clerk = signed_in("clerk", at=f"/workbench/cases/{approved.case_id}")
    answers = clerk.locator("h2:text-is('申请信息') + dl").inner_text()  # no waiting: the page is loaded
    assert "申请人姓名" in answers and "青山村3组12号" in answers, answers
    assert "applicant_name" not in answers and "{'" not in answers, answers


def _qr_url(pdf: bytes, tmp_path: Path) -> str:
    """The URL in the certificate's QR code, read from the rendered first page as a phone camera would."""
    from PIL import Image
    from pyzbar.pyzbar import decode

    (tmp_path / "cert.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", str(tmp_path / "cert.pdf"),
                    str(tmp_path / "page")], check=True)
    with Image.open(tmp_path / "page.png") as image:
        codes = decode(image)
    assert codes, "no QR code found on the certificate"
    return codes[0].data.decode()


def test_signed_certificate_download_and_public_verification_by_qr_code(request, live, make_context, signed_in,
                                                                        tmp_path):
    _needs(live, DECISION_PAGES + CERTIFICATE_PAGES)
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to read the QR code: "
                    "`WITH_BROWSER=1 sh scripts/system-deps.sh` installs it")
    approved: Approved = request.getfixturevalue("approved")
    applicant = signed_in(approved.mobile, at=f"/portal/applications/{approved.ref}")
    certificates = applicant.get_by_role("region", name="电子证照")
    expect(certificates).to_contain_text("农村宅基地批准书")
    number = re.search(r"编号 (\S+?)，", certificates.inner_text()).group(1)
    with applicant.expect_download() as got:
        certificates.get_by_role("link", name=re.compile("^下载")).first.click()
    pdf = got.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf, "the certificate is not a signed PDF"

    url = _qr_url(pdf, tmp_path)
    assert live.server.is_local(url), f"the QR code points elsewhere: {url}"
    stranger = make_context().new_page()  # no account, no cookies
    stranger.goto(url)
    expect(stranger.get_by_role("status")).to_have_text("核验结果：有效")
    row = stranger.get_by_role("row")
    expect(row.filter(has_text="持证人")).to_contain_text("孙龑")
    expect(row.filter(has_text="许可事项")).to_contain_text("农村村民宅基地审批")
    expect(row.filter(has_text="证照编号")).to_contain_text(number)
    holder_id = row.filter(has_text="公民身份号码")
    expect(holder_id).not_to_contain_text(approved.id_number)  # masked on the public page
    expect(holder_id).to_contain_text(approved.id_number[:4])
    violations = serious(run_axe(stranger))
    assert not violations, describe(violations)
