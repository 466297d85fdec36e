import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

/**
 * The questions an auditor asks first (`sql/questions/*.sql`), each one query over the views. Their dates
 * are `?` parameters, declared in order by `-- @param <name> <description>` lines (date, or from_dt and
 * to_dt): the Athena console asks for them when the saved query runs, and `npm run query -- --question N`
 * fills them with the latest snapshot (and the one before it). A literal date lets both engines read just
 * that day's partitions.
 */
export interface QuestionParam {
  readonly name: 'date' | 'from_dt' | 'to_dt';
  readonly description: string;
}

export interface Question {
  readonly number: number;
  readonly title: string;
  readonly description: string;
  readonly params: readonly QuestionParam[];
  readonly sql: string;
  readonly file: string;
}

export const QUESTIONS_DIR = fileURLToPath(new URL('../../sql/questions/', import.meta.url));

export function loadQuestions(dir: string = QUESTIONS_DIR): Question[] {
  return readdirSync(dir)
    .filter((f) => /^\d+-.*\.sql$/.test(f))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    .map((file) => {
      const text = readFileSync(`${dir}/${file}`, 'utf8');
      const title = /^--\s*@question\s+(.+)$/m.exec(text)?.[1]?.trim();
      const description = /^--\s*@description\s+(.+)$/m.exec(text)?.[1]?.trim() ?? '';
      if (!title) throw new ConfigError(`${file}: missing '-- @question <title>' line`);
      const params = [...text.matchAll(/^--\s*@param\s+(\S+)\s*(.*)$/gm)].map((m): QuestionParam => {
        const name = m[1];
        if (name !== 'date' && name !== 'from_dt' && name !== 'to_dt') throw new ConfigError(`${file}: '@param ${name}' must be date, from_dt or to_dt`);
        return { name, description: (m[2] ?? '').trim() };
      });
      const sql = text
        .split('\n')
        .filter((l) => !/^--\s*@/.test(l))
        .join('\n')
        .trim()
        .replace(/;\s*$/, '');
      const marks = (sql.replace(/'(?:[^']|'')*'/g, "''").match(/\?/g) ?? []).length;
      if (marks !== params.length) throw new ConfigError(`${file}: ${marks} '?' parameters but ${params.length} '@param' lines`);
      return { number: parseInt(file, 10), title, description, params, sql, file };
    });
}

/** Values of a question's parameters for a snapshot `date` and the one before it. */
export function questionValues(q: Question, date: string, previous: string | undefined): string[] {
  return q.params.map((p) => {
    if (p.name !== 'from_dt') return date;
    if (!previous) throw new ConfigError(`question ${q.number} compares two snapshots, and there is none before ${date}`);
    return previous;
  });
}
