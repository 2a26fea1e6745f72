"""Public trust pages and services: the verification page, CRLs, CA certificates, OCSP, TSA.

The OCSP (RFC 6960 Appendix A) and TSA (RFC 3161 §3.4) endpoints take DER over HTTP POST (OCSP
also by GET with the base64 request in the path); they are CSRF-exempt because they are machine
protocols that carry no session.
"""

import base64
import binascii
from urllib.parse import unquote

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.core.errors import ApplicationError
from egov.core.forms import add_application_error
from egov.trust import responders
from egov.trust.forms import VerifyForm
from egov.trust.selectors import authority_get
from egov.trust.verification import pdf_verify, pdf_verify_code

MAX_REQUEST_BYTES = 64 * 1024


def verify_page(request):
    """Anyone checks a signed document: upload it, or give its code (the QR code links here)."""
    report = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    else:
        form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            if upload:
                report = pdf_verify(pdf=upload.read())
            else:
                report = pdf_verify_code(code=form.cleaned_data["code"])
        except ApplicationError as error:
            add_application_error(form, error)
    return render(request, "trust/verify.html", {"form": form, "report": report},
                  status=400 if form.errors else 200)


@require_GET
def crl(request, slug: str):
    """The CA's current CRL, DER (``application/pkix-crl``, RFC 5280 §4.2.1.13)."""
    try:
        data = responders.crl_current(authority=authority_get(slug=slug))
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Cache-Control"] = "max-age=3600"
    return response


@require_GET
def ca_certificate(request, slug: str):
    """The CA's certificate, DER (``application/pkix-cert``, RFC 5280 §4.2.2.1 caIssuers)."""
    try:
        authority = authority_get(slug=slug)
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain; charset=utf-8")
    return HttpResponse(bytes(authority.certificate.der), content_type="application/pkix-cert")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ocsp(request, encoded: str = ""):
    """The OCSP responder: POST a DER request, or GET ``/trust/ocsp/<base64 request>``."""
    if request.method == "POST":
        body = request.body[:MAX_REQUEST_BYTES + 1]
    else:
        try:
            body = base64.b64decode(unquote(encoded), validate=False)
        except (binascii.Error, ValueError):
            body = b""
    if len(body) > MAX_REQUEST_BYTES:
        return HttpResponseBadRequest("request too large")
    return HttpResponse(responders.ocsp_respond(body), content_type="application/ocsp-response")


@csrf_exempt
@require_POST
def tsa(request):
    """The timestamping authority: POST a DER ``TimeStampReq`` (``application/timestamp-query``)."""
    body = request.body[:MAX_REQUEST_BYTES + 1]
    if len(body) > MAX_REQUEST_BYTES:
        return HttpResponseBadRequest("request too large")
    return HttpResponse(responders.tsa_respond(body), content_type="application/timestamp-reply")
