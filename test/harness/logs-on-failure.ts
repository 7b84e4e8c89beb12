/** Runs a test body; when it throws, writes `logs()` (the processes' output) to stderr first. */
export async function withLogsOnFailure(logs: () => string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    process.stderr.write(logs());
    throw err;
  }
}
