import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';
import { finishRecording, startRecording } from './spec-conformance.ts';

/**
 * Starts moto_server (S3 and Secrets Manager in memory) on a free loopback port, unless MOTO_ENDPOINT
 * is already set (CI starts its own). Tests read the endpoint from process.env.MOTO_ENDPOINT.
 */
let proc: ChildProcess | undefined;
let recording: { dir: string } | { skipped: string } | undefined;

async function waitUp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/moto-api/`);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`moto_server did not start at ${url}; is it installed (pip install 'moto[server]')?`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function setup(): Promise<void> {
  // Every simulator answer of the run is checked against the published specs after the last test.
  recording = startRecording();
  if ('skipped' in recording) console.log(`spec conformance: ${recording.skipped}`);
  if (process.env.MOTO_ENDPOINT) return;
  const port = await freePort();
  proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url, 20_000);
  process.env.MOTO_ENDPOINT = url;
}

export async function teardown(): Promise<void> {
  proc?.kill('SIGTERM');
  if (recording && 'dir' in recording) {
    const file = process.env.SPEC_REPORT_FILE;
    const { report, failure } = finishRecording(recording.dir, file);
    if (failure) {
      // A global teardown that throws is printed but leaves the exit code 0: set it.
      console.error(`${failure.name}: ${failure.message}`);
      process.exitCode = 1;
      return;
    }
    const t = Object.values(report.byProduct).reduce((a, p) => ({ valid: a.valid + p.valid, allowed: a.allowed + p.allowed, unchecked: a.unchecked + p.noSpec + p.noOperation + p.noSchema }), { valid: 0, allowed: 0, unchecked: 0 });
    console.log(`spec conformance: ${t.valid} simulator answers valid against the published specs, ${t.allowed} allowed deviations, ${t.unchecked} not checkable${file ? ` (report: ${file})` : ' (SPEC_REPORT_FILE=<file> writes the report)'}`);
  }
}
