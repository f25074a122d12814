"""The inbox and case threads in the JSON API, with the pages' access rules, documented in OpenAPI."""

from __future__ import annotations

from sqlalchemy import select

from service_hall.cases.models import Application, NoticeKind
from service_hall.extensions import db
from service_hall.notifications.models import NoticeReceipt
from tests.factories.clock import at
from tests.factories.web import api_token
from tests.notifications.support import act, dispatch, staff_client, submit_case


def test_the_inbox_over_the_api_fills_as_the_case_moves_and_opening_a_notice_delivers_it(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    act(staff_client(app, "clerk1"), case, "accept")
    dispatch(app)
    api = app.test_client()
    mine = api_token(api, "13900000001")
    got = api.get("/api/v1/inbox", headers=mine).get_json()
    titles = [i["title"] for i in got["items"]]
    assert got["unread"] == 3 and titles[-1] == "申请已提交：农村村民宅基地审批"
    assert sorted(titles[:2]) == ["已受理：农村村民宅基地审批", "请评价受理服务：农村村民宅基地审批"]
    notice_item = next(i for i in got["items"] if i["title"].startswith("已受理"))
    assert notice_item["notice_id"] is not None and notice_item["read_at"] is None
    # Nobody else opens it.
    theirs = api_token(api, "clerk1")
    assert api.get(f"/api/v1/inbox/{notice_item['id']}", headers=theirs).status_code == 404
    app.config["FIXED_NOW"] = at("2026-11-24", 9)
    opened = api.get(f"/api/v1/inbox/{notice_item['id']}", headers=mine)
    assert opened.status_code == 200 and opened.get_json()["read_at"] is not None
    with app.app_context():
        receipt = db.session.scalar(select(NoticeReceipt).where(NoticeReceipt.notice_id == notice_item["notice_id"]))
        assert receipt.channel == "inbox" and receipt.opened_at == at("2026-11-24", 9)
    assert api.post("/api/v1/inbox/read-all", headers=mine).get_json() == {"count": 2}
    assert api.get("/api/v1/inbox", headers=mine).get_json()["unread"] == 0
    assert api.get("/api/v1/inbox").status_code == 401


def test_the_case_thread_over_the_api_hides_internal_notes_from_the_applicant(app, client, world):
    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    api = app.test_client()
    mine, clerk = api_token(api, "13900000001"), api_token(api, "clerk1")
    resp = api.post(f"/api/v1/applications/{case.ref}/messages", headers=mine, json={"body": " "})
    assert resp.status_code == 422 and resp.get_json()["errors"]["body"] == "请填写留言内容"
    resp = api.post(f"/api/v1/applications/{case.ref}/messages", headers=mine,
                    json={"body": "四至图需要盖村委会章吗？", "internal": True})
    assert resp.status_code == 201 and resp.get_json()["internal"] is False  # an applicant writes no notes
    staff_url = f"/api/v1/cases/{case.id}/messages"
    assert api.post(staff_url, headers=clerk, json={"body": "需要盖章"}).status_code == 201
    assert api.post(staff_url, headers=clerk, json={"body": "申请人已电话确认", "internal": True}).status_code == 201
    seen = api.get(staff_url, headers=clerk).get_json()
    assert [m["body"] for m in seen["messages"]] == ["四至图需要盖村委会章吗？", "需要盖章", "申请人已电话确认"]
    assert [m["internal"] for m in seen["messages"]] == [False, False, True]
    thread = api.get(f"/api/v1/applications/{case.ref}/messages", headers=mine).get_json()
    assert [m["body"] for m in thread["messages"]] == ["四至图需要盖村委会章吗？", "需要盖章"]
    assert thread["unread"] == 1 and thread["messages"][1]["from_staff"] is True
    assert api.get(f"/api/v1/applications/{case.ref}/messages", headers=mine).get_json()["unread"] == 0
    # Others' cases are not found: another applicant, staff of another town.
    other = api_token(api, "13900000002")
    assert api.get(f"/api/v1/applications/{case.ref}/messages", headers=other).status_code == 404
    foreign = api_token(api, "clerk.baisha")
    assert api.get(staff_url, headers=foreign).status_code == 404
    assert api.post(staff_url, headers=foreign, json={"body": "x"}).status_code == 404
    assert api.get(staff_url, headers=mine).status_code == 403


def test_a_decision_is_opened_over_the_api(app, client, factory, world):
    from tests.notifications.test_electronic_delivery import _decided_case

    case, notice_id, number = _decided_case(app, client, factory, world)
    api = app.test_client()
    resp = api.post(f"/api/v1/applications/{case.ref}/notices/{notice_id}/open",
                    headers=api_token(api, "13900000001"))
    assert resp.status_code == 200
    assert resp.get_json() == {"notice_id": notice_id, "number": number, "kind": "approval",
                               "kind_label": NoticeKind.APPROVAL.label}
    with app.app_context():
        assert db.session.scalar(select(NoticeReceipt.channel).where(NoticeReceipt.notice_id == notice_id)) == "portal"
        assert db.session.get(Application, case.id) is not None


def test_the_openapi_document_lists_the_inbox_and_thread(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/inbox", "/api/v1/inbox/{item_id}", "/api/v1/inbox/read-all",
                 "/api/v1/applications/{ref}/messages", "/api/v1/cases/{case_id}/messages",
                 "/api/v1/applications/{ref}/notices/{notice_id}/open"):
        assert path in paths, path
    assert "post" in paths["/api/v1/cases/{case_id}/messages"]


def test_the_api_shows_a_decision_to_its_applicant_once_opened(app, client, factory, world):
    from tests.notifications.test_electronic_delivery import _decided_case

    case, notice_id, number = _decided_case(app, client, factory, world)
    api = app.test_client()
    mine = api_token(api, "13900000001")
    seen = api.get(f"/api/v1/applications/{case.ref}", headers=mine).get_json()
    assert seen["status"] == "decided" and seen["status_label"] == "已作出决定，待查收"
    assert seen["pending_decisions"] == [{"notice_id": notice_id, "number": number}]
    assert [n["kind"] for n in seen["notices"]] == ["acceptance"] and seen["allowed_actions"] == []
    assert api.get(f"/api/v1/applications/{case.ref}/certificates", headers=mine).get_json() == []
    listed = api.get("/api/v1/applications", headers=mine).get_json()
    assert [a["status"] for a in listed] == ["decided"]
    staff = api.get(f"/api/v1/cases/{case.id}", headers=api_token(api, "clerk1")).get_json()
    assert staff["status"] == "approved" and staff["pending_decisions"] == []  # staff see the decision
    api.post(f"/api/v1/applications/{case.ref}/notices/{notice_id}/open", headers=mine)
    seen = api.get(f"/api/v1/applications/{case.ref}", headers=mine).get_json()
    assert seen["status"] == "approved" and seen["pending_decisions"] == []
    assert [n["kind"] for n in seen["notices"]] == ["acceptance", "approval"]
    assert len(api.get(f"/api/v1/applications/{case.ref}/certificates", headers=mine).get_json()) == 1


def test_thread_attachments_over_the_api_are_checked_like_uploads_and_notes_stay_internal(app, client, world):
    import io

    from service_hall.audit.models import AuditRecord
    from tests.factories.files import PDF

    app.config["FIXED_NOW"] = at("2026-11-23")
    case = submit_case(app, client)
    api = app.test_client()
    mine, staff = api_token(api, "13900000001"), api_token(api, "clerk1")
    mine_url, staff_url = f"/api/v1/applications/{case.ref}/messages", f"/api/v1/cases/{case.id}/messages"

    def send(url, headers, content, name, **form):
        return api.post(url, headers=headers, content_type="multipart/form-data",
                        data={**form, "file": (io.BytesIO(content), name)})

    sent = send(mine_url, mine, PDF, "四至图.pdf", body="补充四至图")
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["has_attachment"] and sent.get_json()["attachment_name"] == "四至图.pdf"
    exe = send(mine_url, mine, b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf", body="安装包")
    assert exe.status_code == 422 and "file" in exe.get_json()["errors"]
    # 30 MB as the raw multipart body (the test client would spool a form this big to an unclosed temp file).
    boundary = "attachment-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n大文件\r\n--{boundary}\r\n'
            f'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            f'Content-Type: application/pdf\r\n\r\n').encode()
    big = api.post(mine_url, headers=mine, content_type=f"multipart/form-data; boundary={boundary}",
                   data=head + PDF + b"0" * (30 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode())
    assert big.status_code == 413 and "过大" in big.get_data(as_text=True)
    # Staff write a message and an internal note, with an attachment.
    assert send(staff_url, staff, PDF, "说明.pdf", body="请看说明").status_code == 201
    assert send(staff_url, staff, PDF, "内部.pdf", body="内部意见", internal="true").status_code == 201
    assert api.post(staff_url, headers=staff, json={"body": "内部备注二", "internal": True}).status_code == 201
    # The applicant cannot write an internal note: it is an ordinary message.
    assert not api.post(mine_url, headers=mine, json={"body": "我也要内部", "internal": True}).get_json()["internal"]
    theirs = api.get(mine_url, headers=mine).get_json()["messages"]
    assert [m["body"] for m in theirs] == ["补充四至图", "请看说明", "我也要内部"]
    all_staff = api.get(staff_url, headers=staff).get_json()["messages"]
    note = next(m for m in all_staff if m["body"] == "内部意见")
    assert note["internal"] and note["has_attachment"]
    # Attachments download through the API; an internal note's attachment is not the applicant's.
    first = theirs[0]["id"]
    got = api.get(f"{mine_url}/{first}/file", headers=mine)
    assert got.status_code == 200 and got.data == PDF
    assert api.get(f"{mine_url}/{note['id']}/file", headers=mine).status_code == 404
    assert api.get(f"{staff_url}/{note['id']}/file", headers=staff).data == PDF
    # The HTML thread does not show internal notes to the applicant either.
    page = client.get(f"/portal/applications/{case.ref}").get_data(as_text=True)
    assert "请看说明" in page and "内部意见" not in page and "内部备注二" not in page
    with app.app_context():
        posted = list(db.session.scalars(select(AuditRecord.payload).where(AuditRecord.action == "message.post")))
        assert len(posted) == 5 and sum(1 for p in posted if p["file"]) == 3
    spec = api.get("/api/openapi.json").get_json()
    content = spec["paths"]["/api/v1/applications/{ref}/messages"]["post"]["requestBody"]["content"]
    assert "file" in content["multipart/form-data"]["schema"]["properties"]
    assert "/api/v1/applications/{ref}/messages/{message_id}/file" in spec["paths"]
