// A module resolve hook, registered by bootstrap.mjs when NODE_PATH is set: a bare import
// (`@aws-sdk/client-dynamodb`) that the handler's own node_modules cannot satisfy is looked
// for in each NODE_PATH folder in turn, as require() would look. Relative, absolute and
// built-in imports are never redirected.

import path from "node:path";
import { pathToFileURL } from "node:url";

let parents = [];

export function initialize(data) {
  // Resolving from a file beside a node_modules folder looks inside that folder first.
  parents = (data?.folders ?? []).map(
    (folder) => pathToFileURL(path.join(path.dirname(folder), "course-sdk-parent.mjs")).href,
  );
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z+.-]*:)/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder either: try the next one
      }
    }
    throw error;
  }
}
