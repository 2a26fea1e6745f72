"""Public pages of letters to the mayor, mounted at /letters/."""

from django.urls import path

from egov.portal import views_letters

app_name = "letters"
urlpatterns = [
    path("", views_letters.letter_list, name="list"),
    path("statistics/", views_letters.statistics, name="statistics"),
    path("write/", views_letters.letter_write, name="write"),
    path("mine/", views_letters.mine, name="mine"),
    path("mine/<str:number>/", views_letters.mine_detail, name="mine_detail"),
    path("mine/<str:number>/rate/", views_letters.rate, name="rate"),
    path("mine/<str:number>/withdraw/", views_letters.withdraw, name="withdraw"),
    path("mine/<str:number>/files/<int:pk>", views_letters.attachment, name="attachment"),
    path("<str:number>/", views_letters.letter_public, name="detail"),
]
