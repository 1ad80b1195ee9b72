// Step 3.11 in Node.js: behind ANY /{proxy+}, the browser's preflight reaches the function.
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "https://shop.example.com",
  "Access-Control-Allow-Headers": "Content-Type,Authorization",
  "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
};

export const handler = async (event) => {
  if (event.httpMethod === "OPTIONS") {
    // the preflight: allow, and do no work
    return { statusCode: 204, headers: CORS_HEADERS, body: "" };
  }
  return {
    statusCode: 200,
    headers: { ...CORS_HEADERS, "Content-Type": "application/json" },
    body: JSON.stringify({ path: event.path }),
  };
};
