// Step 3.6 in Node.js. Number("abc") does not throw, it gives NaN: check the value instead of
// catching. loadUser stands for your data access, which can fail.
const loadUser = async (userId) => ({ id: userId, name: "Ada" });

export const handler = async (event) => {
  const userId = Number(event.pathParameters.userId);
  if (!Number.isInteger(userId)) {
    return { statusCode: 400, body: JSON.stringify({ message: "userId must be a number" }) };
  }
  let user;
  try {
    user = await loadUser(userId);
  } catch (error) {
    console.error(`could not load user ${userId}`, error);
    return { statusCode: 500, body: JSON.stringify({ message: "internal error" }) };
  }
  return { statusCode: 200, body: JSON.stringify(user) };
};
