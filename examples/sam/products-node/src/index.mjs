// The products API in one Lambda function, written with the AWS SDK for JavaScript v3.
//
// | route                          | DynamoDB (lib-dynamodb)              | answers                 |
// |--------------------------------|--------------------------------------|-------------------------|
// | GET /products                  | ScanCommand, every page              | 200 {"items": [...]}    |
// | POST /products                 | PutCommand with a new id             | 201 the item; 400       |
// | GET /products/{productId}      | GetCommand                           | 200 the item; 404       |
// | PUT /products/{productId}      | UpdateCommand if the id exists       | 200 the item; 400; 404  |
// | DELETE /products/{productId}   | DeleteCommand, ReturnValues ALL_OLD  | 204 no body; 404        |
//
// It routes on the route key: `event.routeKey` from an HTTP API ("GET /products/{productId}"),
// or the same words made from `httpMethod` and `resource` for a REST API. Never on `path`,
// which holds the id. A product is {"id": string, "name": non-empty string, "price": >= 0}.

import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

// Made once per execution environment, outside the handler, so warm invocations reuse it.
// No endpoint or credentials here: the SDK reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID and
// AWS_REGION from the environment (AWS_ENDPOINT_URL too in every release package.json allows,
// 3.705 and later). On Lambda that is the real DynamoDB; under `course serve -t` it is the
// sandbox on 127.0.0.1 with fake credentials.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE_NAME = process.env.TABLE_NAME ?? "products";

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
};

// A proxy response: the body is always a string (an object there is API Gateway's 502).
function respond(statusCode, payload) {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...CORS_HEADERS },
    body: payload === undefined ? "" : JSON.stringify(payload),
  };
}

function routeKey(event) {
  return event.routeKey ?? `${event.httpMethod} ${event.resource}`;
}

// The body as {name, price}, or a string saying why it is not one (for a 400).
function readProduct(event) {
  let data;
  try {
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : event.body;
    data = JSON.parse(text ?? "");
  } catch {
    return "body must be a JSON object";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return "body must be a JSON object";
  }
  const { name, price = 0 } = data;
  if (typeof name !== "string" || name.trim() === "") {
    return "name is required and must be a non-empty string";
  }
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0) {
    return "price must be a number of at least 0";
  }
  return { name, price };
}

// A Scan page holds at most 1 MB: follow LastEvaluatedKey to the last page.
async function scanAll() {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await documents.send(new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

async function listProducts() {
  const items = await scanAll();
  items.sort((a, b) => String(a.name ?? "").localeCompare(String(b.name ?? "")));
  return respond(200, { items });
}

async function createProduct(event) {
  const product = readProduct(event);
  if (typeof product === "string") return respond(400, { message: product });
  const item = { id: randomUUID(), ...product };
  await documents.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
  return respond(201, item);
}

async function getProduct(event) {
  const id = event.pathParameters.productId;
  const { Item } = await documents.send(new GetCommand({ TableName: TABLE_NAME, Key: { id } }));
  return Item ? respond(200, Item) : respond(404, { message: "product not found" });
}

async function updateProduct(event) {
  const product = readProduct(event);
  if (typeof product === "string") return respond(400, { message: product });
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: { id: event.pathParameters.productId },
        // `name` is a DynamoDB reserved word, hence the #name placeholder.
        UpdateExpression: "SET #name = :name, price = :price",
        ConditionExpression: "attribute_exists(id)",
        ExpressionAttributeNames: { "#name": "name" },
        ExpressionAttributeValues: { ":name": product.name, ":price": product.price },
        ReturnValues: "ALL_NEW",
      }),
    );
    return respond(200, Attributes);
  } catch (error) {
    if (error.name === "ConditionalCheckFailedException") {
      return respond(404, { message: "product not found" });
    }
    throw error;
  }
}

async function deleteProduct(event) {
  const { Attributes } = await documents.send(
    new DeleteCommand({
      TableName: TABLE_NAME,
      Key: { id: event.pathParameters.productId },
      ReturnValues: "ALL_OLD",
    }),
  );
  return Attributes ? respond(204) : respond(404, { message: "product not found" });
}

const ROUTES = {
  "GET /products": listProducts,
  "POST /products": createProduct,
  "GET /products/{productId}": getProduct,
  "PUT /products/{productId}": updateProduct,
  "DELETE /products/{productId}": deleteProduct,
};

export const handler = async (event) => {
  const route = ROUTES[routeKey(event)];
  if (route === undefined) {
    return respond(404, { message: `no route for ${routeKey(event)}` });
  }
  return route(event);
};
