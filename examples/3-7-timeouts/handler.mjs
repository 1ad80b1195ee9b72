// Step 3.7 in Node.js: stop while there is still time to answer.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const handler = async (event, context) => {
  let done = 0;
  for (let i = 0; i < 1000; i += 1) {
    if (context.getRemainingTimeInMillis() < 1000) break; // keep one second for the answer
    await sleep(10); // one unit of work
    done += 1;
  }
  return { statusCode: 200, body: JSON.stringify({ done }) };
};
