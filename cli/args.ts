import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';

/**
 * The one way a command reads its arguments: `node:util` parseArgs (strict, so a misspelt flag fails), then the
 * command's zod schema. Every failure is a {@link ConfigError} naming the flag, followed by the usage.
 * `--help`/`-h` throws {@link HelpRequested}. `positional` names the schema field that receives the one allowed positional argument (e.g. the SQL of
 * `npm run query`); without it positionals are refused.
 */
/** `--help` or `-h` was given: the command prints `usage` to stdout and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super(usage);
    this.name = 'HelpRequested';
  }
}

export function parseCommandArgs<S extends z.ZodType>(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
  usage: string,
  positional?: { field: string; tooMany: string },
): z.infer<S> {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(usage);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positional !== undefined });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\n${usage}`, { cause: e });
  }
  if (positional && parsed.positionals.length > 1) throw new ConfigError(`${positional.tooMany}\n${usage}`);
  const input = positional ? { ...parsed.values, [positional.field]: parsed.positionals[0] } : parsed.values;
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ConfigError(`${i?.path.length ? `--${i.path.join('.')}: ` : ''}${i?.message}\n${usage}`);
  }
  return r.data;
}

/** Where a command writes: its output and its messages (tests pass their own). */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** The process's own stdout and stderr. */
export const processIo: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/**
 * A command's parsed arguments, or the exit code it stops with: 0 after printing the usage for `--help`, 2 after
 * printing what is wrong with the arguments (the message already ends with the usage).
 */
export function argsOrExitCode<A extends { help: boolean }>(parse: (argv: readonly string[]) => A, argv: readonly string[], usage: string, io: CommandIo): A | number {
  try {
    const a = parse(argv);
    if (!a.help) return a;
    io.stdout(`${usage}\n`);
    return 0;
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout(`${e.usage}\n`);
      return 0;
    }
    io.stderr(`${(e as Error).message}\n`);
    return 2;
  }
}

/**
 * Runs a command when `moduleUrl` (its `import.meta.url`) is the process's entry point, and exits with the code it
 * returns; an error it throws exits 2 with the error's name and message.
 */
export function runIfMain(moduleUrl: string, run: (argv: readonly string[]) => Promise<number>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
      process.exit(2);
    },
  );
}
