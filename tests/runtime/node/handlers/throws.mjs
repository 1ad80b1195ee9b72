export const handler = async () => {
  throw new TypeError("user.name is undefined");
};
