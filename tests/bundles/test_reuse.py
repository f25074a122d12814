"""免提交: a certificate this system issued, or a material an earlier case accepted, offered where a form
asks for that kind of material, verified live, reused only with the applicant."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from service_hall.bundles import flow, reuse, versions
from service_hall.calendar.working_days import WorkingCalendar
from service_hall.certificates.issuing import certificates_of
from service_hall.certificates.models import Certificate
from service_hall.core.errors import PermissionDenied, ValidationFailed
from service_hall.extensions import db
from tests.factories import cases as steps
from tests.factories.accounts import user
from tests.factories.bundles import RURAL_MATERIALS, demo_world, rural_housing, rural_values
from tests.factories.clock import NOW
from tests.factories.context import ctx_for
from tests.factories.files import upload
from tests.factories.places import COUNTY, QINGSHAN, jurisdiction

APPLICANT = "13800000001"
EARLIER = NOW + dt.timedelta(hours=1)
LATER = NOW + dt.timedelta(days=7)


def _issue_earlier_certificate(app):
    """The applicant's 农村宅基地批准书, issued by this system on an earlier 农村建房 application; its id."""
    demo_world(app)
    with app.app_context():
        draft = versions.save_draft(db.session, jurisdiction(COUNTY), rural_housing(), actor=user("legal"), now=NOW)
        versions.publish(db.session, draft, actor=user("legal2"), now=NOW)
        old, _ = flow.submit(_ctx(APPLICANT, EARLIER), applicant=user(APPLICANT), town=jurisdiction(QINGSHAN),
                             bundle_code="rural-housing", values=rural_values(), materials=_files(EARLIER),
                             submission_key="earlier")
        homestead = old.cases[0]
        steps.accept(homestead, by="clerk", now=EARLIER)
        steps.record_opinion(homestead, by="reviewer", now=EARLIER)
        steps.record_opinion(homestead, by="reviewer2", now=EARLIER)
        steps.complete_review(homestead, by="reviewer", now=EARLIER)
        steps.approve(homestead, by="decider", now=EARLIER)
        [certificate] = certificates_of(db.session, homestead)
        db.session.commit()
        return certificate.id


@pytest.fixture
def earlier_certificate(app):
    """The earlier certificate, for domain tests (inside an app context)."""
    certificate_id = _issue_earlier_certificate(app)
    with app.app_context():
        yield db.session.get(Certificate, certificate_id)


@pytest.fixture
def earlier_issued(app):
    """The earlier certificate's id and number, for tests through HTTP: each request has its own app
    context, as in a running server (an outer one would share ``g`` between requests)."""
    certificate_id = _issue_earlier_certificate(app)
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        return SimpleNamespace(id=certificate.id, number=certificate.number)


def _ctx(who, now=LATER):
    return ctx_for(user(who), now, calendar=WorkingCalendar())


def _files(now, codes=RURAL_MATERIALS):
    owner = user(APPLICANT)
    return {code: upload(owner, now=now, filename=f"{code}.pdf", material_name=code,
                         content=b"%PDF-1.4\n" + code.encode() + b"\n%%EOF\n") for code in codes}


def _offers():
    bundle = versions.bundle_in_force(db.session, jurisdiction(COUNTY), "rural-housing", LATER)
    return reuse.offers(db.session, user(APPLICANT), versions.composition(db.session, bundle, LATER), LATER)


def test_an_issued_certificate_is_offered_reused_and_shown_to_the_clerk_verified_live(earlier_certificate):
    offers = _offers()
    [offer] = [o for o in offers["S-land_title"] if o.ref.startswith("cert:")]
    assert offer.label == f"复用：电子证照 农村宅基地批准书 编号{earlier_certificate.number}（有效，长期有效）"
    # The identity card the earlier application had accepted is offered too.
    assert any(o.ref.startswith("mat:") and "已受理的材料" in o.label for o in offers["S-id_card"])
    file = reuse.reuse(_ctx(APPLICANT), applicant=user(APPLICANT), ref=offer.ref,
                       material_name="土地权属证明或用地批准文件")
    materials = _files(LATER, [c for c in RURAL_MATERIALS if c != "S-land_title"]) | {"S-land_title": file}
    bundle_case, _ = flow.submit(_ctx(APPLICANT), applicant=user(APPLICANT), town=jurisdiction(QINGSHAN),
                                 bundle_code="rural-housing", values=rural_values(), materials=materials,
                                 submission_key="now")
    homestead, planning = bundle_case.cases
    reused = next(m for m in planning.materials if m.material_code == "M03")
    assert reused.file_id == file.id == next(m for m in homestead.materials if m.material_code == "M05").file_id
    notes = reuse.reuse_notes(db.session, [reused.file_id], LATER)
    assert notes[reused.file_id] == f"复用：电子证照 农村宅基地批准书 编号{earlier_certificate.number} 有效"
    # Verified live: once revoked, the clerk reads it at once, and it is no longer offered.
    steps.revoke(earlier_certificate.application, by="decider", now=LATER, reason="以欺骗手段取得")
    assert reuse.reuse_notes(db.session, [reused.file_id], LATER)[reused.file_id].endswith("已撤销")
    assert all(o.ref != offer.ref for o in _offers().get("S-land_title", []))


def test_a_revoked_or_expired_certificate_is_refused(earlier_certificate):
    ref = f"cert:{earlier_certificate.id}"
    steps.revoke(earlier_certificate.application, by="decider", now=LATER, reason="以欺骗手段取得")
    with pytest.raises(ValidationFailed, match=f"电子证照 {earlier_certificate.number} 已撤销，不能复用"):
        reuse.reuse(_ctx(APPLICANT), applicant=user(APPLICANT), ref=ref, material_name="土地权属证明")


def test_staff_reuse_an_applicants_certificate_only_with_their_signed_consent(earlier_certificate):
    ref = f"cert:{earlier_certificate.id}"
    with pytest.raises(PermissionDenied, match="须申请人本人同意"):
        reuse.reuse(_ctx("clerk"), applicant=user(APPLICANT), ref=ref, material_name="土地权属证明")
    file = reuse.reuse(_ctx("clerk"), applicant=user(APPLICANT), ref=ref, material_name="土地权属证明",
                       consent_signed=True)
    assert file.owner_id == user(APPLICANT).id
    # Someone else's certificate is not found, whoever asks.
    from service_hall.core.errors import NotFound

    with pytest.raises(NotFound):
        reuse.reuse(_ctx("13800000002"), applicant=user("13800000002"), ref=ref, material_name="土地权属证明")


def test_the_applicant_reuses_the_certificate_on_the_page_and_the_clerk_sees_it_verified(app, earlier_issued):
    import re

    from service_hall.bundles.models import BundleCase
    from tests.factories.bundles import rural_form
    from tests.factories.web import KEY_RE, csrf_token, login

    page = f"/portal/bundles/apply/{QINGSHAN}/rural-housing"
    applicant = app.test_client()
    login(applicant, APPLICANT)
    body = applicant.get(page).get_data(as_text=True)
    label = f"复用：电子证照 农村宅基地批准书 编号{earlier_issued.number}（有效，长期有效）"
    assert label in body
    data = rural_form(csrf_token(applicant, page), KEY_RE.search(body).group(1), skip=("S-land_title",))
    data["offer-S-land_title"] = f"cert:{earlier_issued.id}"
    resp = applicant.post(page, data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    mine = applicant.get(resp.headers["Location"]).get_data(as_text=True)
    assert "免提交：复用的证照和材料" in mine and f"编号{earlier_issued.number} 有效" in mine
    with app.app_context():
        newest = db.session.query(BundleCase).filter_by(submission_key=data["submission_key"]).one()
        clerk = app.test_client()
        login(clerk, "clerk")
        staff = clerk.get(f"/workbench/bundles/{newest.id}").get_data(as_text=True)
    assert re.search(rf"复用：电子证照 农村宅基地批准书 编号{earlier_issued.number} 有效", staff)


def test_at_the_window_the_clerk_reuses_the_certificate_only_with_the_signed_consent(app, earlier_issued):
    from service_hall.bundles.models import BundleCase
    from tests.factories.bundles import rural_form
    from tests.factories.web import KEY_RE, csrf_token, login, post_form

    clerk = app.test_client()
    login(clerk, "clerk")
    start = post_form(clerk, "/workbench/bundles/", {"mobile": APPLICANT, "town_code": QINGSHAN,
                                                     "code": "rural-housing"}, action="/workbench/bundles/file")
    assert start.status_code == 302
    page = start.headers["Location"]
    body = clerk.get(page).get_data(as_text=True)
    assert "代办申请人：李堃" in body and f"编号{earlier_issued.number}（有效" in body
    data = rural_form(csrf_token(clerk, page), KEY_RE.search(body).group(1), skip=("S-land_title",))
    data["offer-S-land_title"] = f"cert:{earlier_issued.id}"
    refused = clerk.post(page, data=dict(data), content_type="multipart/form-data")
    assert refused.status_code == 422 and "须申请人本人同意" in refused.get_data(as_text=True)
    data = rural_form(csrf_token(clerk, page), KEY_RE.search(body).group(1), skip=("S-land_title",))
    data.update({"offer-S-land_title": f"cert:{earlier_issued.id}", "consent_signed": "1"})
    filed = clerk.post(page, data=data, content_type="multipart/form-data")
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    with app.app_context():
        bundle_case = db.session.query(BundleCase).filter_by(submission_key=data["submission_key"]).one()
        assert bundle_case.filed_by_id == user("clerk").id and bundle_case.applicant.mobile == APPLICANT
        assert all(c.filed_by_id == user("clerk").id for c in bundle_case.cases)
