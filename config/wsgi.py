import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A WSGI server (gunicorn) is a deployment: fail closed, so a missing DEBUG never means debug pages and
# development keys. `manage.py runserver` has built its settings before this module is imported.
os.environ.setdefault("DEBUG", "0")
application = get_wsgi_application()
