const users = {
  "1": { id: "1", name: "Ada Lovelace" },
  "2": { id: "2", name: "Grace Hopper" },
};

export const handler = async (event) => {
  const id = event.pathParameters?.id ?? event.path.split("/").pop();
  const user = users[id];
  if (!user) {
    return {
      statusCode: 404,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: `User ${id} not found` }),
    };
  }
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(user),
  };
};
