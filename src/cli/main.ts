import { Command, CommanderError } from 'commander';
import { isTukangError } from '../errors/catalogue.js';
import { registerRunCommand } from './run-command.js';
import { registerCatalogCommand } from './catalog-command.js';
import { registerStackCommand } from './stack-command.js';
import { registerProduceSampleCommand } from './produce-sample-command.js';
import { registerReplayCommand } from './replay-command.js';
import { registerGcCommand } from './gc-command.js';

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('tukang')
    .description('Materializes Kafka event streams into clean, partitioned Parquet on S3, with a metadata catalog.')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommand(program);
  registerCatalogCommand(program);
  registerStackCommand(program);
  registerProduceSampleCommand(program);
  registerReplayCommand(program);
  registerGcCommand(program);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
    // A failed start may leave client retry timers behind; they must not keep the process alive.
    setImmediate(() => process.exit(process.exitCode ?? EXIT.failure)).unref();
  }
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or help); help and version exit 0.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (isTukangError(err)) {
    process.stderr.write(`tukang: ${err.message} [${err.code}]\n`);
    return err.code === 'CONFIG_INVALID' || err.code === 'CONFIG_UNREADABLE' || err.code === 'USAGE_INVALID' ? EXIT.usage : EXIT.failure;
  }
  process.stderr.write(`tukang: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.failure;
}
