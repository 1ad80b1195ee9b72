// A TOKEN authorizer: allows the token "allow", denies any other.
export const handler = async (event) => ({
  principalId: "learner",
  policyDocument: {
    Version: "2012-10-17",
    Statement: [
      {
        Action: "execute-api:Invoke",
        Effect: event.authorizationToken === "allow" ? "Allow" : "Deny",
        Resource: event.methodArn,
      },
    ],
  },
});
