"""Public pages of the portal: 政务公开 (the list of published documents, one document, its PDF)
(the one search is ``views_search``). Thin: a read through ``documents.selectors``, a response.

Documents not published (drafts, 内部, 依申请公开, 不予公开) answer 404, as unknown ones do.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from egov.core.errors import NotFound
from egov.documents.selectors import document_published_get, documents_published
from egov.portal.forms import DisclosureFilterForm
from egov.portal.selectors import disclosure_pdf

PER_PAGE = 20


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _published_or_404(pk: int):
    try:
        return document_published_get(pk=pk)
    except NotFound:
        raise Http404(_("No such document.")) from None


def disclosure_list(request):
    """政务公开: published documents, newest first, filtered by organization, kind and year, paginated."""
    form = DisclosureFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organization = filters.get("organization")
    documents = documents_published(issuer_id=organization.pk if organization else None,
                                    kind=filters.get("kind", ""), year=filters.get("year"))
    page = Paginator(documents, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/disclosure_list.html", {"form": form, "page": page, "query": _page_query(request)},
                  status=400 if form.errors else 200)


def disclosure_detail(request, pk: int):
    """One published document: number, issuer, date, kind and its (sanitized) text, with its PDF."""
    document = _published_or_404(pk)
    return render(request, "portal/disclosure_detail.html", {"document": document,
                                                             "signed": bool(document.sealed_pdf)})


def disclosure_pdf_download(request, pk: int):
    """The published document's PDF: the sealed one, or a rendering of the record (not signed)."""
    document = _published_or_404(pk)
    pdf, _signed = disclosure_pdf(document)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    return response

