import os from 'node:os';
import path from 'node:path';

/** Where resolved tools are cached: outside the clone, shared by every clone on the machine. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.REVOLVE_TOOLS_DIR || path.join(os.homedir(), '.cache', 'revolve'));
}

/** A toolchain step that says what it is doing and how long it took. */
export async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stderr.write(`[revolve] ${what} ...\n`);
  try {
    const result = await run();
    process.stderr.write(`[revolve] ${what}: done in ${formatMs(performance.now() - started)}\n`);
    return result;
  } catch (err) {
    process.stderr.write(`[revolve] ${what}: FAILED after ${formatMs(performance.now() - started)}\n`);
    throw err;
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A missing tool: names it and the variable that overrides it. */
export class ToolchainError extends Error {
  constructor(tool: string, variable: string, detail: string) {
    super(`${tool} could not be resolved: ${detail}\n  Set ${variable} to override.`);
    this.name = 'ToolchainError';
  }
}
