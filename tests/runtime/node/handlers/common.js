// CommonJS, as older Lambda examples write it.
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ style: "commonjs", path: event.path }),
});
