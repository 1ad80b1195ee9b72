"""A FastAPI app behind Mangum, the usual way to run an ASGI app on Lambda."""

from typing import Annotated

from fastapi import Cookie, FastAPI, Header, Response
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@app.get("/items/{item_id}")
def read_item(
    item_id: int,
    q: str | None = None,
    x_trace: Annotated[str | None, Header()] = None,
    session: Annotated[str | None, Cookie()] = None,
) -> dict[str, object]:
    return {"item_id": item_id, "q": q, "trace": x_trace, "session": session}


@app.post("/items", status_code=201)
def create_item(item: Item, response: Response) -> Item:
    response.set_cookie("last", item.name)
    return item


handler = Mangum(app, lifespan="off")
