"""Demo letters to the mayor: the demo citizen writes three letters; the dispatcher of 市政府办公室
routes them; 市住建局 answers one (rated satisfied and published), 市城管局 answers another (published
too), the third waits for an answer. Made through the same audited actions as real use; loaded once
(nothing is added when the citizen has letters already)."""

from datetime import timedelta

from django.utils import timezone

from egov.accounts.models import User
from egov.orgs.models import Organization
from egov.portal import actions_letters as actions
from egov.portal.models_letters import Letter

LETTERS = [
    ("complaint", "小区旁菜市场清晨噪音扰民",
     "市长您好：我是张𠮷明，住在梁溪区人民中路12号3栋501室。小区东侧菜市场每天清晨五点开始装卸货物，"
     "噪音很大，老人孩子都休息不好。希望有关部门督促市场调整装卸时间。联系电话13800000000。",
     "无锡市住房和城乡建设局",
     "张𠮷明您好：来信收悉。经现场核查，该市场已责令整改，自12月起装卸作业调整至早上七点以后，并加装隔音围挡。感谢您的监督。",
     "satisfied"),
    ("suggestion", "建议在蠡湖大道增设夜间路灯", "蠡湖大道一带晚上路灯间距大，骑车回家很暗，建议增设路灯。",
     "无锡市城市管理局", "您好：您反映的路段已纳入今年路灯补点计划，预计下月完成安装。", ""),
    ("consultation", "老旧小区加装电梯的补贴政策", "请问老旧小区加装电梯有没有补贴？需要准备哪些材料？",
     "无锡市住房和城乡建设局", "", ""),
]


def demo_letters_load(*, citizen_username: str, dispatcher_username: str,
                      handlers: dict[str, str]) -> None:
    """Create the demo letters unless the citizen has letters or a staff member is missing.

    Args:
        handlers: organization name → the username of its letter handler.
    """
    citizen = User.objects.filter(username=citizen_username).first()
    dispatcher = User.objects.filter(username=dispatcher_username).first()
    staff = {name: User.objects.filter(username=username).first() for name, username in handlers.items()}
    if citizen is None or dispatcher is None or None in staff.values():
        return
    if Letter.objects.filter(writer=citizen).exists():
        return
    today = timezone.localdate()
    for index, (topic, subject, body, organization, answer, rating) in enumerate(LETTERS, start=1):
        letter = actions.letter_write(actor=citizen, topic=topic, subject=subject, body=body, publish_consent=True,
                                      idempotency_key=f"demo-letter-{index}")
        # Written days ago (before their routing, three days back): letters written "now" would use
        # up the citizen's letters of the hour and refuse the visitor's first letter.
        Letter.objects.filter(pk=letter.pk).update(submitted_at=timezone.now() - timedelta(days=4, hours=4 - index))
        letter.refresh_from_db()
        letter = actions.letter_route(actor=dispatcher, letter=letter,
                                      organization=Organization.objects.get(name=organization),
                                      today=today - timedelta(days=3))
        if not answer:
            continue
        letter = actions.letter_answer(actor=staff[organization], letter=letter, text=answer)
        if rating:
            letter = actions.letter_rate(actor=citizen, letter=letter, rating=rating, comment="处理及时，谢谢。")
        actions.letter_publication_decide(actor=dispatcher, letter=letter, publish=True)
