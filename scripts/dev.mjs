// `npm run dev`: the API (restarts on change) and the Vite dev server (proxying /trpc to
// the API) side by side, each line prefixed with its source. Ctrl+C stops both.
import { spawn } from "node:child_process";

const tasks = [
  ["api", ["run", "dev", "-w", "@parley/server"]],
  ["web", ["run", "dev", "-w", "@parley/web"]],
];

const children = tasks.map(([name, args]) => {
  const child = spawn("npm", args, { stdio: ["ignore", "pipe", "pipe"] });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((line) => `[${name}] ${line}`)
      .join("\n") + "\n";
  child.stdout.on("data", (c) => process.stdout.write(prefix(c)));
  child.stderr.on("data", (c) => process.stderr.write(prefix(c)));
  child.on("exit", (code) => {
    console.log(`[${name}] exited with ${code}`);
    stopAll();
  });
  return child;
});

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
}
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
