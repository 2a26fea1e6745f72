from django.urls import path

from egov.trust import views

app_name = "trust"
urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("crl/<slug:slug>.crl", views.crl, name="crl"),
    path("ca/<slug:slug>.cer", views.ca_certificate, name="ca_certificate"),
    path("ocsp", views.ocsp, name="ocsp"),
    path("ocsp/<path:encoded>", views.ocsp, name="ocsp_get"),
    path("tsa", views.tsa, name="tsa"),
]
