// Step 6.5 in Node.js: the same authorizer, with a policy that fits every method of the stage.
const TOKENS = { "allow-me": "ada", "deny-me": "bob" };

// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH -> every verb and path of STAGE
const wholeApi = (methodArn) => {
  const [api, stage] = methodArn.split("/");
  return `${api}/${stage}/*/*`;
};

export const handler = async (event) => {
  const user = TOKENS[event.authorizationToken];
  if (user === undefined) {
    throw new Error("Unauthorized");
  }
  const statement = {
    Action: "execute-api:Invoke",
    Effect: user === "bob" ? "Deny" : "Allow",
    Resource: wholeApi(event.methodArn), // cached, it still fits the next call
  };
  return {
    principalId: user,
    policyDocument: { Version: "2012-10-17", Statement: [statement] },
    context: { plan: "pro", admin: false, quota: 5 },
  };
};
