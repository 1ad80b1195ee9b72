// Step 3.1 in Node.js: say what you send; without a Content-Type, API Gateway says JSON.
export const handler = async () => {
  const page = "<h1>Hello</h1>";
  return {
    statusCode: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    body: page,
  };
};
