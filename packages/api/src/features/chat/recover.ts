import type { StreamBus } from "../../infra/stream-bus";

/**
 * The longest text of a reply that the database copy and the bus agree on. The database
 * copy is saved throttled, so the bus usually holds a little more (what subscribers saw);
 * a capped bus may have lost its start, which the database copy then supplies.
 */
export async function recoverReplyText(
  bus: StreamBus,
  messageId: string,
  stored: string,
): Promise<string> {
  let text = stored;
  let after: string | null = null;
  try {
    for (let page = 0; page < 100; page++) {
      const events = await bus.read(messageId, after, { count: 1_000 });
      if (!events.length) break;
      for (const { id, entry } of events) {
        after = id;
        if (entry.kind !== "delta") continue;
        if (entry.offset > text.length) return text; // a gap neither copy can fill
        text =
          text.slice(0, entry.offset) + entry.text + text.slice(entry.offset + entry.text.length);
      }
    }
  } catch {
    // The bus is unreachable: the database copy is what there is.
  }
  return text;
}
