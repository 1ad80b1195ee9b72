// Step 2.4 in Node.js: without a query string, queryStringParameters is null, and this throws
// "TypeError: Cannot read properties of null (reading 'include')": the client gets a 502.
export const handler = async (event) => {
  const include = event.queryStringParameters.include;
  return { statusCode: 200, body: `including ${include}` };
};
