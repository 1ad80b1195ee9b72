// More output than a pipe holds (64 KiB on Linux), then an answer at once.
export const handler = async () => {
  const line = "x".repeat(1000);
  for (let i = 0; i < 300; i += 1) {
    console.log(`${i} ${line}`);
  }
  process.stdout.write("raw tail\n");
  return { statusCode: 200, body: "done" };
};
