"""Staff pages of letters to the mayor, mounted at /staff/letters/."""

from django.urls import path

from egov.portal import views_letters_staff

app_name = "letters_staff"
urlpatterns = [
    path("", views_letters_staff.queue, name="queue"),
    path("statistics/", views_letters_staff.statistics, name="statistics"),
    path("<str:number>/", views_letters_staff.letter_detail, name="letter"),
    path("<str:number>/steps/<str:step>/", views_letters_staff.letter_step, name="letter_step"),
    path("<str:number>/files/<int:pk>", views_letters_staff.attachment, name="attachment"),
]
