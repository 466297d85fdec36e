/**
 * Every answer the simulators send during the test run, checked against the published OpenAPI response schema of
 * its operation (test/support/openapi.ts). The global setup turns recording on (`SIM_RECORD_RESPONSES`, one NDJSON
 * file per test process) and checks the recordings after the last test: a violation fails the run and the report
 * lists, per product, what was valid, what the one allow-list (spec-deviations.ts) let through, and what could not
 * be checked (no published spec, no matching operation, no schema for the status) so nothing passes silently.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedResponse } from '../../simulator/server.ts';
import { addToReport, formatReport, newReport, SKIPPED_NO_SPECS, SpecValidator, specsPresent, type ConformanceReport } from './openapi.ts';
import { ALLOWED_DEVIATIONS } from './spec-deviations.ts';

export class SpecViolationError extends Error {
  override name = 'SpecViolationError';
}

/** Starts recording for the test processes the caller starts after this (they inherit the environment). */
export function startRecording(): { dir: string } | { skipped: string } {
  if (!specsPresent()) return { skipped: SKIPPED_NO_SPECS };
  const dir = mkdtempSync(join(tmpdir(), 'sim-responses-'));
  process.env.SIM_RECORD_RESPONSES = dir;
  return { dir };
}

export function checkRecordings(dir: string): ConformanceReport {
  const validator = new SpecValidator(undefined, ALLOWED_DEVIATIONS);
  const report = newReport();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ndjson'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as RecordedResponse;
      addToReport(report, r, validator.check(r));
    }
  }
  return report;
}

/**
 * Checks the recordings, writes the report to `reportFile` when given and removes the recordings. `failure` is the
 * message to fail the run with when an answer violates its schema.
 */
export function finishRecording(dir: string, reportFile?: string): { report: ConformanceReport; text: string; failure?: SpecViolationError } {
  const report = checkRecordings(dir);
  const text = formatReport(report);
  if (reportFile) writeFileSync(reportFile, `${text}\n`);
  rmSync(dir, { recursive: true, force: true });
  if (report.violations.size === 0) return { report, text };
  const failure = new SpecViolationError(
    `${report.violations.size} kinds of simulator answers do not match the published response schemas. Fix the simulator (or, where Atlassian documents that the real API differs from its schema, add the case with its source to test/support/spec-deviations.ts).\n${text}`,
  );
  return { report, text, failure };
}
