/**
 * `heimdall server`: the coordinator. Embedded by default (PGlite in the data folder, in-process
 * bus); PostgreSQL and NATS JetStream when DATABASE_URL and NATS_URL are set. Creates the first
 * admin on the first start and prints a generated password once. Stops cleanly on Ctrl-C.
 */
import { configSpec } from '@heimdall/config';
import { startServer } from '@heimdall/server';
import { parseCommandArgs, parsePort, type Command, type CommandContext } from '../command.ts';
import { untilStopped } from '../until-stopped.ts';

/** `doc` in lines of at most `width` characters, each indented by `indent`. */
function wrap(doc: string, indent: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of doc.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, indent + line].join('\n');
}

/** The sign-in settings, documented from @heimdall/config so the two never differ. */
const signInEnvironment = [
  configSpec.tokenTtlSeconds,
  configSpec.loginMaxFailures,
  configSpec.loginWindowSeconds,
  configSpec.trustProxy,
]
  .map((f) => `  ${f.env}\n${wrap(f.doc, '      ')}`)
  .join('\n');

const help = `usage: heimdall server [--port N] [--host ADDR]

Runs the Heimdall server: ingest from nodes, history, REST API (/api/v1, docs at /docs), live
WebSocket, /health, /ready and /metrics. Keeps its data in HEIMDALL_DATA_DIR (embedded
PostgreSQL) unless DATABASE_URL is set; uses NATS JetStream when NATS_URL is set.

On the first start it creates the user "admin" with HEIMDALL_ADMIN_PASSWORD, or with a
generated password that it prints once.

options:
  --port N       TCP port (default: PORT, else 8080; 0 picks a free one)
  --host ADDR    interface to listen on (default 0.0.0.0)

sign-in settings (environment):
${signInEnvironment}

example:
  HEIMDALL_ADMIN_PASSWORD=change-me heimdall server --port 8080`;

export const serverCommand: Command = {
  name: 'server',
  summary: 'run the server: ingest, spectrum history, detections, REST and live API',
  help,
  async run(ctx: CommandContext): Promise<number> {
    const args = parseCommandArgs(
      ctx,
      serverCommand,
      { port: { type: 'string' }, host: { type: 'string' } },
      false,
    );
    if (!args) return 0;
    const port = parsePort(args.values.port, ctx.config.port);
    if (ctx.signal.aborted) return 0;
    const running = await startServer(
      { ...ctx.config, port },
      args.values.host === undefined ? {} : { host: args.values.host },
    );
    const admin = running.server.createdAdmin;
    ctx.stdout.write(`heimdall server listening on ${running.url} (API docs: ${running.url}/docs)\n`);
    if (admin?.generated === true) {
      ctx.stdout.write(
        `created user "admin" with the generated password: ${admin.password}\n` +
          'it is shown only this once: keep it, or set HEIMDALL_ADMIN_PASSWORD before the first start\n',
      );
    } else if (admin !== undefined) {
      ctx.stdout.write('created user "admin" with the password from HEIMDALL_ADMIN_PASSWORD\n');
    }
    await untilStopped(ctx.signal);
    ctx.stdout.write('stopping...\n');
    await running.stop();
    return 0;
  },
};
