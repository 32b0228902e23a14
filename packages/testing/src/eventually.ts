/**
 * Polls `check` until it returns a value other than undefined, and returns that value. It has
 * no deadline of its own on purpose: the test's timeout bounds the wait and reports it.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  intervalMs = 25,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
