"""The demo city, and the issue's "done when": `egov audit verify` exits 0 on the demo database and 1
after one audit row is edited with SQL."""

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from egov.accounts.models import NaturalPerson, User
from egov.audit.models import AuditEvent
from egov.audit.selectors import audit_chain_verify
from egov.audit.tests.test_actions import tamper
from egov.demo import DEMO_CITY, DEMO_STAFF, demo_hall_staff, demo_load
from egov.orgs.models import Organization
from egov.orgs.roles import Role
from egov.orgs.selectors import memberships_of

# Wuxi's districts and county-level cities with their GB/T 2260 codes of 2024.
WUXI_2024 = {"320205": "锡山区", "320206": "惠山区", "320211": "滨湖区", "320213": "梁溪区", "320214": "新吴区",
             "320281": "江阴市", "320282": "宜兴市"}


@pytest.mark.django_db
def test_demo_city():
    demo_load()
    (root,) = Organization.objects.filter(parent__isnull=True)
    assert (root.name, root.division.code, root.doc_code) == ("无锡市人民政府", "320200", "锡政发")
    departments = Organization.objects.filter(kind="department", parent=root)
    assert departments.count() >= 15
    names = set(departments.values_list("name", flat=True))
    assert {"无锡市公安局", "无锡市教育局", "无锡市财政局", "无锡市民政局", "无锡市审计局"} <= names
    districts = Organization.objects.filter(kind="district", parent=root).select_related("division")
    assert {d.division.code: d.division.name for d in districts} == WUXI_2024
    assert all(d.division.in_use for d in districts)
    assert all(o.doc_code and o.uscc for o in Organization.objects.all())


@pytest.mark.django_db
def test_every_demo_organization_has_its_creation_event():
    demo_load()
    created = AuditEvent.objects.filter(action="orgs.organization.create")
    by_object = {}
    for event in created:
        by_object.setdefault(event.object_id, []).append(event)
    assert sorted(by_object) == sorted(str(pk) for pk in Organization.objects.values_list("pk", flat=True))
    assert all(len(events) == 1 and events[0].actor_id is None for events in by_object.values())
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_demo_load_twice_changes_nothing():
    first = demo_load()
    counts = (Organization.objects.count(), User.objects.count(), AuditEvent.objects.count())
    second = demo_load()
    assert (Organization.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    assert second.rows == first.rows


@pytest.mark.django_db
def test_demo_people():
    demo_load()
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.name == "审查员王\U00020bb7"
    (membership,) = memberships_of(user=reviewer)
    assert membership.organization.name == "无锡市行政审批局"
    assert [r.role for r in membership.roles.all()] == ["reviewer"]
    citizen = NaturalPerson.objects.get()
    assert (citizen.id_number, citizen.division_code, citizen.name) == ("320213199003074514", "320213",
                                                                         "张\U00020bb7明")
    assert citizen.agencies.get().legal_person.uscc == "91320213MA1X2Y3W4U"


@pytest.mark.django_db
def test_demo_registers_match_the_demo_accounts():
    from egov.accounts.models import LegalPerson
    from egov.registries.models import LegalEntityRecord, PopulationRecord

    demo_load()
    citizen = NaturalPerson.objects.get()
    person = PopulationRecord.objects.get(id_number=citizen.id_number)
    # 320213199003074514: born 1990-03-07, 17th digit 1 (odd): a man.
    assert (person.name, person.sex, str(person.birth_date)) == (citizen.name, "M", "1990-03-07")
    enterprise = LegalPerson.objects.get()
    entity = LegalEntityRecord.objects.get(uscc=enterprise.uscc)
    assert (entity.name, entity.legal_representative) == (enterprise.name, enterprise.legal_representative)
    # 32020220160301003X carries 320202 崇安区, abolished in 2015, before the 2016 birth date.
    assert PopulationRecord.objects.get(id_number="32020220160301003X").review_reason == (
        "division_abolished_before_birth")


@pytest.mark.django_db
def test_audit_verify_on_the_demo_database():
    demo_load()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("audit chain intact: ")
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", ["created nothing", 3])
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify", stdout=out)
    assert exit_.value.code == 1
    assert out.getvalue().splitlines()[-1].startswith("audit chain broken at event seq=3 ")


def test_done_when_with_the_egov_command(tmp_path):
    """The issue's acceptance check, as an operator runs it: on the embedded (SQLite) demo database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "EGOV_SITE"}}
    env.update({"EGOV_ENV": "demo", "EGOV_VAR_DIR": str(tmp_path), "LOG_LEVEL": "ERROR"})

    def egov(*args):
        return subprocess.run([sys.executable, "-m", "egov.cli", *args], env=env, capture_output=True, text=True,
                              timeout=300)

    prepared = egov("demo", "--prepare-only")
    assert prepared.returncode == 0, prepared.stderr
    intact = egov("audit", "verify")
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("audit chain intact: ")
    with sqlite3.connect(tmp_path / "egov.sqlite3") as db:
        db.execute("UPDATE audit_auditevent SET summary = 'nothing to see' WHERE seq = 7")
    broken = egov("audit", "verify")
    assert broken.returncode == 1
    assert broken.stdout.startswith("audit chain broken at event seq=7 ") and "hash mismatch" in broken.stdout


@pytest.mark.django_db
def test_every_item_owner_has_intake_review_and_approval_staff():
    """Found by a tester: only 行政审批局 had intake and approval staff, so applications to the other
    departments waited at 已提交 for ever. Every organization owning an item has each role, and the
    printed sign-ins name each organization with its people and their roles."""
    from django.utils import translation

    from egov.orgs.models import RoleAssignment
    from egov.services.models import ServiceItem

    with translation.override("en"):
        signins = demo_load()
    owners = Organization.objects.filter(service_items__isnull=False).distinct()
    assert owners.count() == 14
    for organization in owners:
        roles = set(RoleAssignment.objects.filter(membership__organization=organization)
                    .values_list("role", flat=True))
        assert {"clerk", "reviewer", "approver"} <= roles, organization.name
    police = signins.by_organization["无锡市公安局"]
    # Its data steward (共享申请, created with the platform's staff) first, then its window.
    assert [row[1] for row in police] == ["gajdata", "gajintake", "gajreviewer", "gajapprover"]
    assert police[1][3] == "冯婷: Intake clerk"
    assert police[3][3].startswith("褚国强: Approver / signatory; MFA backup codes left (one use each): ")
    assert [row[1] for row in signins.by_organization["无锡市行政审批局"]] == ["clerk", "reviewer", "approver",
                                                                           "spjdata"]
    assert ServiceItem.objects.filter(organization__name="无锡市公安局").exists()


@pytest.mark.django_db
def test_a_demo_approver_who_used_up_the_backup_codes_gets_new_ones():
    """Found by a tester: after five sign-ins the demo's approvers were locked out ("备用码已用完，且尚未
    绑定身份验证器") while the printout said to use an authenticator they never set up, and a restart
    issued nothing. Restarting the demo now issues fresh codes and prints them; one who bound an
    authenticator is told to use it."""
    from django.utils import translation
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from egov.demo import DEMO_BACKUP_CODES

    with translation.override("en"):
        demo_load()
    approver = User.objects.get(username="approver")
    device = StaticDevice.objects.get(user=approver)
    for code in DEMO_BACKUP_CODES:  # five sign-ins
        assert device.verify_token(code)
    assert not StaticToken.objects.filter(device__user=approver).exists()
    with translation.override("en"):
        rows = demo_load().by_organization["无锡市行政审批局"]
    (note,) = [row[3] for row in rows if row[1] == "approver"]
    assert note == ("审批科长陈刚: Approver / signatory; MFA backup codes issued anew (one use each): "
                    "13572468 24681357 75318642 86421357 97531864")
    assert sorted(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)) == sorted(
        DEMO_BACKUP_CODES)
    assert AuditEvent.objects.filter(action="accounts.backup_codes.issue", object_id=str(device.pk)).count() == 2

    # One who bound an authenticator and used the codes up is sent to it, and gets no new codes.
    StaticToken.objects.filter(device__user=approver).delete()
    TOTPDevice.objects.create(user=approver, name="authenticator", confirmed=True)
    with translation.override("en"):
        rows = demo_load().by_organization["无锡市行政审批局"]
    (note,) = [row[3] for row in rows if row[1] == "approver"]
    assert note.endswith("; MFA: backup codes used up; use the authenticator you bound")
    assert not StaticToken.objects.filter(device__user=approver).exists()


# issue 12: a 公文 of 市政府办公室 stuck at 核稿 for want of a 核稿 person.
def test_every_demo_organization_that_drafts_has_a_holder_for_every_outgoing_step():
    city = json.loads(DEMO_CITY.read_text(encoding="utf-8"))
    roles: dict[str, set] = {}
    for _username, _name, organization, _title, held in [*DEMO_STAFF, *demo_hall_staff(city)]:
        roles.setdefault(organization, set()).update(held)
    drafting = [org for org, held in roles.items() if Role.DOCUMENT_CLERK in held]
    assert "dept2" in drafting  # 市政府办公室
    for organization in drafting:  # 拟稿/复核/登记/印制/用印/核发, 核稿, 签发
        assert {Role.DOCUMENT_CLERK, Role.REVIEWER, Role.APPROVER} <= roles[organization], organization
