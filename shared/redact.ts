/**
 * Keeps secrets out of logs, errors and files. Every secret value the collector loads is
 * registered here; {@link Redactor.redact} replaces it (and any Authorization header value) with
 * `[REDACTED]`.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Register secret values (tokens, passwords, derived Basic credentials). Short values are ignored. */
  add(...values: (string | undefined)[]): void {
    for (const v of values) {
      if (v && v.length >= 6) this.secrets.add(v);
    }
  }

  redact(text: string): string {
    let out = text.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[^\s"',}]+/gi, '$1$2 [REDACTED]');
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    return out;
  }
}

/** Structured, one-line JSON logger that passes every line through a redactor. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(redactor: Redactor, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(redactor.redact(JSON.stringify({ level, msg, ...fields })));
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
