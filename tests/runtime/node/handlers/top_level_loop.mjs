// The module never finishes loading.
for (;;) {}
export const handler = async () => ({ statusCode: 200, body: "never" });
