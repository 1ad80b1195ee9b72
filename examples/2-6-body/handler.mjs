// Step 2.6 in Node.js: the body is a string (or null); parse it yourself, and answer 400 for
// text that is not JSON instead of letting the exception become a 502.
function readJsonBody(event) {
  let raw = event.body;
  if (raw === null || raw === undefined) return null;
  if (event.isBase64Encoded) raw = Buffer.from(raw, "base64").toString("utf-8");
  return JSON.parse(raw); // throws SyntaxError on bad input
}

export const handler = async (event) => {
  let data;
  try {
    data = readJsonBody(event);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { statusCode: 400, body: JSON.stringify({ message: "body is not valid JSON" }) };
  }
  return { statusCode: 200, body: JSON.stringify({ received: data }) };
};
