// Step 2.4 in Node.js: `?? {}` turns null into an empty object. A default parameter or
// destructuring default would not help: they replace undefined, and the value here is null.
export const handler = async (event) => {
  const query = event.queryStringParameters ?? {};
  const include = query.include ?? "nothing";
  return { statusCode: 200, body: `including ${include}` };
};
