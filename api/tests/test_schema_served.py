import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client, personas, client_for):
    schema = client_for(personas.secretary).get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/regions/" in body and "/api/orgs/" in body and "/api/audit/" in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package, served locally, never from a CDN.
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
