exports.handler = (event, context, callback) => {
  callback(new Error("no such user"));
};
