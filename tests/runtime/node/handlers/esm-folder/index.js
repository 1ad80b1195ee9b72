export const handler = async () => ({ statusCode: 200, body: "esm in a .js file" });
