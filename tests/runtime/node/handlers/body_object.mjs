// The lesson's 502: the body is an object, not a string.
export const handler = async () => ({ statusCode: 200, body: { id: "1" } });
