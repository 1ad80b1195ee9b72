// An error thrown from a timer: no handler can catch it, and the runtime process ends.
let calls = 0;
export const handler = async (event) => {
  calls += 1;
  if (event.boom) {
    setTimeout(() => {
      throw new RangeError("thrown from a timer");
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { statusCode: 200, body: String(calls) };
};
