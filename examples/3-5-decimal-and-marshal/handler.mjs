// Step 3.5 in Node.js. The DynamoDB document client hands you plain JavaScript numbers by
// default, so JSON.stringify copes with a price. Its trap is BigInt: JSON.stringify throws
// "TypeError: Do not know how to serialize a BigInt" and the client gets a 502. A replacer
// plays the part of Python's `default`:
const toJson = (key, value) => (typeof value === "bigint" ? value.toString() : value);

export const handler = async () => {
  const item = { id: "p1", name: "lamp", price: 19.99, views: 12345678901234567890n };
  return { statusCode: 200, body: JSON.stringify(item, toJson) };
};
