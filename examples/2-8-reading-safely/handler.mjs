// Step 2.8 in Node.js: normalise once, at the top, and the rest of the handler stays simple.
export const handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  const params = event.pathParameters ?? {};
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );

  const user = { id: params.userId ?? null, lang: headers["accept-language"] ?? "en" };
  if (query.include === "orders") user.orders = [];
  return { statusCode: 200, body: JSON.stringify(user) };
};
