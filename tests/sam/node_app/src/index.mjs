// An ES module: what this function sees of its environment.
const seen = (names) => Object.fromEntries(names.map((name) => [name, process.env[name] ?? null]));

export const handler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({
    ...seen(["MESSAGE", "GREET_ONLY", "APP_STAGE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"]),
    ...seen(["AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV", "LAMBDA_TASK_ROOT"]),
    memory: context.memoryLimitInMB,
    timeoutMs: context.getRemainingTimeInMillis(),
  }),
});
