import fs from 'node:fs';
import path from 'node:path';
import { onPath, run } from './exec';
import { step, toolsDir, ToolchainError } from './step';

/** The newest CLI tag `go install` accepts (later go.mod files carry a `replace`). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export type TemporalCli = { kind: 'binary'; path: string } | { kind: 'sdk-download' };

/**
 * Finds the Temporal CLI (dev server + Web UI) in the order DESIGN.md §4 gives:
 * TEMPORAL_CLI_PATH, `temporal` on PATH, a build from source through the Go module proxy cached
 * under $REVOLVE_TOOLS_DIR, else the SDK's own download (works only with internet).
 */
export async function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<TemporalCli> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!fs.existsSync(env.TEMPORAL_CLI_PATH)) {
      throw new ToolchainError('Temporal CLI', 'TEMPORAL_CLI_PATH', `${env.TEMPORAL_CLI_PATH} does not exist`);
    }
    return { kind: 'binary', path: env.TEMPORAL_CLI_PATH };
  }
  const cached = path.join(toolsDir(env), 'bin', 'temporal');
  if (fs.existsSync(cached)) return { kind: 'binary', path: cached };
  const fromPath = await onPath('temporal');
  if (fromPath) return { kind: 'binary', path: fromPath };

  const go = await onPath('go');
  if (go) {
    try {
      await step(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from source with go install (first run only, minutes)`, async () => {
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
          env: {
            ...process.env,
            GOBIN: path.dirname(cached),
            GOFLAGS: '-buildvcs=false',
            // The checksum database (sum.golang.org) is not reachable from machines without internet;
            // the version is pinned and the module proxy is the only source.
            GOSUMDB: env.GOSUMDB ?? 'off',
          },
        });
      });
      return { kind: 'binary', path: cached };
    } catch (err) {
      process.stderr.write(`[revolve] go install failed, falling back to the SDK's download: ${(err as Error).message.split('\n').slice(-3).join(' ')}\n`);
    }
  } else {
    process.stderr.write('[revolve] go is not on PATH; falling back to the SDK\'s download of the Temporal CLI (needs internet; set TEMPORAL_CLI_PATH to avoid it)\n');
  }
  return { kind: 'sdk-download' };
}
