"""The hall's API beyond applying: tracking (no sign-in), results, rating, licence download,
supplementary upload, notifications; the staff API (inbox, claim, complete) with MFA and CSRF."""

import base64

from django.test import Client

from egov.services.actions import processing
from egov.services.models import ApplicationStatus as S
from egov.services.tests.factories import PDF, submit

BASE = "/api/v1/services"


def test_track_without_sign_in_and_one_answer_for_wrong_code_and_unknown_number(client, hall):
    case = submit(hall.casework.item, hall.citizen)
    ok = client.get(f"{BASE}/track/{case.number}", {"code": case.query_code})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "submitted" and body["organization"] == hall.casework.bureau.name
    assert set(body) == {"number", "item", "item_en", "organization", "organization_en", "status", "status_label",
                         "submitted_at", "accepted_on", "due_date", "decided_at", "concluded_at", "ended_at", "steps"}
    assert body["organization_en"] == hall.casework.bureau.name_en
    wrong = client.get(f"{BASE}/track/{case.number}", {"code": "AAAA-AAAA"})
    unknown = client.get(f"{BASE}/track/320200001-20260928-0000017", {"code": case.query_code})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_the_applicant_downloads_the_licence_rates_and_reads_notifications(client, hall):
    case = hall.concluded()
    client.force_login(hall.citizen)
    mine = client.get(f"{BASE}/applications/{case.number}").json()
    assert mine["licence"]["number"] == case.licence.number and mine["query_code"] == case.query_code
    pdf = client.get(f"{BASE}/applications/{case.number}/licence")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    rated = client.post(f"{BASE}/applications/{case.number}/rating", {"level": 2, "comment": "等太久"},
                        content_type="application/json")
    assert rated.status_code == 201 and rated.json()["rectify_by"]
    again = client.post(f"{BASE}/applications/{case.number}/rating", {"level": 5}, content_type="application/json")
    assert again.status_code == 409 and again.json()["extra"]["rule"] == "rated"
    notes = client.get(f"{BASE}/notifications").json()
    assert notes["count"] == 6 and not any(n["read"] for n in notes["items"])  # submit … conclude
    assert client.post(f"{BASE}/notifications/read").json() == {"marked": 6}
    stats = Client().get(f"{BASE}/ratings/stats", {"by": "item"}).json()
    assert stats[0]["levels"]["2"] == 1 and stats[0]["negative"] == 1
    results = Client().get(f"{BASE}/results", {"organization": hall.casework.bureau.pk}).json()
    assert results["count"] == 1 and results["items"][0]["applicant"] == "张**"


def test_someone_elses_licence_is_not_found(client, hall):
    case = hall.concluded()
    client.force_login(hall.casework.stranger)
    assert client.get(f"{BASE}/applications/{case.number}/licence").status_code == 404


def test_upload_the_supplementary_materials(client, hall):
    case = submit(hall.casework.item, hall.citizen)
    processing.application_receive(actor=hall.casework.staff["clerk"], application=case)
    material = hall.casework.item.materials.get(required=True)
    processing.application_supplement_request(actor=hall.casework.staff["clerk"], application=case,
                                              materials=[material], note="缺签字")
    client.force_login(hall.citizen)
    bad = client.post(f"{BASE}/applications/{case.number}/materials", {"materials": {str(material.pk): "!!"}},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["extra"]["rule"] == "base64"
    ok = client.post(f"{BASE}/applications/{case.number}/materials",
                     {"materials": {str(material.pk): base64.b64encode(PDF).decode()}}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == S.SUPPLIED


def _staff_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/staff/")  # sets the CSRF cookie
    return client


def test_staff_inbox_claim_and_complete_through_the_case_actions(hall):
    case = submit(hall.casework.item, hall.citizen)
    clerk = _staff_client(hall.casework.staff["clerk"])
    tasks = clerk.get("/api/v1/staff/tasks").json()
    assert [(t["step"], t["case"]) for t in tasks] == [("receive", case.number)]
    task_id = tasks[0]["id"]
    no_csrf = clerk.post(f"/api/v1/staff/tasks/{task_id}/claim")
    assert no_csrf.status_code == 403
    token = clerk.cookies["csrftoken"].value
    claimed = clerk.post(f"/api/v1/staff/tasks/{task_id}/claim", headers={"X-CSRFToken": token})
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    done = clerk.post(f"/api/v1/staff/tasks/{task_id}/complete", {"data": {}}, content_type="application/json",
                      headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    accept = clerk.get("/api/v1/staff/tasks").json()[0]
    wrong = clerk.post(f"/api/v1/staff/tasks/{accept['id']}/complete", {"data": {"accept_decision": "maybe"}},
                       content_type="application/json", headers={"X-CSRFToken": token})
    assert wrong.status_code == 400 and wrong.json()["extra"]["field"] == "data.accept_decision"
    ok = clerk.post(f"/api/v1/staff/tasks/{accept['id']}/complete", {"data": {"accept_decision": "accept"}},
                    content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.process.due_date is not None


def test_staff_api_refuses_citizens_anonymous_users_and_sessions_without_mfa(client, hall):
    assert client.get("/api/v1/staff/tasks").status_code == 401
    client.force_login(hall.citizen)
    assert client.get("/api/v1/staff/tasks").status_code == 401
    approver = hall.casework.staff["approver"]  # Role.APPROVER needs a second factor
    staff = Client()
    staff.post("/staff/login/", {"username": approver.username, "password": "casework-test-2026"})
    response = staff.get("/api/v1/staff/tasks")
    assert response.status_code == 401 and set(response.json()) == {"message", "extra"}


def test_the_generic_api_asks_for_a_supplement_through_the_case_action(hall):
    """The answer's material ids are looked up as the case page's form would (materials of the
    item); an unknown one is refused and nothing moves."""
    casework = hall.casework
    case = submit(casework.item, hall.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=case)
    clerk = _staff_client(casework.staff["clerk"])
    accept = clerk.get("/api/v1/staff/tasks").json()[0]
    assert (accept["step"], accept["subject"], accept["title"]) == ("accept", "case", casework.item.name)
    material = casework.item.materials.order_by("pk").first()

    def complete(client, task_id, data):
        return client.post(f"/api/v1/staff/tasks/{task_id}/complete", {"data": data},
                           content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value})

    unknown = complete(clerk, accept["id"], {"accept_decision": "supplement", "materials": [material.pk, 999999],
                                             "opinion": "复印件不清晰"})
    assert unknown.status_code == 400 and unknown.json()["extra"] == {"field": "data.materials", "rule": "choice"}
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    asked = complete(clerk, accept["id"], {"accept_decision": "supplement", "materials": [material.pk],
                                           "opinion": "复印件不清晰"})
    assert asked.status_code == 200
    case.refresh_from_db()
    assert case.status == S.SUPPLEMENT
    assert (list(case.supplement_request.materials.all()), case.supplement_request.note) == ([material], "复印件不清晰")


def test_a_case_waiting_for_the_applicants_supplement_is_not_claimable_and_reads_待补正(hall, client):
    """Found by a tester: a case at 补正 sat in the clerk's 待办 as 暂停计时 and could be claimed through
    the API. It waits for the applicant: no claim (409, nothing moves), and the inbox says so."""
    from django.utils import translation

    from egov.workflow.models import WorkTask

    casework = hall.casework
    case = submit(casework.item, hall.citizen)
    processing.application_receive(actor=casework.staff["clerk"], application=case)
    processing.application_supplement_request(actor=casework.staff["clerk"], application=case, note="缺少身份证明。",
                                              materials=list(casework.item.materials.order_by("pk")[:1]))
    task = WorkTask.objects.get(instance=case.process, bpmn_id="supplement")
    clerk = _staff_client(casework.staff["clerk"])
    token = clerk.cookies["csrftoken"].value
    response = clerk.post(f"/api/v1/staff/tasks/{task.pk}/claim", headers={"X-CSRFToken": token})
    assert response.status_code == 409 and response.json()["extra"] == {"step": "supplement", "rule": "waiting"}
    task.refresh_from_db()
    assert task.status == WorkTask.Status.OPEN and task.claimed_by is None
    with translation.override("zh-hans"):
        html = clerk.get("/staff/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    at = html.index(case.number)
    row = html[html.rindex("<tr", 0, at):html.index("</tr>", at)]
    assert "待补正" in row and "暂停计时" not in row
