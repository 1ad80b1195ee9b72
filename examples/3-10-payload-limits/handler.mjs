// Step 3.10 in Node.js: an answer over Lambda's 6 MB, which the client gets as a 502.
export const handler = async () => {
  const report = "x".repeat(7_000_000); // 7 MB of text: more than Lambda hands back from a call
  return { statusCode: 200, headers: { "Content-Type": "text/plain" }, body: report };
};
