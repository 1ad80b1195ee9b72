// The Node.js side of course's Node runtime: one process per Lambda function, as on Lambda.
//
// Started as `node bootstrap.mjs REQUEST_FD REPLY_FD`. Requests arrive on REQUEST_FD and
// replies leave on REPLY_FD, one JSON document per line; the handler's own stdout and stderr
// stay the function's log, so nothing it prints can be mistaken for a reply.
//
// Requests:  {"op": "init", "file", "handler"}   import the module, find the export
//            {"op": "invoke", "event", "requestId", "deadlineMs", ...}   run it once
// Replies:   {"type": "ready"} | {"type": "initError", "error"}
//            {"type": "result", "payload"} | {"type": "error", "error"}   (+ "rssBytes", and
//            "exiting" when an uncaught exception ends this process right after)

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import module from "node:module";
import net from "node:net";
import path from "node:path";
import util from "node:util";
import { pathToFileURL } from "node:url";

// NODE_PATH holds where Lambda's runtime keeps packages a function may import without
// bundling them (the AWS SDK v3). require() reads it; ES module imports do not, so a resolve
// hook (sdk_hooks.mjs) tries those folders when an import is found nowhere else.
const nodePath = (process.env.NODE_PATH ?? "").split(path.delimiter).filter(Boolean);
if (nodePath.length > 0 && typeof module.register === "function") {
  module.register("./sdk_hooks.mjs", import.meta.url, { data: { folders: nodePath } });
}

const requestFd = Number(process.argv[2]);
const replyFd = Number(process.argv[3]);

// Lambda prints "undefined" as the request id of what a module logs while it loads.
let currentRequestId = undefined;
let handler = null;
let handlerLabel = "";
let active = null; // the invocation in progress: { finished, pendingAnswer }

// --- replies ---------------------------------------------------------------------------------

function send(frame) {
  const bytes = Buffer.from(`${JSON.stringify(frame)}\n`, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(replyFd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
    }
  }
}

// --- the function's log: console.* in Lambda's Node format -----------------------------------

const LEVELS = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG" };

function logLine(level, message) {
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
}

for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = (...args) => logLine(level, util.format(...args));
}
console.trace = (...args) => {
  const stack = (new Error().stack ?? "").split("\n").slice(2).join("\n");
  logLine("TRACE", `Trace: ${util.format(...args)}\n${stack}`);
};

// --- errors as Lambda's Node runtime reports them -------------------------------------------

const BOOTSTRAP_URL = import.meta.url;

// The stack as the learner's code sees it: the frames below this file are ours and Node's,
// so they are cut (Lambda's own trace shows its runtime's frames; ours would only be noise).
function learnerTrace(stack) {
  const lines = stack.split("\n");
  const ours = lines.findIndex((line) => line.includes(BOOTSTRAP_URL));
  return ours > 0 ? lines.slice(0, ours) : lines;
}

function errorShape(error) {
  if (util.types.isNativeError(error) || error instanceof Error) {
    const stack = typeof error.stack === "string" ? error.stack : String(error);
    return {
      errorType: String(error.name ?? "Error"),
      errorMessage: String(error.message ?? ""),
      trace: learnerTrace(stack),
    };
  }
  // A thrown string, number or object: its type and its text, no trace.
  let message;
  try {
    message = typeof error === "object" && error !== null ? JSON.stringify(error) : String(error);
  } catch {
    message = String(error);
  }
  return { errorType: typeof error, errorMessage: message ?? String(error), trace: [] };
}

function logError(label, shape) {
  const { errorType, errorMessage, trace } = shape;
  const logged = { errorType, errorMessage, stack: trace };
  logLine("ERROR", `${label} \t${JSON.stringify(logged)}`);
}

// --- the init phase --------------------------------------------------------------------------

function initError(error, file) {
  const code = error?.code;
  if (error instanceof SyntaxError) {
    return {
      errorType: "Runtime.UserCodeSyntaxError",
      errorMessage: `SyntaxError: ${error.message}`,
      trace: [...syntaxErrorPlace(file), ...learnerTrace(String(error.stack ?? ""))],
    };
  }
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
    return {
      errorType: "Runtime.ImportModuleError",
      errorMessage: `Error: ${error.message}`,
      trace: String(error.stack ?? "").split("\n"),
    };
  }
  if (code === "ERR_REQUIRE_ESM" || code === "ERR_UNKNOWN_FILE_EXTENSION") {
    return {
      errorType: "Runtime.ImportModuleError",
      errorMessage: `Error: ${error.message} (${path.basename(file)})`,
      trace: String(error.stack ?? "").split("\n"),
    };
  }
  return errorShape(error);
}

// An import's SyntaxError does not say where it is; `node --check` does ("file:LINE", the
// line, a caret). Only on this error path, so a failing import costs one more process.
function syntaxErrorPlace(file) {
  const checked = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
  const lines = String(checked.stderr ?? "").split("\n");
  const place = lines.findIndex((line) => line.startsWith(`${file}:`));
  return place >= 0 ? lines.slice(place, place + 3) : [];
}

async function init(request) {
  handlerLabel = `${path.basename(request.file).replace(/\.[^.]*$/, "")}.${request.handler}`;
  let module;
  try {
    module = await import(pathToFileURL(request.file).href);
  } catch (error) {
    const shape = initError(error, request.file);
    logError("Uncaught Exception", shape);
    whenFlushed(() => send({ type: "initError", error: shape }));
    return;
  }
  // CommonJS: `exports.handler` is a named export when Node can see it, else on `default`.
  let found = module[request.handler];
  if (found === undefined && module.default !== null && typeof module.default === "object") {
    found = module.default[request.handler];
  }
  if (typeof found !== "function") {
    const problem = found === undefined ? "is undefined or not exported" : "is not a function";
    const shape = {
      errorType: "Runtime.HandlerNotFound",
      errorMessage: `${handlerLabel} ${problem}`,
      trace: [`Runtime.HandlerNotFound: ${handlerLabel} ${problem}`],
    };
    logError("Uncaught Exception", shape);
    whenFlushed(() => send({ type: "initError", error: shape }));
    return;
  }
  handler = found;
  whenFlushed(() => send({ type: "ready" }));
}

// --- one invocation --------------------------------------------------------------------------

function makeContext(request, callback) {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: request.functionName,
    functionVersion: request.functionVersion,
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB: request.memoryLimitInMB,
    awsRequestId: request.requestId,
    logGroupName: request.logGroupName,
    logStreamName: request.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
    // The legacy helpers, still offered by Lambda's Node runtimes.
    done: (error, result) => callback(error, result),
    succeed: (result) => callback(null, result),
    fail: (error) => callback(error ?? "handled"),
  };
  return context;
}

function answerValue(invocation, value) {
  if (invocation.finished) return;
  invocation.finished = true;
  let payload;
  try {
    payload = JSON.stringify(value === undefined ? null : value) ?? "null";
  } catch (error) {
    answerError(invocation, error, true);
    return;
  }
  finish({ type: "result", payload });
}

function answerError(invocation, error, force = false) {
  if (invocation.finished && !force) return;
  invocation.finished = true;
  const shape = errorShape(error);
  logError("Invoke Error", shape);
  finish({ type: "error", error: shape });
}

// stdout and stderr are pipes here, and Node writes to pipes asynchronously on POSIX: what
// the function printed may still be queued. An empty write calls back once everything queued
// before it is out, so the reply never overtakes the function's output.
function whenFlushed(then) {
  const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  let left = pending.length;
  if (left === 0) {
    then();
    return;
  }
  for (const stream of pending) {
    stream.write("", () => {
      left -= 1;
      if (left === 0) then();
    });
  }
}

function finish(frame) {
  frame.rssBytes = process.memoryUsage.rss();
  active = null;
  whenFlushed(() => {
    send(frame);
    input.ref(); // wait for the next request
  });
}

function invoke(request) {
  currentRequestId = request.requestId;
  const invocation = { finished: false, pendingAnswer: null };
  active = invocation;
  // While the function runs, our pipe must not keep the event loop alive: "empty" means the
  // function's own work is done (callbackWaitsForEmptyEventLoop).
  input.unref();
  const callback = (error, result) => {
    if (invocation.finished || invocation.pendingAnswer !== null) return;
    const answer =
      error !== null && error !== undefined
        ? () => answerError(invocation, error)
        : () => answerValue(invocation, result);
    if (context.callbackWaitsForEmptyEventLoop) {
      invocation.pendingAnswer = answer;
    } else {
      answer();
    }
  };
  const context = makeContext(request, callback);
  let returned;
  try {
    returned = handler(request.event, context, callback);
  } catch (error) {
    answerError(invocation, error);
    return;
  }
  if (returned !== null && typeof returned?.then === "function") {
    returned.then(
      (value) => answerValue(invocation, value),
      (error) => answerError(invocation, error),
    );
  }
}

// The event loop ran dry during an invocation: answer with what the callback gave, or with
// null when the function never answered, as Lambda's Node runtime does.
process.on("beforeExit", () => {
  const invocation = active;
  if (invocation === null) return;
  if (invocation.pendingAnswer !== null) invocation.pendingAnswer();
  else answerValue(invocation, undefined);
});

function fatal(label, shape, status) {
  logError(label, shape);
  const answering = active !== null && !active.finished;
  if (answering) active.finished = true;
  whenFlushed(() => {
    if (answering) {
      send({ type: "error", error: shape, rssBytes: process.memoryUsage.rss(), exiting: true });
    }
    process.exit(status);
  });
}

process.on("uncaughtException", (error) => fatal("Uncaught Exception", errorShape(error), 129));
process.on("unhandledRejection", (reason) => {
  const shape = {
    errorType: "Runtime.UnhandledPromiseRejection",
    errorMessage: util.types.isNativeError(reason)
      ? `${reason.name}: ${reason.message}`
      : String(reason),
    trace: errorShape(reason).trace,
  };
  fatal("Unhandled Promise Rejection", shape, 128);
});

// --- the request pipe ------------------------------------------------------------------------

const input = new net.Socket({ fd: requestFd, readable: true, writable: false });
let buffered = "";
input.setEncoding("utf8");
input.on("data", (chunk) => {
  buffered += chunk;
  let newline = buffered.indexOf("\n");
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const request = JSON.parse(line);
    if (request.op === "init") init(request);
    else if (request.op === "invoke") invoke(request);
    newline = buffered.indexOf("\n");
  }
});
// The parent closed the pipe: it is done with this function.
input.on("end", () => process.exit(0));
