"""Pages of "who read my data" (issue 20 item 3): the person's list of reads of their data at
/accounts/me/data-reads/ (public site, verified accounts), with a question per read; and the reading
organization's questions at /staff/exchange/read-inquiries/ (data stewards and operators)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts.permissions import staff_required, verified_public_user_required
from egov.audit.actions import audit_record
from egov.audit.labels import purpose_label, reader_label
from egov.core import workdays
from egov.core.views import step_post
from egov.exchange import reads
from egov.exchange.actions.inquiries import read_inquiry_answer, read_inquiry_ask
from egov.exchange.forms_reads import AnswerForm, InquiryForm, ReadFilterForm
from egov.exchange.models import ReadInquiry
from egov.orgs.models import Organization
from egov.workflow.selectors import work_calendar


class _Read:
    """A read as the person's list shows it: the row, the page of its case when the case is
    theirs, their question about it (or None)."""

    def __init__(self, row, case_url, inquiry, organization):
        self.row, self.case_url, self.inquiry = row, case_url, inquiry
        # the reader's name in the active language while it is on the platform, else as recorded
        self.organization = reader_label(organization, row.organization_label)
        # a purpose the platform writes (实名认证) in the active language; a 办件编号 as it is
        self.case_label = purpose_label(row.case)


def _reads_page(request, *, ask_form=None, ask_read=None, status=200):
    organizations = reads.reading_organizations_of(user=request.user)
    form = ReadFilterForm(request.GET or None, organizations=organizations)
    data = form.cleaned_data if form.is_valid() else {}
    rows = reads.reads_of(user=request.user, organization_id=data.get("organization"),
                          date_from=data.get("date_from"), date_to=data.get("date_to"))
    page = Paginator(rows, reads.PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page)
    links = reads.case_links(request.user, [row.case for row in shown])
    inquiries = reads.inquiries_by(user=request.user, reads=shown)
    organizations = Organization.objects.in_bulk({row.organization_id for row in shown} - {None})
    query = urlencode({name: value for name, value in data.items() if value not in (None, "")})
    return render(request, "exchange/reads/mine.html", {
        "form": form, "page": page, "query": query,
        "reads": [_Read(row, links.get(row.case, ""), inquiries.get(row.pk), organizations.get(row.organization_id))
                  for row in shown],
        "ask_form": ask_form, "ask_read": ask_read,
    }, status=status)


@verified_public_user_required
def mine(request):
    """The reads of the signed-in person's data (and of the enterprises they act for), newest first,
    20 a page, filtered by organization and dates. Their own data: not audited as a read."""
    return _reads_page(request)


@verified_public_user_required
@require_POST
def ask(request, read_id: int):
    """Ask the reading organization about one read (one click; the text is optional)."""
    form = InquiryForm(request.POST)
    return step_post(request, form=form,
                     run=lambda data: read_inquiry_ask(actor=request.user, read_id=read_id, text=data["text"]),
                     done=_("Your question was sent to the organization that read your data."),
                     next_url=lambda inquiry: reverse("exchange_reads:mine") + f"#read-{inquiry.read_id}",
                     again=lambda bound, status: _reads_page(request, ask_form=bound, ask_read=read_id,
                                                             status=status))


def _days_left(inquiry) -> int | None:
    if inquiry.status != ReadInquiry.Status.OPEN:
        return None
    return workdays.working_days_between(timezone.localdate(), inquiry.due_on, calendar=work_calendar())


@staff_required
def inquiries(request):
    """The questions addressed to the organizations I act for in sharing, open ones first by due date."""
    status = request.GET.get("status", "")
    status = status if status in ReadInquiry.Status.values else ""
    page = Paginator(reads.inquiries_for_staff(user=request.user, status=status), reads.PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "exchange/reads/inquiries.html", {
        "page": page, "status": status, "query": urlencode({"status": status}) if status else "",
        "rows": [(row, _days_left(row)) for row in page], "statuses": ReadInquiry.Status.choices,
    })


def _inquiry_or_404(request, pk: int) -> ReadInquiry:
    inquiry = reads.inquiries_for_staff(user=request.user).filter(pk=pk).first()
    if inquiry is None:
        raise Http404(_("No such question."))
    return inquiry


def _inquiry_page(request, inquiry, *, form=None, status=200):
    return render(request, "exchange/reads/inquiry.html", {
        "inquiry": inquiry, "read": inquiry.read, "days_left": _days_left(inquiry),
        "form": form or AnswerForm(),
    }, status=status)


@staff_required
def inquiry(request, pk: int):
    """One question: the read it is about (organization's own record of it), the person's text, the
    answer form while open. The person is named by their masked identifier; showing it is audited."""
    row = _inquiry_or_404(request, pk)
    audit_record(action="exchange.read_inquiry.read", actor=request.user, organization=row.organization, obj=row,
                 summary=f"question {row.pk} shown")
    return _inquiry_page(request, row)


@staff_required
@require_POST
def inquiry_answer(request, pk: int):
    """Answer a question (data stewards and operators of the organization asked)."""
    row = _inquiry_or_404(request, pk)
    return step_post(request, form=AnswerForm(request.POST),
                     run=lambda data: read_inquiry_answer(actor=request.user, inquiry=row, answer=data["answer"]),
                     done=_("Answer sent."), next_url=reverse("exchange_read_inquiries:inquiry", args=[row.pk]),
                     again=lambda bound, status: _inquiry_page(request, row, form=bound, status=status))
