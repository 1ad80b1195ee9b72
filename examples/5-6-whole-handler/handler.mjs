// Step 5.6 in Node.js: the products API in one function, routed on (httpMethod, resource) like
// the Python router of step 5.2. It uses the AWS SDK v3 that Lambda's Node.js runtimes include;
// makeHandler takes the table access as an argument, so a test can hand it a fake.
import { randomUUID } from "node:crypto";

const TableName = process.env.TABLE_NAME ?? "products";

let dynamo; // made on first use, then kept by warm invocations
async function realDynamo() {
  if (dynamo === undefined) {
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const lib = await import("@aws-sdk/lib-dynamodb");
    const client = lib.DynamoDBDocumentClient.from(new DynamoDBClient({}));
    dynamo = { ...lib, send: (command) => client.send(command) };
  }
  return dynamo;
}

const respond = (statusCode, payload) => ({
  statusCode,
  headers: { "Content-Type": "application/json" },
  body: payload === undefined ? "" : JSON.stringify(payload),
});

// The body as { name, price }, or the reason it is not one.
function readProduct(event) {
  let data;
  try {
    data = JSON.parse(event.body ?? "");
  } catch {
    return "body must be a JSON object";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return "body must be a JSON object";
  }
  const { name, price = 0 } = data;
  if (typeof name !== "string" || !name.trim()) return "name is required";
  if (typeof price !== "number" || price < 0) return "price must be a number of at least 0";
  return { name, price };
}

const ROUTES = {
  "GET /products": async (db) => {
    const items = [];
    let ExclusiveStartKey;
    do {
      const page = await db.send(new db.ScanCommand({ TableName, ExclusiveStartKey }));
      items.push(...page.Items);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return respond(200, { items });
  },
  "POST /products": async (db, event, product) => {
    const item = { id: randomUUID(), ...product };
    await db.send(new db.PutCommand({ TableName, Item: item }));
    return respond(201, item);
  },
  "GET /products/{productId}": async (db, event) => {
    const key = { id: event.pathParameters.productId };
    const { Item } = await db.send(new db.GetCommand({ TableName, Key: key }));
    return Item ? respond(200, Item) : respond(404, { message: "product not found" });
  },
  "PUT /products/{productId}": async (db, event, product) => {
    try {
      const { Attributes } = await db.send(
        new db.UpdateCommand({
          TableName,
          Key: { id: event.pathParameters.productId },
          UpdateExpression: "SET #name = :name, #price = :price",
          ConditionExpression: "attribute_exists(id)",
          ExpressionAttributeNames: { "#name": "name", "#price": "price" },
          ExpressionAttributeValues: { ":name": product.name, ":price": product.price },
          ReturnValues: "ALL_NEW",
        }),
      );
      return respond(200, Attributes);
    } catch (error) {
      if (error.name !== "ConditionalCheckFailedException") throw error;
      return respond(404, { message: "product not found" });
    }
  },
  "DELETE /products/{productId}": async (db, event) => {
    const key = { id: event.pathParameters.productId };
    const { Attributes } = await db.send(
      new db.DeleteCommand({ TableName, Key: key, ReturnValues: "ALL_OLD" }),
    );
    return Attributes ? respond(204) : respond(404, { message: "product not found" });
  },
};

export const makeHandler = (getDynamo) => async (event) => {
  const action = ROUTES[`${event.httpMethod} ${event.resource}`];
  if (action === undefined) return respond(405, { message: "method not allowed" });
  let product;
  if (event.httpMethod === "POST" || event.httpMethod === "PUT") {
    product = readProduct(event); // 400 before the table is touched
    if (typeof product === "string") return respond(400, { message: product });
  }
  return action(await getDynamo(), event, product);
};

export const handler = makeHandler(realDynamo);
