"""The OpenAPI document and the offline docs page."""

from __future__ import annotations

import re

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def test_the_document_is_openapi_3_with_both_security_schemes(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["components"]["securitySchemes"]["apiKeyAuth"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["apiKeyAuth"]["description"]}


def test_every_api_route_appears_with_its_methods(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops if method in HTTP_METHODS}

    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods if m.lower() in HTTP_METHODS}

    assert routes and routes == documented


def test_every_reference_resolves_and_every_operation_documents_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    text = client.get("/api/v1/openapi.json").get_data(as_text=True)

    for ref in set(re.findall(r'"\$ref": ?"#/components/([^/]+)/([^"]+)"', text)):
        assert ref[1] in spec["components"][ref[0]], ref
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method not in HTTP_METHODS:
                continue
            assert "default" in op["responses"], (path, method)
            assert "security" in op and op.get("tags"), (path, method)


def test_request_and_response_schemas_come_from_the_contract_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/accounts"]["post"]
    patch = spec["paths"]["/api/v1/accounts/{account_id}"]["patch"]
    listing = spec["paths"]["/api/v1/accounts"]["get"]

    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AccountCreate"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AccountOut"}
    assert {"name": "If-Match", "in": "header"}.items() <= next(
        p for p in patch["parameters"] if p.get("name") == "If-Match").items()
    assert {"limit", "cursor", "sort", "q", "status"} <= {p["name"] for p in listing["parameters"]}
    assert spec["components"]["schemas"]["AccountCreate"]["additionalProperties"] is False
    error = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert error == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_public_routes_need_no_security_and_others_do(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    assert spec["paths"]["/api/v1/users"]["get"]["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]


def test_the_tms_ingest_documents_each_event_schema(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/api/v1/tms/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    names = [ref["$ref"].rsplit("/", 1)[1] for ref in body["oneOf"]]
    assert len(names) == 5
    assert "origin" in spec["components"]["schemas"]["TmsShipmentBookedIn"]["properties"]


def test_the_docs_page_references_only_local_assets_that_are_served(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/api/docs/assets/")
        assert client.get(asset).status_code == 200, asset
