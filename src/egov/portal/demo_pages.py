"""Demo pages of the portal (issue 21): the tree, a section per organization, news, a notice, a policy
interpretation of the demo 公文 (the 2004 guidance), topic pages, and one news article waiting for
review by the municipal government's web reviewer. Idempotent: nothing is added once a news article
exists."""

import datetime

from django.db import transaction
from wagtail.models import Page

from egov.accounts.models import User
from egov.core.actors import SYSTEM
from egov.documents.selectors import documents_published
from egov.orgs.models import Organization
from egov.portal.actions_pages import cms_section_ensure, cms_tree_ensure
from egov.portal.models_pages import (
    HomePage,
    NewsPage,
    NoticePage,
    OrganizationPage,
    PolicyInterpretationPage,
    TopicPage,
)

DEMO_PAGES_ORGANIZATION = "无锡市人民政府"

# (title, English title, date, summary, body, English summary)
NEWS = [
    ("市政府召开电子政务建设推进会", "Municipal government meets on e-government progress", datetime.date(2026, 11, 20),
     "会议部署网上政务大厅、公文交换和数据共享平台下一阶段工作。",
     "<p>11月20日，市政府召开电子政务建设推进会，部署网上政务大厅、公文无纸化传输和数据共享交换平台下一阶段工作。</p>",
     "The next steps of the online service hall, document exchange and data sharing."),
    ("“一网通办”事项突破一千项", "Over a thousand services now online", datetime.date(2026, 11, 28),
     "市民和企业可在网上政务大厅申请、查询和评价。",
     "<p>截至11月底，全市可在网上政务大厅办理的政务服务事项超过一千项，市民和企业可在线申请、查询办理进度并评价服务。</p>",
     "Residents and enterprises apply, follow and rate their cases online."),
    ("政务服务站进驻地铁站和商场", "Service kiosks open in metro stations and malls", datetime.date(2026, 12, 2),
     "首批十个政务服务站投入使用。",
     "<p>首批十个政务服务站在地铁站和商场投入使用，市民可就近查询和申请常用事项。</p>",
     "The first ten service kiosks are open."),
]


def _publish(page: Page, user=None) -> None:
    revision = page.save_revision(user=user)
    revision.publish(user=user)


@transaction.atomic
def demo_pages_load(*, editor_username: str = "webeditor") -> None:
    """Build the demo tree and its pages unless news exists already; sections for every organization."""
    cms_tree_ensure(actor=SYSTEM)
    for organization in Organization.objects.filter(is_active=True).order_by("path"):
        cms_section_ensure(organization=organization, actor=SYSTEM)
    if NewsPage.objects.exists():
        return
    home = HomePage.objects.get()
    home.intro = "<p>欢迎访问无锡市人民政府门户网站：在这里办事、查阅政府信息公开、了解政策解读。</p>"
    home.intro_en = "<p>Welcome to the Wuxi municipal government's portal: apply for services, read disclosed " \
                    "government information and policy interpretations.</p>"
    _publish(home)
    section = OrganizationPage.objects.get(organization__name=DEMO_PAGES_ORGANIZATION)
    for title, title_en, date, summary, body, summary_en in NEWS:
        page = section.add_child(instance=NewsPage(title=title, title_en=title_en, date=date, summary=summary,
                                                   summary_en=summary_en, body=body, slug=f"news-{date:%Y%m%d}"))
        _publish(page)
    notice = section.add_child(instance=NoticePage(
        title="关于元旦期间政务服务大厅办公时间的通知", title_en="Service hall hours over New Year",
        date=datetime.date(2026, 12, 1), summary="2027年1月1日至3日休息，网上政务大厅照常受理。",
        summary_en="Closed 1–3 January 2027; the online service hall accepts applications as usual.",
        body="<p>2027年1月1日至3日市政务服务大厅休息，1月4日起正常办公。网上政务大厅照常受理申请。</p>",
        slug="notice-new-year-2027"))
    _publish(notice)
    document = documents_published().first()
    if document is not None:
        policy = section.add_child(instance=PolicyInterpretationPage(
            title=f"《{document.title}》政策解读", title_en="Interpretation of the e-government guidance",
            date=datetime.date(2026, 11, 15), document=document,
            summary="文件提出建设统一的电子政务平台，外网受理、内网办理、外网公布。",
            summary_en="One e-government platform: applications taken online, handled inside, results published.",
            body="<p>一、为什么制定：推进政府职能转变，提高行政效率。</p><p>二、主要内容：建设门户网站、网上政务大厅、"
                 "公文交换和数据共享交换平台。</p><p>三、对市民的影响：更多事项可在网上申请和查询。</p>",
            slug="policy-egov-guidance"))
        _publish(policy)
    for theme, title, title_en in (("birth_adoption", "生育收养", "Birth and adoption"),
                                   ("establishment", "企业开办", "Starting a business")):
        if not TopicPage.objects.filter(theme=theme).exists():
            topic = home.add_child(instance=TopicPage(title=title, title_en=title_en, theme=theme,
                                                      slug=f"topic-{theme.replace('_', '-')}"))
            _publish(topic)
    editor = User.objects.filter(username=editor_username).first()
    if editor is not None:
        draft = section.add_child(instance=NewsPage(
            title="市数据局发布公共数据开放目录", title_en="Data bureau publishes the open data catalogue",
            date=datetime.date(2026, 12, 5), summary="首批开放数据资源上线。",
            summary_en="The first open data is online.",
            body="<p>市数据局发布公共数据开放目录，首批开放数据资源上线。</p>", slug="news-open-data", live=False))
        draft.save_revision(user=editor)
        section.get_workflow().start(draft, editor)
