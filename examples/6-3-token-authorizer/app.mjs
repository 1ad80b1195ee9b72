// Step 6.4 in Node.js: the function behind the authorizer reads what it decided.
export const handler = async (event) => {
  const caller = event.requestContext.authorizer; // what the authorizer decided
  const answer = { user: caller.principalId, plan: caller.plan, admin: caller.admin };
  return { statusCode: 200, body: JSON.stringify(answer) };
};
