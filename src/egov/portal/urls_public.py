"""The portal's public pages, mounted at the root of the public site."""

from django.urls import path

from egov.portal import views, views_display, views_economy, views_requests, views_search

app_name = "portal"
urlpatterns = [
    path("disclosure/", views.disclosure_list, name="disclosure_list"),
    path("disclosure/<int:pk>/", views.disclosure_detail, name="disclosure_detail"),
    path("disclosure/<int:pk>/pdf", views.disclosure_pdf_download, name="disclosure_pdf"),
    path("search/", views_search.search, name="search"),
    path("kiosk/", views_display.kiosk_home, name="kiosk"),
    path("kiosk/end/", views_display.kiosk_end, name="kiosk_end"),
    path("kiosk/leave/", views_display.kiosk_leave, name="kiosk_leave"),
    path("display/text-size/", views_display.text_size, name="text_size"),
    path("data/economy/", views_economy.economy_index, name="economy"),
    path("data/economy/<slug:code>/", views_economy.economy_indicator, name="economy_indicator"),
    path("data/economy/<slug:code>.csv", views_economy.economy_download, {"format": "csv"}, name="economy_csv"),
    path("data/economy/<slug:code>.json", views_economy.economy_download, {"format": "json"}, name="economy_json"),
    path("disclosure-requests/", views_requests.my_requests, name="my_requests"),
    path("disclosure-requests/new/", views_requests.request_new, name="request_new"),
    path("disclosure-requests/<str:number>/", views_requests.request_detail, name="request"),
    path("disclosure-requests/<str:number>/correct/", views_requests.request_correct, name="request_correct"),
    path("disclosure-requests/<str:number>/withdraw/", views_requests.request_withdraw, name="request_withdraw"),
    path("disclosure-requests/<str:number>/answer.pdf", views_requests.answer_file, name="request_answer_file"),
]
