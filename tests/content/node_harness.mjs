// Runs a Node.js handler on the cases given as JSON on stdin, as Lambda's Node.js runtime
// would call it, and prints one JSON result per case: {"value": ...} or {"error": {...}}.
// Used by tests/content/test_node_handlers.py.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, exportName = "handler"] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(0, "utf-8"));
const module = await import(pathToFileURL(modulePath).href);

// A stand-in for the DynamoDB document client: one in-memory table, the five commands the
// products handler sends, and the error name DynamoDB gives a failed condition.
function fakeDynamo() {
  const items = new Map();
  const command = (name) =>
    class {
      constructor(input) {
        this.name = name;
        this.input = input;
      }
    };
  const names = ["ScanCommand", "PutCommand", "GetCommand", "UpdateCommand", "DeleteCommand"];
  const dynamo = Object.fromEntries(names.map((name) => [name, command(name)]));
  dynamo.send = async ({ name, input }) => {
    const id = input.Key?.id;
    switch (name) {
      case "ScanCommand":
        return { Items: [...items.values()] };
      case "PutCommand":
        items.set(input.Item.id, input.Item);
        return {};
      case "GetCommand":
        return items.has(id) ? { Item: items.get(id) } : {};
      case "UpdateCommand": {
        if (!items.has(id)) {
          const error = new Error("The conditional request failed");
          error.name = "ConditionalCheckFailedException";
          throw error;
        }
        const values = input.ExpressionAttributeValues;
        const item = { ...items.get(id), name: values[":name"], price: values[":price"] };
        items.set(id, item);
        return { Attributes: item };
      }
      case "DeleteCommand": {
        const old = items.get(id);
        items.delete(id);
        return old ? { Attributes: old } : {};
      }
      default:
        throw new Error(`unexpected command ${name}`);
    }
  };
  return dynamo;
}

const dynamo = fakeDynamo();
const handler =
  exportName === "makeHandler" ? module.makeHandler(async () => dynamo) : module[exportName];

const results = [];
let previous;
for (const { event, remainingMs = 3000 } of cases) {
  // {"$previousId": true} in a path parameter stands for the id the previous answer created.
  if (event?.pathParameters?.productId === "$previousId") {
    event.pathParameters.productId = JSON.parse(previous.body).id;
  }
  const context = {
    awsRequestId: "00000000-0000-0000-0000-000000000000",
    getRemainingTimeInMillis: () => remainingMs,
  };
  try {
    previous = await handler(event, context);
    results.push({ value: previous === undefined ? null : previous });
  } catch (error) {
    results.push({ error: { name: error.name, message: error.message } });
  }
}
process.stdout.write(JSON.stringify(results));
