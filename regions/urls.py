from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("<int:pk>/create/", views.create_child, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
