// Step 6.3 in Node.js: a TOKEN authorizer that allows ada, denies bob and refuses the rest.
const TOKENS = { "allow-me": "ada", "deny-me": "bob" }; // a real authorizer verifies a JWT instead

export const handler = async (event) => {
  const user = TOKENS[event.authorizationToken];
  if (user === undefined) {
    throw new Error("Unauthorized"); // this exact message: 401
  }
  const effect = user === "bob" ? "Deny" : "Allow";
  // Resource: this one method on this one path (step 6.5 comes back to it)
  const statement = { Action: "execute-api:Invoke", Effect: effect, Resource: event.methodArn };
  return {
    principalId: user,
    policyDocument: { Version: "2012-10-17", Statement: [statement] },
    context: { plan: "pro", admin: false, quota: 5 },
  };
};
