// Exercise 03-fix-the-502 in JavaScript: the shop's item handler, every 502 fixed.
//
// | request                      | must answer                                              |
// |------------------------------|----------------------------------------------------------|
// | GET  /items/{itemId}         | 200, the item as JSON: {"id", "name", "price"}           |
// | GET  /items/{itemId}/stock   | 200, {"id": ..., "inStock": true or false}               |
// | GET  /items/{itemId}/count   | 200, {"count": n} and the header X-Updated-At: when the  |
// |                              | count changed, ISO 8601 text ("2026-01-15T09:30:00")     |
// | GET  /items/{itemId}/price   | 200, {"id": ..., "price": 19.99} (a JSON number)         |
// | POST /items                  | 201 and the stored item for a JSON body with a "name";   |
// |                              | 400 and {"message": ...} for a body that is not JSON     |
// | any unknown itemId           | 404 and {"message": "item not found"}                    |
//
// Graded by the same checks as handler.py: `course check 03-fix-the-502`.

const ITEMS = {
  i1: { id: "i1", name: "lamp", price: 19.99, stock: 3, updated: new Date(Date.UTC(2026, 0, 15, 9, 30)) },
  i2: { id: "i2", name: "desk", price: 120, stock: 0, updated: new Date(Date.UTC(2026, 1, 1, 18, 5)) },
};

// A proxy response: statusCode a number, header values strings, the body a string.
function respond(statusCode, payload, headers = {}) {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(payload),
  };
}

const publicView = (item) => ({ id: item.id, name: item.name, price: item.price });

// "2026-01-15T09:30:00": the ISO 8601 text of a UTC time, to the second.
const isoSeconds = (date) => date.toISOString().slice(0, 19);

export const handler = async (event) => {
  try {
    return route(event);
  } catch {
    // Nothing may escape: an uncaught error is a 502 the client cannot act on.
    return respond(500, { message: "internal error" });
  }
};

function route(event) {
  if (event.httpMethod === "POST") {
    let data;
    try {
      data = JSON.parse(event.body ?? "");
    } catch {
      return respond(400, { message: "body must be JSON" });
    }
    if (data === null || typeof data !== "object" || !data.name) {
      return respond(400, { message: "name is required" });
    }
    return respond(201, publicView({ id: "i3", name: data.name, price: 0 }));
  }

  const id = event.pathParameters?.itemId;
  const item = Object.hasOwn(ITEMS, id) ? ITEMS[id] : undefined; // never a prototype's key
  if (item === undefined) {
    return respond(404, { message: "item not found" });
  }
  switch (event.resource) {
    case "/items/{itemId}":
      return respond(200, publicView(item));
    case "/items/{itemId}/stock":
      return respond(200, { id: item.id, inStock: item.stock > 0 });
    case "/items/{itemId}/count":
      return respond(200, { count: item.stock }, { "X-Updated-At": isoSeconds(item.updated) });
    default:
      return respond(200, { id: item.id, price: item.price });
  }
}
