"""An aws-lambda-powertools REST API resolver, with its request validation on."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Cookie, Header, Query
from pydantic import BaseModel

app = APIGatewayRestResolver(enable_validation=True)


class Item(BaseModel):
    name: str
    price: float


@app.get("/items/<item_id>")
def read_item(
    item_id: int,
    q: Annotated[str | None, Query()] = None,
    x_trace: Annotated[str | None, Header()] = None,
    session: Annotated[str | None, Cookie()] = None,
) -> dict[str, object]:
    return {"item_id": item_id, "q": q, "trace": x_trace, "session": session}


@app.post("/items")
def create_item(item: Item) -> Response[dict[str, object]]:
    return Response(
        status_code=201,
        content_type="application/json",
        body=item.model_dump(),
        cookies=[f"last={item.name}"],
    )


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    return app.resolve(event, context)
