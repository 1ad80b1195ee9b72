// Exercise 02-proxy-event in JavaScript: the handler behind GET /users/{userId} (AWS_PROXY).
//
// Every request gets status 200 and a JSON body (a string!) with three fields:
//   "userId":  the path parameter userId;
//   "include": the query parameter include, or null when the request has none;
//   "tenant":  the X-Tenant header, or "public" without one. Clients spell header names as
//              they like: X-Tenant, x-tenant and X-TENANT are one header.
//
// Graded by the same checks as handler.py: `course check 02-proxy-event`.

export const handler = async (event) => {
  // Fields with nothing in them are null, not missing: normalise them once, here.
  const query = event.queryStringParameters ?? {};
  const params = event.pathParameters ?? {};
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );

  const user = {
    userId: params.userId ?? null,
    include: query.include ?? null,
    tenant: headers["x-tenant"] ?? "public",
  };
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(user),
  };
};
