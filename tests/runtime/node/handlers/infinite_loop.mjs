let calls = 0;
export const handler = async (event) => {
  calls += 1;
  if (event.path === "/loop") {
    for (;;) {}
  }
  return { statusCode: 200, body: JSON.stringify({ calls }) };
};
