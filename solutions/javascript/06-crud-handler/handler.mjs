// Exercise 06-crud-handler in JavaScript: the products function on DynamoDB, with the AWS SDK
// for JavaScript v3 (Lambda's Node.js runtimes have it built in; for course, install it once
// as `course check 06-crud-handler` says when it is missing).
//
// | route                          | DynamoDB (lib-dynamodb)              | answers                 |
// |--------------------------------|--------------------------------------|-------------------------|
// | GET /products                  | ScanCommand, every page              | 200 {"items": [...]}    |
// | POST /products                 | PutCommand with a new id             | 201 the item; 400       |
// | GET /products/{productId}      | GetCommand                           | 200 the item; 404       |
// | PUT /products/{productId}      | UpdateCommand if the id exists       | 200 the item; 400; 404  |
// | DELETE /products/{productId}   | DeleteCommand, ReturnValues ALL_OLD  | 204 no body; 404        |
//
// The table's name is in TABLE_NAME; its key is the string "id". A product is
// {"id": string, "name": non-empty string, "price": number >= 0}.

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

// Made once per execution environment, so warm invocations reuse its connections. The SDK
// takes the endpoint, region and credentials from the environment.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE_NAME = process.env.TABLE_NAME;

function respond(statusCode, payload) {
  return {
    statusCode,
    headers: { "Content-Type": "application/json" },
    body: payload === undefined ? "" : JSON.stringify(payload),
  };
}

// The body as {name, price}, or a string saying why it is not one (a 400).
function readProduct(body) {
  let data;
  try {
    data = JSON.parse(body ?? "");
  } catch {
    return "body must be JSON";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return "body must be a JSON object";
  }
  const { name, price = 0 } = data;
  if (typeof name !== "string" || name.trim() === "") return "name is required";
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0) {
    return "price must be a number of at least 0";
  }
  return { name, price };
}

async function scanAll() {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await documents.send(new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey; // a page holds at most 1 MB
  } while (ExclusiveStartKey);
  return items;
}

async function route(method, resource, id, body) {
  if (resource === "/products" && method === "GET") {
    return respond(200, { items: await scanAll() });
  }
  if (resource === "/products" && method === "POST") {
    const product = readProduct(body);
    if (typeof product === "string") return respond(400, { message: product });
    const item = { id: randomUUID(), ...product };
    await documents.send(new PutCommand({ TableName: TABLE_NAME, Item: item }));
    return respond(201, item);
  }
  if (method === "GET") {
    const { Item } = await documents.send(new GetCommand({ TableName: TABLE_NAME, Key: { id } }));
    return Item ? respond(200, Item) : respond(404, { message: "product not found" });
  }
  if (method === "DELETE") {
    const { Attributes } = await documents.send(
      new DeleteCommand({ TableName: TABLE_NAME, Key: { id }, ReturnValues: "ALL_OLD" }),
    );
    return Attributes ? respond(204) : respond(404, { message: "product not found" });
  }
  if (method === "PUT") {
    const product = readProduct(body);
    if (typeof product === "string") return respond(400, { message: product });
    try {
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName: TABLE_NAME,
          Key: { id },
          // Without the condition, UpdateItem would create a product that is not there.
          ConditionExpression: "attribute_exists(id)",
          UpdateExpression: "SET #name = :name, price = :price", // `name` is a reserved word
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
  return respond(405, { message: `${method} is not allowed here` });
}

export const handler = async (event) => {
  try {
    return await route(
      event.httpMethod,
      event.resource,
      event.pathParameters?.productId,
      event.body,
    );
  } catch (error) {
    console.error(error); // the function's log says what went wrong; the client gets a 500
    return respond(500, { message: "internal error" });
  }
};
