console.log("loading the module");
export const handler = async (event, context) => {
  console.log("hello from", event.path);
  console.info("an info line");
  console.warn("a warning");
  console.error("an error line");
  console.debug("a debug line");
  console.log('{"type":"result","payload":"null"}');
  return { statusCode: 200, body: JSON.stringify({ id: context.awsRequestId }) };
};
