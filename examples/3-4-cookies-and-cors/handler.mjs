// Step 3.4 in Node.js: a header that repeats goes in multiValueHeaders.
export const handler = async () => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  multiValueHeaders: { "Set-Cookie": ["session=abc; HttpOnly; Secure", "theme=dark"] },
  body: JSON.stringify({ ok: true }),
});
