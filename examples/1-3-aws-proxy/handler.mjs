// Step 1.3 in Node.js: the whole request arrives as one event; the return value is the answer.
export const handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  const name = query.name ?? "world";
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ greeting: `hello, ${name}` }),
  };
};
