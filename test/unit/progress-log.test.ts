import { describe, expect, it } from 'vitest';
import { progressLogger } from '../../shared/engine/progress-log.ts';
import type { Progress } from '../../shared/engine/collect.ts';
import type { Logger } from '../../shared/redact.ts';

function recorder(): { log: Logger; lines: { msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  const push = (msg: string, fields?: Record<string, unknown>) => lines.push({ msg, ...(fields ? { fields } : {}) });
  return { lines, log: { info: push, warn: push, error: push } };
}

const page = (pages: number, stream = 'group_members'): Progress => ({ unit: 'acme/jira/acme.atlassian.net', stream, items: 50, streamRows: 50, pages, rows: pages * 50, requests: pages });

describe('progressLogger (collect Lambda progress in CloudWatch)', () => {
  it('logs the first page boundary, then at most one line per interval, with the counts of the latest page', () => {
    // Prepare
    const { log, lines } = recorder();
    let t = 0;
    const onProgress = progressLogger(log, 60_000, () => t);
    // Act: 300 page boundaries, one every second, streams alternating as parents and children do
    for (let i = 1; i <= 300; i++) {
      t = i * 1000;
      onProgress(page(i, i % 2 ? 'groups' : 'group_members'));
    }
    // Assess
    expect(lines.map((l) => l.fields?.pages)).toEqual([1, 61, 121, 181, 241]);
    expect(lines[1]).toEqual({ msg: 'progress', fields: { unit: 'acme/jira/acme.atlassian.net', stream: 'groups', pages: 61, rows: 3050, requests: 61 } });
  });
});
