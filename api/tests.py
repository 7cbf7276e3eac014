import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client, personas, client_for):
    schema = client_for(personas.secretary).get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/regions/" in body and "/api/orgs/" in body and "/api/audit/" in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package, not from a CDN.
    assert "cdn" not in docs.content.decode().lower()
