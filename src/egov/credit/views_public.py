"""Public pages of 信用公示 (mounted at /credit/): search of the subjects with published credit records and a
subject's public record. Only published records are shown (``selectors.published``); a natural person's
name and resident ID are masked and never in an address."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from egov.core.errors import NotFound
from egov.credit.forms import PublicSearchForm
from egov.credit.selectors import public_subject, public_subjects, public_subjects_shown

PER_PAGE = 20


def credit_search(request):
    """The subjects with published records, searched by name or code, 20 a page."""
    form = PublicSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(public_subjects(q=q), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/public/search.html",
        {
            "form": form,
            "q": q,
            "page": page,
            "subjects": public_subjects_shown(page.object_list),
            "query": urlencode({"q": q}) if q else "",
        },
        status=400 if form.errors else 200,
    )


def credit_subject(request, key: str):
    """One subject's published records: kind, decision document, deciding organization, decision date,
    legal basis, measures and publication period of each."""
    try:
        subject, records = public_subject(key=key)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "credit/public/subject.html", {"subject": subject, "records": records})
