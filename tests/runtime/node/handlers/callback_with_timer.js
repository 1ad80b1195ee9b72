// Answers at once, leaving a timer behind: whether Lambda waits for it depends on
// context.callbackWaitsForEmptyEventLoop.
exports.handler = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.waits;
  setTimeout(() => console.log("timer done"), 300);
  callback(null, { statusCode: 200, body: "early" });
};
