// Step 2.5 in Node.js: a key that may repeat is read from the multi-value map.
export const handler = async (event) => {
  const multi = event.multiValueQueryStringParameters ?? {};
  const tags = multi.tag ?? [];
  return { statusCode: 200, body: JSON.stringify({ tags }) };
};
