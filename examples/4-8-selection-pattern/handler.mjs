// Step 4.8 in Node.js: behind a custom (AWS) integration, a thrown error becomes Lambda's
// errorMessage, which selectionPattern matches. Its errorType is the error's name ("Error").
export const handler = async (event) => {
  const productId = event.productId;
  if (productId !== "p1") throw new Error(`Not found: product ${productId}`);
  return { id: "p1", name: "lamp" };
};
