"""The smoke's step of the base registers and once-only applying (issue 15): a small population and
legal-entity file with bad rows imported (the counts and the rejected rows' reasons in the JSON
line), then an application by the demo enterprise whose register data is filled and one material
免提交, fetched through the exchange with the 办件编号 as purpose."""

from pathlib import Path

from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.demo import DEMO_ENTERPRISE
from egov.exchange.models import LoggedMessage
from egov.registries.actions import register_import
from egov.services.actions.applying import application_submit
from egov.services.models import ApplicationMaterial, ServiceItem

# Rows 2–4 are good (check characters worked out by GB 11643-1999: weights 2^(17-i) mod 11);
# row 5 has a wrong check character, row 6 a sex that disagrees with the ID (its 17th digit 2 is
# even: a woman), row 7 a placeholder for the name.
POPULATION = (
    "公民身份号码,姓名,性别,出生日期,民族,户籍地行政区划代码,住址\n"
    "320213198805120012,赵一,男,1988-05-12,01,320213,无锡市梁溪区学前街1号\n"
    "320214199501010026,钱二,女,1995-01-01,01,320214,无锡市新吴区长江路2号\n"
    "320203197703080032,孙三,男,1977-03-08,02,320203,无锡市南长区清名路3号\n"
    "320213198805120019,李四,男,1988-05-12,01,320213,无锡市梁溪区学前街4号\n"
    "320214199501020021,周五,男,1995-01-02,01,320214,无锡市新吴区长江路5号\n"
    "320213199003071241,N/A,女,1990-03-07,01,320213,无锡市梁溪区中山路6号\n"
)
# Rows 2–3 good (GB 32100-2015 check characters), row 4 a wrong check character, row 5 an
# impossible 登记管理部门/机构类别 pair (9 工商 issues no 机构类别 9).
LEGAL_ENTITIES = (
    "统一社会信用代码,名称,类型,法定代表人,注册资本,成立日期,住所,经营范围,登记状态\n"
    "91320213MA1X2Y4A0J,无锡梁溪烘焙有限公司,有限责任公司,吴六,50万元,2020-06-01,无锡市梁溪区人民路8号,食品销售。,存续\n"
    "91320211MA1W7R8B2K,无锡滨湖物流有限公司,有限责任公司,郑七,200万元,2015-09-10,无锡市滨湖区梁溪路9号,道路货物运输。,在业\n"
    "91320213MA1X2Y4A0K,无锡错码有限公司,有限责任公司,王八,10万元,2021-01-01,无锡市梁溪区,服务。,存续\n"
    "99320213MA1X2Y4A0R,无锡错类有限公司,有限责任公司,冯九,10万元,2021-01-01,无锡市梁溪区,服务。,存续\n"
)
PDF = b"%PDF-1.7\n% egov smoke once-only\n%%EOF\n"


def _expect(condition: bool, message: str) -> None:
    from egov.smoke import SmokeFailure

    if not condition:
        raise SmokeFailure(message)


def _imported(register: str, text: str, name: str) -> dict:
    batch = register_import(
        actor=SYSTEM,
        actor_label="egov smoke",
        register=register,
        content=text.encode(),
        file_name=name,
        source="egov smoke",
    )
    return {**batch.counts, "rejected_rows": [[row["row"], row["field"], row["rule"]] for row in batch.rejected]}


def step_registries_once_only(out_dir: Path) -> dict:
    population = _imported("population", POPULATION, "smoke-population.csv")
    entities = _imported("legal_entity", LEGAL_ENTITIES, "smoke-legal-entities.csv")
    _expect(population["imported"] == 3 and population["rejected"] == 3, f"population counts {population}")
    _expect(entities["imported"] == 2 and entities["rejected"] == 2, f"legal-entity counts {entities}")
    again = _imported("population", POPULATION, "smoke-population.csv")
    _expect(again["imported"] == 0 and again["unchanged"] == 3, "the same file again changes nothing")

    from egov.smoke import sample_form

    item = ServiceItem.objects.get(name="食品经营许可（新办）")
    enterprise = User.objects.get(username=DEMO_ENTERPRISE["uscc"])
    held = [m for m in item.materials.all() if m.held_as]
    files = {m.pk: PDF for m in item.materials.all() if not m.held_as}
    application, _created = application_submit(
        actor=enterprise,
        item=item,
        idempotency_key="smoke-once-only-1",
        files=files,
        form_data=sample_form(item.form_schema, id_number="", uscc=DEMO_ENTERPRISE["uscc"]),
    )
    register = application.once_only.get("register", {})
    facts = {row["field"]: row["value"] for row in register.get("items", [])}
    _expect(facts.get("name") == DEMO_ENTERPRISE["name"], f"the register data is filled: {register}")
    fetched = application.once_only.get("materials", {})
    _expect(len(held) == 1 and str(held[0].pk) in fetched, "one material 免提交, fetched")
    _expect(
        not ApplicationMaterial.objects.filter(application=application, material=held[0]).exists(),
        "no upload kept for the 免提交 material",
    )
    request = LoggedMessage.objects.get(
        message_id=LoggedMessage.objects.get(message_id=fetched[str(held[0].pk)]["message_id"]).in_reply_to
    )
    _expect(application.number in bytes(request.body).decode(), "the exchange request names the 办件编号")
    from egov.exchange.reads import reads_of

    # Who read my data (issue 20): the enterprise's page lists both reads of the submission with the 办件.
    listed = reads_of(user=enterprise).filter(case=application.number)
    _expect(listed.count() == 2 and all(read.fields for read in listed),
            f"the enterprise's who-read-my-data lists the two reads for {application.number}")
    return {
        "data_reads": {"listed": listed.count(), "case": application.number,
                       "organizations": sorted({read.organization_label for read in listed})},
        "population": population,
        "legal_entities": entities,
        "application": {
            "case": application.number,
            "item": item.name,
            "register": {
                "source": f"{register['provider_name']} {register['resource_name']}",
                "resource": register["resource_code"],
                "message_id": register["message_id"],
                "facts": {k: facts[k] for k in ("uscc", "name", "legal_representative", "status") if k in facts},
            },
            "held_materials": [
                {"material": m.name, "held_as": m.held_as, "message_id": fetched[str(m.pk)]["message_id"]} for m in held
            ],
        },
    }
