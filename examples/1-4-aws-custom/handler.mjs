// Step 1.4 in Node.js: behind a custom (AWS) integration the function knows nothing about HTTP;
// it gets exactly what the request template wrote, and returns plain data.
export const handler = async (event) => ({
  id: event.userId,
  name: "Ada",
  traceId: event.requestId,
});
