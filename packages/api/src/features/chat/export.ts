import type { chat, files } from "@parley/db";

type Conversation = chat.ConversationRow;
type Message = chat.MessageRow;
type Attachment = files.MessageAttachmentInfo;

export interface ConversationExport {
  filename: string;
  mimeType: string;
  content: string;
  /** True when the branch had more messages than an export holds. */
  truncated: boolean;
}

/** The conversation's active branch as a JSON document or as Markdown. */
export function exportConversation(
  conversation: Conversation,
  messages: Message[],
  format: "json" | "markdown",
  truncated: boolean,
  attachments: Attachment[] = [],
): ConversationExport {
  const base = slug(conversation.title) || "conversation";
  const filesOf = (messageId: string) => attachments.filter((a) => a.messageId === messageId);
  if (format === "json") {
    const document = {
      conversation: {
        id: conversation.id,
        title: conversation.title,
        model: conversation.model,
        systemPrompt: conversation.systemPrompt,
        temperature: conversation.temperature,
        createdAt: conversation.createdAt.toISOString(),
        updatedAt: conversation.updatedAt.toISOString(),
      },
      messages: messages.map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        status: m.status,
        model: m.model,
        error: m.error,
        promptTokens: m.promptTokens,
        completionTokens: m.completionTokens,
        createdAt: m.createdAt.toISOString(),
        // What was sent with the message; the files themselves stay in the store.
        attachments: filesOf(m.id).map((a) => ({
          id: a.id,
          name: a.name,
          mimeType: a.mimeType,
          kind: a.kind,
          size: a.size,
        })),
      })),
      truncated,
      exportedAt: new Date().toISOString(),
    };
    return {
      filename: `${base}.json`,
      mimeType: "application/json",
      content: JSON.stringify(document, null, 2),
      truncated,
    };
  }
  const lines = [`# ${conversation.title}`, ""];
  if (conversation.systemPrompt)
    lines.push(`> System prompt: ${conversation.systemPrompt.replace(/\n/g, "\n> ")}`, "");
  for (const m of messages) {
    const who = m.role === "user" ? "You" : `Assistant${m.model ? ` (${m.model})` : ""}`;
    const note = m.status === "complete" ? "" : ` — ${m.status}`;
    lines.push(
      `### ${who} · ${m.createdAt.toISOString()}${note}`,
      "",
      m.content || "_(no text)_",
      "",
    );
    const sent = filesOf(m.id);
    if (sent.length)
      lines.push(
        "Attachments:",
        ...sent.map((a) => `- ${escapeMarkdown(a.name)} (${a.mimeType}, ${bytes(a.size)})`),
        "",
      );
    if (m.error) lines.push(`> ${m.error}`, "");
  }
  if (truncated)
    lines.push("_This export stops early: the conversation is longer than an export holds._", "");
  return {
    filename: `${base}.md`,
    mimeType: "text/markdown",
    content: lines.join("\n"),
    truncated,
  };
}

/** A file name shown as text, never as a link, emphasis or HTML. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~-]/g, (c) => `\\${c}`);
}

const bytes = (size: number) => `${size.toLocaleString("en")} ${size === 1 ? "byte" : "bytes"}`;

function slug(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 60);
}
