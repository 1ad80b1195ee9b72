export const other = async () => ({ statusCode: 200, body: "" });
