"""A service's OpenAPI document names the error body the service really sends, on every
operation, with the codes an operation can refuse with."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from events.errors import DomainError
from events.http import install_error_handlers
from events.openapi import ErrorBody, document_errors, refusals


class Ticket(BaseModel):
    quantity: int = Field(gt=0)


class SoldOut(DomainError):
    code = "sold_out"


def app() -> FastAPI:
    application = FastAPI()
    install_error_handlers(application)

    @application.post("/tickets/{ticket_id}", responses=refusals("sold_out", "concurrency_conflict"))
    async def buy(ticket_id: int, body: Ticket) -> dict[str, int]:
        if body.quantity > 2:
            raise SoldOut("only two left")
        return {"bought": body.quantity}

    @application.get("/tickets")
    async def tickets() -> list[int]:
        return [1, 2]

    document_errors(application)
    return application


def test_every_operation_documents_the_error_body_and_no_other() -> None:
    schema = app().openapi()
    schemas = schema["components"]["schemas"]
    assert "HTTPValidationError" not in schemas, "FastAPI's own 422 body is never sent"
    assert schemas["ErrorBody"]["properties"]["error"]["$ref"] == "#/components/schemas/ErrorDetail"
    buy, tickets = schema["paths"]["/tickets/{ticket_id}"]["post"], schema["paths"]["/tickets"]["get"]
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for operation in (buy, tickets):
        for status in ("401", "403", "422", "503"):
            assert operation["responses"][status]["content"]["application/json"]["schema"] == error, status
    assert buy["responses"]["404"]["content"]["application/json"]["schema"] == error
    assert "`sold_out`" in buy["responses"]["409"]["description"]
    assert "404" not in tickets["responses"]
    assert "409" not in tickets["responses"]


async def test_the_documented_body_is_the_one_sent() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://svc") as client:
        invalid = await client.post("/tickets/1", json={"quantity": 0})
        refused = await client.post("/tickets/1", json={"quantity": 3})
    assert invalid.status_code == 422
    assert refused.status_code == 409
    for answer in (invalid, refused):
        ErrorBody.model_validate(answer.json())  # raises if the body is not the documented one
    assert refused.json()["error"]["code"] == "sold_out"
    assert invalid.json()["error"]["fields"][0]["field"] == "body.quantity"
