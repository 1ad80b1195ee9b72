// Callback style: the answer goes through callback(null, result) after a timer.
exports.handler = (event, context, callback) => {
  setTimeout(() => {
    callback(null, {
      statusCode: 200,
      body: JSON.stringify({ remaining: context.getRemainingTimeInMillis() > 0 }),
    });
  }, 10);
};
